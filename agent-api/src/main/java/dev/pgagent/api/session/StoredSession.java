package dev.pgagent.api.session;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored session state.
 *
 * @param sessionId the session's identifier
 * @param version the version, 1 for the first save, one more for each save since
 * @param state the session's state in its byte form (opaque to the store); not copied, do not change it
 * @param updatedAt when it was last saved
 */
public record StoredSession(String sessionId, long version, byte[] state, Instant updatedAt) {
    /** Validates the components. */
    public StoredSession {
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(state, "state == null");
        Objects.requireNonNull(updatedAt, "updatedAt == null");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1 but was " + version);
        }
    }

    @Override
    public String toString() {
        return "StoredSession[" + sessionId + " v" + version + ", " + state.length + " bytes, " + updatedAt + "]";
    }
}
