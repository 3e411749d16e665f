package dev.pgagent.api.audit;

/**
 * Receives audit events: every statement executed or refused, every confirmation asked and answered, every model
 * call. Audit is not logging: it is a typed channel the host stores as it needs. The agent decides what happens when
 * a sink throws (fail closed or log and continue, a builder option). Implementations must be safe for concurrent use.
 *
 * <p>What the agent relies on: a sink stores each event it is given once, in the order of the calls to
 * {@link #record(AuditEvent)} (calls made by one thread keep their order when several threads record at once); a sink
 * that cannot store an event throws an unchecked exception rather than swallow the failure, so that a fail-closed
 * agent can stop the ask; and a sink never writes or shows secrets of its own, such as the credentials of its
 * storage, in what it stores, its exceptions or its {@code toString()}. {@code dev.pgagent.testkit.contract
 * .AuditSinkContract} (agent-testkit) checks all of this.
 */
@FunctionalInterface
public interface AuditSink {
    /** A sink that discards every event. */
    AuditSink NONE = event -> {};

    /**
     * Records one event.
     *
     * @throws RuntimeException if the event cannot be stored
     */
    void record(AuditEvent event);
}
