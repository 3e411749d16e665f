package dev.pgagent.api.llm;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.Experimental;
import dev.pgagent.api.LlmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How a provider adapter repeats a call that failed in a way a repeat may cure ({@link LlmException#isRetryable()}):
 * exponential backoff with jitter (the n-th retry waits between half and all of
 * {@code min(initial * multiplier^(n-1), max)}), and a provider's {@code Retry-After} in place of that, capped by
 * {@code max}. Shared by the adapters so that every provider retries alike. Immutable and thread-safe.
 *
 * <pre>{@code
 * RetryPolicy retries = RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofSeconds(1)).build();
 * ChatResponse r = retries.execute(attempt -> callOnce(request), RetryPolicy.Sleeper.THREAD_SLEEP,
 *         ThreadLocalRandom.current()::nextDouble, RetryPolicy.Observer.ALWAYS);
 * }</pre>
 */
@Experimental
public final class RetryPolicy {
    /** Three attempts, 500 ms doubling up to 30 s. */
    public static final RetryPolicy DEFAULT = builder().build();

    /** One attempt: no retry. */
    public static final RetryPolicy NONE = builder().maxAttempts(1).build();

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final double multiplier;
    private final Duration maxBackoff;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.multiplier = b.multiplier;
        this.maxBackoff = b.maxBackoff;
    }

    /** Returns a builder with the {@link #DEFAULT} settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder initialised with this policy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxAttempts = maxAttempts;
        b.initialBackoff = initialBackoff;
        b.multiplier = multiplier;
        b.maxBackoff = maxBackoff;
        return b;
    }

    /** Returns the number of attempts in total, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Returns the base delay before the first retry. */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** Returns the growth factor of the delay. */
    public double multiplier() {
        return multiplier;
    }

    /** Returns the longest delay, also the cap on a provider's Retry-After. */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * Returns how long to wait after failed attempt {@code failedAttempt} (1-based) before the next.
     *
     * @param retryAfter the delay the provider asked for, or null
     * @param random a number in [0, 1) choosing where in the jitter range the delay falls (0.5 if out of range)
     */
    public Duration delay(int failedAttempt, @Nullable Duration retryAfter, double random) {
        if (retryAfter != null) {
            Duration d = retryAfter.isNegative() ? Duration.ZERO : retryAfter;
            return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
        }
        double base = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
        double capped = Math.min(base, (double) maxBackoff.toMillis());
        double r = random < 0 || random >= 1 || Double.isNaN(random) ? 0.5 : random;
        return Duration.ofMillis(Math.round(capped * (0.5 + 0.5 * r)));
    }

    /**
     * Runs {@code attempt} until it succeeds, fails in a way a repeat cannot cure, the observer vetoes a retry, or
     * the attempts are used up. A failure after more than one attempt says so in its message ("gave up after n
     * attempts") and keeps the last failure as its cause.
     *
     * @param attempt makes one attempt; its argument is the attempt's number, from 1
     * @param sleeper waits between attempts
     * @param random numbers in [0, 1) for the jitter
     * @param observer told before each retry; may veto it
     * @throws LlmException the last failure
     * @throws CancelledException if the thread is interrupted before an attempt or while waiting
     */
    public <T> T execute(Attempt<T> attempt, Sleeper sleeper, DoubleSupplier random, Observer observer) {
        Objects.requireNonNull(attempt, "attempt == null");
        Objects.requireNonNull(sleeper, "sleeper == null");
        Objects.requireNonNull(random, "random == null");
        Objects.requireNonNull(observer, "observer == null");
        for (int n = 1; ; n++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancelledException("chat call cancelled: the thread was interrupted");
            }
            try {
                return attempt.run(n);
            } catch (LlmException e) {
                if (!e.isRetryable() || n >= maxAttempts) {
                    throw n > 1 ? gaveUp(e, n) : e;
                }
                Duration delay = delay(n, e.retryAfter().orElse(null), random.getAsDouble());
                if (!observer.beforeRetry(n, maxAttempts, e, delay)) {
                    throw n > 1 ? gaveUp(e, n) : e;
                }
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new CancelledException("chat call cancelled while waiting to retry");
                }
            }
        }
    }

    /** Returns a failure saying that {@code attempts} attempts were made, {@code last} the last one's. */
    public static LlmException gaveUp(LlmException last, int attempts) {
        return new LlmException(
                last.getMessage() + " (gave up after " + attempts + " attempts)",
                last.reason(),
                last.isRetryable(),
                last.statusCode().orElse(-1),
                last.retryAfter().orElse(null),
                last);
    }

    /**
     * Reads the delay a provider asked for: {@code retry-after-ms} (milliseconds), else {@code Retry-After} as
     * seconds or as an HTTP date. Returns null when absent or unreadable; never negative.
     *
     * @param header looks up a response header by name; null when absent
     * @param clock the clock an HTTP date is measured from
     */
    public static @Nullable Duration retryAfter(Function<String, @Nullable String> header, Clock clock) {
        String ms = header.apply("retry-after-ms");
        if (ms != null) {
            Duration d = number(ms, 1);
            if (d != null) {
                return d;
            }
        }
        String value = header.apply("Retry-After");
        if (value == null || value.isBlank()) {
            return null;
        }
        Duration seconds = number(value, 1000);
        if (seconds != null) {
            return seconds;
        }
        try {
            Instant at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            Duration d = Duration.between(clock.instant(), at);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static @Nullable Duration number(String value, long millisPerUnit) {
        try {
            double v = Double.parseDouble(value.strip().toLowerCase(Locale.ROOT));
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                return null;
            }
            return Duration.ofMillis(Math.max(0, Math.round(v * millisPerUnit)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof RetryPolicy other
                && maxAttempts == other.maxAttempts
                && initialBackoff.equals(other.initialBackoff)
                && Double.compare(multiplier, other.multiplier) == 0
                && maxBackoff.equals(other.maxBackoff);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, initialBackoff, multiplier, maxBackoff);
    }

    @Override
    public String toString() {
        return maxAttempts <= 1
                ? "RetryPolicy{off}"
                : "RetryPolicy{" + maxAttempts + " attempts, " + initialBackoff.toMillis() + " ms x" + multiplier
                        + " up to " + maxBackoff.toMillis() + " ms}";
    }

    /**
     * One attempt of a call.
     *
     * @param <T> what a successful attempt returns
     */
    @FunctionalInterface
    public interface Attempt<T> {
        /**
         * Makes attempt number {@code number} (from 1).
         *
         * @throws LlmException if it failed
         */
        T run(int number);
    }

    /** Waits between attempts; tests replace it so that they do not wait. */
    @FunctionalInterface
    public interface Sleeper {
        /** Sleeps with {@link Thread#sleep(long)}. */
        Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis());

        /**
         * Waits for {@code duration}.
         *
         * @throws InterruptedException if the thread is interrupted while waiting
         */
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Is told before each retry, to log it, and may veto it (for example once a stream has delivered text). */
    @FunctionalInterface
    public interface Observer {
        /** Allows every retry. */
        Observer ALWAYS = (failedAttempt, maxAttempts, failure, delay) -> true;

        /**
         * Called after attempt {@code failedAttempt} failed and before waiting {@code delay}.
         *
         * @return whether to retry; false ends the call with {@code failure}
         */
        boolean beforeRetry(int failedAttempt, int maxAttempts, LlmException failure, Duration delay);
    }

    /** Builds a {@link RetryPolicy}. Not thread-safe. */
    public static final class Builder {
        private int maxAttempts = 3;
        private Duration initialBackoff = Duration.ofMillis(500);
        private double multiplier = 2.0;
        private Duration maxBackoff = Duration.ofSeconds(30);

        private Builder() {}

        /** Sets the number of attempts in total, the first included; at least 1 (1: no retry). Default: 3. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1 but was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Sets the base delay before the first retry; positive. Default: 500 ms. */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = positive(initialBackoff, "initialBackoff");
            return this;
        }

        /** Sets the growth factor of the delay from one retry to the next; at least 1. Default: 2. */
        public Builder multiplier(double multiplier) {
            if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("multiplier must be >= 1 but was " + multiplier);
            }
            this.multiplier = multiplier;
            return this;
        }

        /** Sets the longest delay, also the cap on a provider's Retry-After; positive. Default: 30 s. */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = positive(maxBackoff, "maxBackoff");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name + " == null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive but was " + d);
            }
            return d;
        }

        /**
         * Returns the policy.
         *
         * @throws IllegalStateException if maxBackoff is shorter than initialBackoff
         */
        public RetryPolicy build() {
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalStateException(
                        "maxBackoff must be >= initialBackoff but was " + maxBackoff + " < " + initialBackoff);
            }
            return new RetryPolicy(this);
        }
    }
}
