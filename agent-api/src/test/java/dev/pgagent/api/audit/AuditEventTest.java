package dev.pgagent.api.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditEventTest {
    @Test
    void theBuilderSetsEveryFieldAndSortsAttributes() {
        Instant at = Instant.parse("2026-12-03T12:00:00Z");
        Verdict v = Verdict.deny(StatementKind.DDL, "DDL is not allowed");
        AuditEventType type = AuditEventType.values()[0];
        AuditEvent e = AuditEvent.builder(type)
                .timestamp(at)
                .sessionId("s")
                .askId("a")
                .sql("DROP TABLE t")
                .verdict(v)
                .outcome("REFUSED")
                .attribute("rows", 3)
                .attribute("b", "x")
                .attribute("skipped", null)
                .build();
        assertThat(e.timestamp()).isEqualTo(at);
        assertThat(e.type()).isEqualTo(type);
        assertThat(e.sessionId()).isEqualTo("s");
        assertThat(e.askId()).isEqualTo("a");
        assertThat(e.sql()).isEqualTo("DROP TABLE t");
        assertThat(e.verdict()).isEqualTo(v);
        assertThat(e.outcome()).isEqualTo("REFUSED");
        assertThat(e.attributes()).containsExactly(Map.entry("b", "x"), Map.entry("rows", "3"));
        assertThatThrownBy(() -> e.attributes().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void copiesAttributesAndRejectsNulls() {
        Map<String, String> attributes = new HashMap<>(Map.of("k", "v"));
        AuditEvent e =
                new AuditEvent(Instant.EPOCH, AuditEventType.values()[0], null, null, null, null, null, attributes);
        attributes.put("k2", "v2");
        assertThat(e.attributes()).containsOnlyKeys("k");
        assertThatThrownBy(() -> AuditEvent.builder(null)).hasMessage("type == null");
        assertThatThrownBy(() -> AuditEvent.builder(AuditEventType.values()[0]).timestamp(null))
                .hasMessage("timestamp == null");
        assertThatThrownBy(() -> AuditEvent.builder(AuditEventType.values()[0]).attribute(null, "v"))
                .hasMessage("key == null");
        assertThatThrownBy(() ->
                        new AuditEvent(Instant.EPOCH, AuditEventType.values()[0], null, null, null, null, null, null))
                .hasMessage("attributes == null");
    }

    @Test
    void theNoOpSinkAcceptsEvents() {
        AuditSink.NONE.record(AuditEvent.builder(AuditEventType.values()[0]).build());
    }
}
