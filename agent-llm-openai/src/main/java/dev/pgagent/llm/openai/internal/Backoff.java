package dev.pgagent.llm.openai.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of
 * {@code min(initial * multiplier^(n-1), max)}; a provider's {@code Retry-After} replaces that, capped by
 * {@code max}. Immutable and thread-safe when the jitter source is.
 *
 * @param maxAttempts attempts in total, at least 1 (1 means no retry)
 * @param initial the base delay before the first retry
 * @param multiplier the growth factor, at least 1
 * @param max the longest delay
 * @param jitter supplies numbers in [0, 1)
 */
public record Backoff(int maxAttempts, Duration initial, double multiplier, Duration max, DoubleSupplier jitter) {
    /** Validates the settings. */
    public Backoff {
        Objects.requireNonNull(initial, "initial == null");
        Objects.requireNonNull(max, "max == null");
        Objects.requireNonNull(jitter, "jitter == null");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1 but was " + maxAttempts);
        }
        if (multiplier < 1 || Double.isNaN(multiplier)) {
            throw new IllegalArgumentException("multiplier must be >= 1 but was " + multiplier);
        }
    }

    /**
     * Returns how long to wait after failed attempt {@code attempt} (1-based) before the next.
     *
     * @param retryAfter the delay the provider asked for, or null
     */
    public Duration delay(int attempt, @Nullable Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(max) > 0 ? max : retryAfter;
        }
        double base = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, (double) max.toMillis());
        double r = jitter.getAsDouble();
        if (r < 0 || r >= 1 || Double.isNaN(r)) {
            r = 0.5;
        }
        return Duration.ofMillis(Math.round(capped * (0.5 + 0.5 * r)));
    }
}
