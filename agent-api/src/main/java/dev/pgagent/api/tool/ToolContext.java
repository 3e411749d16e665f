package dev.pgagent.api.tool;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.sql.SqlGateway;

/**
 * What a tool gets from the agent for one call: guarded database access, the session and ask it runs in, and a way
 * to see cancellation. Valid only during the call.
 */
public interface ToolContext {
    /** Returns database access through the safety layer, the runtime guards and the audit. */
    SqlGateway sql();

    /** Returns the identifier of the session (one user's conversation). */
    String sessionId();

    /** Returns the identifier of the current ask. */
    String askId();

    /** Returns whether the ask was cancelled; a long-running tool should check and stop. */
    boolean isCancelled();

    /**
     * Throws if the ask was cancelled.
     *
     * @throws CancelledException if {@link #isCancelled()}
     */
    default void throwIfCancelled() {
        if (isCancelled()) {
            throw new CancelledException("the ask was cancelled");
        }
    }
}
