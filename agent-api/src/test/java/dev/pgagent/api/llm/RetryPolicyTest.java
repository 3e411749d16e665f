package dev.pgagent.api.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);

    private static LlmException failure(boolean retryable, Duration retryAfter) {
        return new LlmException("boom", LlmException.Reason.SERVER_ERROR, retryable, 503, retryAfter, null);
    }

    @Test
    void growsTheDelayExponentiallyWithJitterAndCapsIt() {
        RetryPolicy p = RetryPolicy.builder()
                .initialBackoff(Duration.ofMillis(100))
                .maxBackoff(Duration.ofMillis(500))
                .build();

        assertThat(p.delay(1, null, 0.0)).isEqualTo(Duration.ofMillis(50));
        assertThat(p.delay(1, null, 0.999)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.delay(3, null, 0.5)).isEqualTo(Duration.ofMillis(300));
        assertThat(p.delay(10, null, 0.999)).isEqualTo(Duration.ofMillis(500));
        assertThat(p.delay(1, Duration.ofSeconds(2), 0.5)).isEqualTo(Duration.ofMillis(500));
        assertThat(p.delay(1, Duration.ofMillis(20), 0.5)).isEqualTo(Duration.ofMillis(20));
        assertThat(p.delay(1, null, Double.NaN)).isEqualTo(Duration.ofMillis(75));
    }

    @Test
    void retriesRetryableFailuresWaitingWhatTheProviderAskedAndSaysWhenItGaveUp() {
        List<Duration> waits = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> RetryPolicy.DEFAULT.execute(
                        n -> {
                            calls.incrementAndGet();
                            throw failure(true, Duration.ofSeconds(n));
                        },
                        waits::add,
                        () -> 0.5,
                        RetryPolicy.Observer.ALWAYS))
                .isInstanceOf(LlmException.class)
                .hasMessage("boom (gave up after 3 attempts)")
                .hasCauseInstanceOf(LlmException.class);
        assertThat(calls).hasValue(3);
        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void stopsAtAFailureThatCannotBeCuredOrWhenTheObserverVetoes() {
        List<Duration> waits = new ArrayList<>();
        LlmException permanent = failure(false, null);

        assertThatThrownBy(() -> RetryPolicy.DEFAULT.execute(
                        n -> {
                            throw permanent;
                        },
                        waits::add,
                        () -> 0.5,
                        RetryPolicy.Observer.ALWAYS))
                .isSameAs(permanent);
        LlmException transient1 = failure(true, null);
        assertThatThrownBy(() -> RetryPolicy.DEFAULT.execute(
                        n -> {
                            throw transient1;
                        },
                        waits::add,
                        () -> 0.5,
                        (a, m, e, d) -> false))
                .isSameAs(transient1);
        assertThat(waits).isEmpty();
        RetryPolicy.Attempt<String> ok = n -> "ok" + n;
        String result = RetryPolicy.DEFAULT.execute(ok, waits::add, () -> 0.5, RetryPolicy.Observer.ALWAYS);
        assertThat(result).isEqualTo("ok1");
    }

    @Test
    void anInterruptedWaitIsACancellation() {
        assertThatThrownBy(() -> RetryPolicy.DEFAULT.execute(
                        n -> {
                            throw failure(true, null);
                        },
                        d -> {
                            throw new InterruptedException();
                        },
                        () -> 0.5,
                        RetryPolicy.Observer.ALWAYS))
                .isInstanceOf(CancelledException.class);
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void readsRetryAfterFormats() {
        assertThat(RetryPolicy.retryAfter(Map.of("Retry-After", "12")::get, CLOCK))
                .isEqualTo(Duration.ofSeconds(12));
        assertThat(RetryPolicy.retryAfter(Map.of("Retry-After", "0.25")::get, CLOCK))
                .isEqualTo(Duration.ofMillis(250));
        assertThat(RetryPolicy.retryAfter(Map.of("Retry-After", "Tue, 24 Nov 2026 10:01:00 GMT")::get, CLOCK))
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(RetryPolicy.retryAfter(Map.of("Retry-After", "Tue, 24 Nov 2026 09:00:00 GMT")::get, CLOCK))
                .isEqualTo(Duration.ZERO);
        assertThat(RetryPolicy.retryAfter(Map.of("retry-after-ms", "20")::get, CLOCK))
                .isEqualTo(Duration.ofMillis(20));
        assertThat(RetryPolicy.retryAfter(Map.of("Retry-After", "-5")::get, CLOCK))
                .isEqualTo(Duration.ZERO);
        assertThat(RetryPolicy.retryAfter(Map.of("Retry-After", "later")::get, CLOCK))
                .isNull();
        assertThat(RetryPolicy.retryAfter(Map.<String, String>of()::get, CLOCK)).isNull();
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).hasMessage("maxAttempts must be >= 1 but was 0");
        assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5))
                .hasMessage("multiplier must be >= 1 but was 0.5");
        assertThatThrownBy(() -> RetryPolicy.builder()
                        .initialBackoff(Duration.ofSeconds(9))
                        .maxBackoff(Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalStateException.class);
        assertThat(RetryPolicy.NONE.toString()).isEqualTo("RetryPolicy{off}");
    }
}
