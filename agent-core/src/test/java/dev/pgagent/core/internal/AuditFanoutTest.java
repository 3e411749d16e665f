package dev.pgagent.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AuditFailurePolicy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AuditFanoutTest {
    private static final AuditSink FAILING = e -> {
        throw new IllegalStateException("disk full");
    };

    @Test
    void tellsTheListenerOfEachFailingSinkAndStillAppliesThePolicy() {
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        List<AuditEvent> recorded = new CopyOnWriteArrayList<>();
        AuditFanout open =
                new AuditFanout(List.of(FAILING, recorded::add), AuditFailurePolicy.LOG_AND_CONTINUE, events::add);
        open.record(AuditEvent.builder(AuditEventType.QUERY_EXECUTED)
                .sessionId("s1")
                .askId("a1")
                .build());
        open.record(AuditEvent.builder(AuditEventType.TOOL_CALL).build());

        assertThat(recorded).hasSize(2);
        assertThat(events)
                .containsExactly(
                        new AgentEvent.AuditFailed("s1", "a1", AuditEventType.QUERY_EXECUTED, "disk full"),
                        new AgentEvent.AuditFailed("", "", AuditEventType.TOOL_CALL, "disk full"));

        AgentListener throwing = e -> {
            throw new IllegalStateException("listener broke");
        };
        AuditFanout closed = new AuditFanout(List.of(FAILING), AuditFailurePolicy.FAIL_CLOSED, throwing);
        assertThatThrownBy(() -> closed.record(
                        AuditEvent.builder(AuditEventType.QUERY_EXECUTED).build()))
                .isInstanceOf(AuditWriteException.class)
                .hasMessageContaining("disk full");
    }

    @Test
    void allPassesEachEventToEveryListenerEvenWhenOneThrows() {
        List<AgentEvent> first = new CopyOnWriteArrayList<>();
        List<AgentEvent> second = new CopyOnWriteArrayList<>();
        AgentListener both = AgentListener.all(
                first::add,
                e -> {
                    throw new IllegalStateException("boom");
                },
                second::add);
        AgentEvent e = new AgentEvent.AuditFailed("s", "a", AuditEventType.TOOL_CALL, "x");
        both.onEvent(e);
        assertThat(first).containsExactly(e);
        assertThat(second).containsExactly(e);
    }
}
