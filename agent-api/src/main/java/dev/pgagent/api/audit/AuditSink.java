package dev.pgagent.api.audit;

/**
 * Receives audit events: every statement executed or refused, every confirmation asked and answered, every model
 * call. Audit is not logging: it is a typed channel the host stores as it needs. The agent decides what happens when
 * a sink throws (fail closed or log and continue, a builder option). Implementations must be safe for concurrent use.
 */
@FunctionalInterface
public interface AuditSink {
    /** A sink that discards every event. */
    AuditSink NONE = event -> {};

    /** Records one event. */
    void record(AuditEvent event);
}
