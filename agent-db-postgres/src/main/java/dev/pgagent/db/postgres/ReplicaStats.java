package dev.pgagent.db.postgres;

import dev.pgagent.api.Experimental;
import java.util.Objects;

/**
 * Where a {@link PostgresDatabase}'s reads ran, counted since it was built: on the read replica, or on the primary
 * and why (the replica was lagging, unreachable, or cancelled the statement for a conflict with recovery), with the
 * replica's last known state. Reads are {@code read}, {@code explainJson}, {@code explainAnalyzeJson} and
 * {@code export}; a read whose statement failed on the replica counts as run there. Without a replica every count
 * is zero and the state is {@link State#NONE}. Immutable.
 *
 * @param state the replica's state at the last check
 * @param lastLagMillis the replay lag measured at the last check in milliseconds, or -1 if unknown (not checked
 *     yet, unreachable, or not measurable)
 * @param readsOnReplica reads run on the replica
 * @param readsOnPrimaryLagging reads run on the primary because the replica was more than {@code maxReplicaLag}
 *     behind (or its lag could not be measured)
 * @param readsOnPrimaryUnreachable reads run on the primary because the replica could not be reached
 * @param readsOnPrimaryConflict reads retried on the primary after the replica cancelled them for a conflict with
 *     recovery (SQLSTATE 40001)
 */
@Experimental
public record ReplicaStats(
        State state,
        long lastLagMillis,
        long readsOnReplica,
        long readsOnPrimaryLagging,
        long readsOnPrimaryUnreachable,
        long readsOnPrimaryConflict) {

    /** The replica's state as the last check saw it. */
    public enum State {
        /** No read replica is configured. */
        NONE,
        /** Not checked yet. */
        UNCHECKED,
        /** Within {@code maxReplicaLag}: reads go to it. */
        CURRENT,
        /** Too far behind, or its lag cannot be measured: reads go to the primary. */
        LAGGING,
        /** Cannot be reached: reads go to the primary. */
        UNREACHABLE
    }

    /** Checks the values. */
    public ReplicaStats {
        Objects.requireNonNull(state, "state == null");
    }

    /** Returns the reads that ran on the primary, for any reason. */
    public long readsOnPrimary() {
        return readsOnPrimaryLagging + readsOnPrimaryUnreachable + readsOnPrimaryConflict;
    }
}
