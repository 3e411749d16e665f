package dev.pgagent.api.session;

import dev.pgagent.api.PgAgentException;

/**
 * A session was saved by another node since it was read: its stored version is not the one expected. The loser of
 * two concurrent resumes of one ask gets this before anything of the ask runs; reload the session to see its state.
 */
public final class SessionConflictException extends PgAgentException {
    private static final long serialVersionUID = 1L;

    private final String sessionId;
    private final long expectedVersion;

    /** Creates the exception for {@code sessionId}, whose version was expected to be {@code expectedVersion}. */
    public SessionConflictException(String sessionId, long expectedVersion) {
        super("session " + sessionId + " was changed by another node: its version must be " + expectedVersion
                + " but was another (reload it and try again)");
        this.sessionId = sessionId;
        this.expectedVersion = expectedVersion;
    }

    /** Creates the exception for {@code sessionId} with its own {@code message}. */
    public SessionConflictException(String sessionId, long expectedVersion, String message) {
        super(message);
        this.sessionId = sessionId;
        this.expectedVersion = expectedVersion;
    }

    /** Returns the session's identifier. */
    public String sessionId() {
        return sessionId;
    }

    /** Returns the version the caller expected. */
    public long expectedVersion() {
        return expectedVersion;
    }
}
