package dev.pgagent.core;

import dev.pgagent.api.PgAgentException;

/**
 * Reports an ask that ended {@link AgentStatus#FAILED}, thrown by {@link AgentResponse#orThrow()} for hosts that want
 * an exception rather than a status; the message says why (the model call failed, an audit record could not be
 * written under fail-closed, the provider's content filter).
 */
public final class AskFailedException extends PgAgentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with the reason the ask failed. */
    public AskFailedException(String message) {
        super(message);
    }
}
