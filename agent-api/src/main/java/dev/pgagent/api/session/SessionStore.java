package dev.pgagent.api.session;

import java.time.Duration;
import java.util.Optional;

/**
 * Keeps session states where every node of a host can read them, each with a version for optimistic concurrency:
 * a save names the version it read and fails with {@link SessionConflictException} when another node saved since.
 * Implementations must be safe for concurrent use, also from several processes.
 */
public interface SessionStore {
    /** Returns the stored state of {@code sessionId}, or empty if there is none. */
    Optional<StoredSession> load(String sessionId);

    /**
     * Saves {@code state} as the new state of {@code sessionId} if its stored version is still
     * {@code expectedVersion} (0: if it has none yet), and returns the new version ({@code expectedVersion + 1}).
     *
     * @throws SessionConflictException if the stored version is another one (another node saved first)
     */
    long save(String sessionId, long expectedVersion, byte[] state);

    /** Deletes the state of {@code sessionId}; returns whether there was one. */
    boolean delete(String sessionId);

    /** Deletes the states last saved longer than {@code age} ago and returns how many. */
    int expireOlderThan(Duration age);
}
