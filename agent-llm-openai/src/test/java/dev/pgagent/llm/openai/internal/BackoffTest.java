package dev.pgagent.llm.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static Backoff defaults(double jitter) {
        return new Backoff(3, Duration.ofMillis(500), 2.0, Duration.ofSeconds(30), () -> jitter);
    }

    @Test
    void growsExponentiallyBetweenHalfAndAllOfTheBase() {
        assertThat(defaults(0.0).delay(1, null)).isEqualTo(Duration.ofMillis(250));
        assertThat(defaults(0.0).delay(2, null)).isEqualTo(Duration.ofMillis(500));
        assertThat(defaults(0.0).delay(3, null)).isEqualTo(Duration.ofMillis(1000));
        assertThat(defaults(0.999_999_9).delay(3, null)).isEqualTo(Duration.ofMillis(2000));
    }

    @RepeatedTest(20)
    void randomJitterStaysInsideTheWindow() {
        Backoff b = new Backoff(3, Duration.ofMillis(500), 2.0, Duration.ofSeconds(30),
                () -> ThreadLocalRandom.current().nextDouble());

        assertThat(b.delay(4, null)).isBetween(Duration.ofMillis(2000), Duration.ofMillis(4000));
    }

    @Test
    void neverExceedsTheMaximum() {
        assertThat(defaults(0.999_999_9).delay(30, null)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void honoursRetryAfterCappedByTheMaximum() {
        assertThat(defaults(0.3).delay(1, Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(4));
        assertThat(defaults(0.3).delay(1, Duration.ofMinutes(5))).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults(0.3).delay(1, Duration.ZERO)).isEqualTo(Duration.ZERO);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new Backoff(0, Duration.ofMillis(1), 2, Duration.ofMillis(1), () -> 0))
                .hasMessage("maxAttempts must be >= 1 but was 0");
        assertThatThrownBy(() -> new Backoff(1, Duration.ofMillis(1), 0.5, Duration.ofMillis(1), () -> 0))
                .hasMessage("multiplier must be >= 1 but was 0.5");
    }
}
