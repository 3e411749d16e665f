package dev.pgagent.core;

/** How an ask ended. */
public enum AgentStatus {
    /** The model gave its final answer. */
    COMPLETED,
    /**
     * A statement needs a person's confirmation that was deferred; {@link AgentResponse#pendingConfirmations()}
     * holds the requests and {@link AgentSession#resume(java.util.Map)} continues the ask.
     */
    WAITING_FOR_CONFIRMATION,
    /** A limit was reached (steps, time, tokens); {@link AgentResponse#limit()} says which. */
    LIMIT_REACHED,
    /** The ask was cancelled ({@link AgentSession#cancel()} or an interrupt). */
    CANCELLED,
    /** The ask failed (the model call failed, an audit record could not be written under fail-closed, ...). */
    FAILED
}
