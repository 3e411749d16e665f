package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.safety.SafetyPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ExecutionLimitsTest {
    @Test
    void takesTheLimitsOfAPolicy() {
        SafetyPolicy p = SafetyPolicy.builder()
                .statementTimeout(Duration.ofSeconds(3))
                .lockTimeout(Duration.ofSeconds(1))
                .maxRows(50)
                .maxBytes(4096)
                .role("reader")
                .build();
        ExecutionLimits l = ExecutionLimits.from(p);
        assertThat(l)
                .isEqualTo(new ExecutionLimits(Duration.ofSeconds(3), Duration.ofSeconds(1), 50, 4096, 200, "reader"));
    }

    @Test
    void defaultsToTheReadOnlyPolicy() {
        ExecutionLimits d = ExecutionLimits.defaults();
        assertThat(d.statementTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.lockTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.maxRows()).isEqualTo(1000);
        assertThat(d.maxBytes()).isEqualTo(1L << 20);
        assertThat(d.fetchSize()).isEqualTo(200);
        assertThat(d.role()).isNull();
    }

    @Test
    void copiesWithOneValueChanged() {
        ExecutionLimits d = ExecutionLimits.defaults();
        assertThat(d.withMaxRows(5).maxRows()).isEqualTo(5);
        assertThat(d.withMaxBytes(7).maxBytes()).isEqualTo(7);
        assertThat(d.withMaxRows(5).maxBytes()).isEqualTo(d.maxBytes());
    }

    @Test
    void rejectsInvalidValues() {
        ExecutionLimits d = ExecutionLimits.defaults();
        assertThatThrownBy(() -> d.withMaxRows(0)).hasMessage("maxRows must be >= 1 but was 0");
        assertThatThrownBy(() -> d.withStatementTimeout(Duration.ZERO))
                .hasMessage("statementTimeout must be positive but was PT0S");
        assertThatThrownBy(() -> d.withRole("x; DROP ROLE y"))
                .hasMessage("role must be a plain PostgreSQL identifier but was x; DROP ROLE y");
        assertThatThrownBy(() -> d.withFetchSize(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
