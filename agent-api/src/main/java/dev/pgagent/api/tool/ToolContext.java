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

    /**
     * Returns the names of the databases this context reaches, the default one (the one {@link #sql()} reaches)
     * first. The default implementation returns an empty list: one database, not named.
     */
    default java.util.List<String> databases() {
        return java.util.List.of();
    }

    /**
     * Returns a context like this one whose {@link #sql()} reaches the database named {@code name}, under that
     * database's policy; statements run through it are recorded with this call's.
     *
     * @throws IllegalArgumentException if this context does not reach a database of that name
     */
    default ToolContext database(String name) {
        java.util.Objects.requireNonNull(name, "name == null");
        throw new IllegalArgumentException("database must be one of " + databases() + " but was '" + name + "'");
    }

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
