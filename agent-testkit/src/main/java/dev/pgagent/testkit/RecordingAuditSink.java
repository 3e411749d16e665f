package dev.pgagent.testkit;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.audit.AuditSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An {@link AuditSink} that keeps every event in memory, in arrival order, for assertions. Thread-safe.
 *
 * <pre>{@code
 * RecordingAuditSink audit = new RecordingAuditSink();
 * PostgresAgent agent = PostgresAgent.builder()...addAuditSink(audit).build();
 * agent.ask("...");
 * assertThat(audit.events(AuditEventType.QUERY_REFUSED)).hasSize(1);
 * }</pre>
 */
public final class RecordingAuditSink implements AuditSink {
    private final List<AuditEvent> events = new ArrayList<>();

    /** Creates an empty sink. */
    public RecordingAuditSink() {}

    @Override
    public synchronized void record(AuditEvent event) {
        events.add(Objects.requireNonNull(event, "event == null"));
    }

    /** Returns a copy of every event recorded so far, oldest first. */
    public synchronized List<AuditEvent> events() {
        return List.copyOf(events);
    }

    /** Returns a copy of the events of {@code type}, oldest first. */
    public synchronized List<AuditEvent> events(AuditEventType type) {
        Objects.requireNonNull(type, "type == null");
        return events.stream().filter(e -> e.type() == type).toList();
    }

    /** Returns the types of every event recorded so far, in order. */
    public synchronized List<AuditEventType> types() {
        return events.stream().map(AuditEvent::type).toList();
    }

    /** Returns the SQL of every event of {@code type} that carries SQL, in order. */
    public synchronized List<String> sql(AuditEventType type) {
        List<String> out = new ArrayList<>();
        for (AuditEvent e : events) {
            if (e.type() == type && e.sql() != null) {
                out.add(e.sql());
            }
        }
        return out;
    }

    /** Removes every recorded event. */
    public synchronized void clear() {
        events.clear();
    }

    @Override
    public synchronized String toString() {
        return "RecordingAuditSink{events=" + events.size() + '}';
    }
}
