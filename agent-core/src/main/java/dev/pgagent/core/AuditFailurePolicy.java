package dev.pgagent.core;

/**
 * What the agent does when an {@link dev.pgagent.api.audit.AuditSink} throws.
 *
 * <p>Under {@link #FAIL_CLOSED} a statement does not run if its record cannot be written: a write's confirmation
 * answer is recorded before the write is applied, so a failing sink stops the write; a read whose record cannot be
 * written has its result withheld from the model; and the ask ends {@link AgentStatus#FAILED}.
 */
public enum AuditFailurePolicy {
    /** Log the failure at WARN and go on. The default. */
    LOG_AND_CONTINUE,
    /** Stop: nothing runs (or is shown to the model) without its audit record, and the ask fails. */
    FAIL_CLOSED
}
