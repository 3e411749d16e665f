package dev.pgagent.db.postgres;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.db.postgres.ReplicaStats.State;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a read goes to the read replica, from a cached staleness check, and counts where reads ran.
 * Thread-safe: one check runs at a time; other callers use the last result while it is fresh.
 *
 * <p>The check runs {@link #LAG_SQL} on the replica. Lag is 0 on a server that is not in recovery, and on a standby
 * whose WAL receiver is streaming and has replayed all it received ({@code pg_last_wal_receive_lsn() =
 * pg_last_wal_replay_lsn()}): so an idle primary does not make a current standby look stale. Otherwise (replay
 * behind what was received, or no streaming receiver, for example a disconnected one) the lag is {@code
 * clock_timestamp() - pg_last_xact_replay_timestamp()}, the age of the last replayed commit: an overestimate after an
 * idle spell (conservative), and unknown (treated as too far behind) when nothing was replayed since the standby
 * started. A result is used for {@link #checkInterval()} ({@code min(1 s, maxReplicaLag / 4)}) and the replica is
 * used only while {@code lag + checkInterval <= maxReplicaLag}, so a read on it is at most {@code maxReplicaLag}
 * behind what the standby had received; the WAL still in flight from the primary (usually milliseconds) is not
 * visible from the standby and is not counted.
 */
final class ReplicaRouter {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaRouter.class);

    /** The staleness check: the replay lag in milliseconds, or null when it cannot be measured. */
    static final String LAG_SQL = "SELECT CASE"
            + " WHEN NOT pg_is_in_recovery() THEN 0"
            + " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"
            // status is null for a user without pg_read_all_stats; a row still means a WAL receiver is running
            + " AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status IS NULL OR status = 'streaming') THEN 0"
            + " ELSE (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::bigint"
            + " END";

    /** How long an unreachable replica is left alone before it is tried again. */
    static final Duration UNREACHABLE_RECHECK = Duration.ofSeconds(2);

    private static final int CHECK_TIMEOUT_SECONDS = 5;
    private static final Set<String> GONE = Set.of("57P01", "57P02", "57P03", "53300");
    private static final String RECOVERY_CONFLICT = "40001";

    /** Where a read runs. */
    enum Route {
        REPLICA,
        LAGGING,
        UNREACHABLE,
        CONFLICT
    }

    private record Status(State state, long lagMillis, long checkedAt) {}

    private final DataSource replica;
    private final long maxLagMillis;
    private final Duration checkInterval;
    private final Object checkLock = new Object();
    private volatile Status status = new Status(State.UNCHECKED, -1, 0);
    private volatile String lastFailure = "";
    private final LongAdder onReplica = new LongAdder();
    private final LongAdder lagging = new LongAdder();
    private final LongAdder unreachable = new LongAdder();
    private final LongAdder conflict = new LongAdder();

    ReplicaRouter(DataSource replica, Duration maxLag) {
        this.replica = replica;
        this.maxLagMillis = maxLag.toMillis();
        this.checkInterval = checkInterval(maxLag);
    }

    /** Returns how long a check's result is used: {@code min(1 s, maxLag / 4)}. */
    static Duration checkInterval(Duration maxLag) {
        Duration quarter = maxLag.dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(1)) < 0 ? quarter : Duration.ofSeconds(1);
    }

    Duration checkInterval() {
        return checkInterval;
    }

    /** Returns where the next read goes: the replica, or the primary because it is lagging or unreachable. */
    Route route() {
        Status s = status;
        if (!fresh(s, System.nanoTime())) {
            synchronized (checkLock) {
                s = status;
                if (!fresh(s, System.nanoTime())) {
                    s = check();
                    update(s, null);
                }
            }
        }
        return switch (s.state()) {
            case CURRENT -> Route.REPLICA;
            case UNREACHABLE -> Route.UNREACHABLE;
            default -> Route.LAGGING;
        };
    }

    private boolean fresh(Status s, long now) {
        if (s.state() == State.UNCHECKED) {
            return false;
        }
        long ttl = s.state() == State.UNREACHABLE ? UNREACHABLE_RECHECK.toNanos() : checkInterval.toNanos();
        return now - s.checkedAt() < ttl;
    }

    private Status check() {
        long now = System.nanoTime();
        try (Connection c = replica.getConnection();
                Statement st = c.createStatement()) {
            st.setQueryTimeout(CHECK_TIMEOUT_SECONDS);
            Long lag;
            try (ResultSet rs = st.executeQuery(LAG_SQL)) {
                rs.next();
                long v = rs.getLong(1);
                lag = rs.wasNull() ? null : Math.max(0, v);
            }
            if (!c.getAutoCommit()) {
                c.rollback();
            }
            if (lag == null) {
                return new Status(State.LAGGING, -1, now);
            }
            boolean current = lag + checkInterval.toMillis() <= maxLagMillis;
            return new Status(current ? State.CURRENT : State.LAGGING, lag, now);
        } catch (SQLException e) {
            lastFailure = GuardedExecutor.describe(e);
            return new Status(State.UNREACHABLE, -1, now);
        }
    }

    private void update(Status next, @org.jspecify.annotations.Nullable String why) {
        Status previous = status;
        status = next;
        if (previous.state() == next.state()) {
            return;
        }
        switch (next.state()) {
            case CURRENT -> {
                if (previous.state() == State.UNCHECKED) {
                    LOG.debug("The read replica is current (lag {} ms); reads go to it", next.lagMillis());
                } else {
                    LOG.info("The read replica is current again (lag {} ms); reads go to it", next.lagMillis());
                }
            }
            case LAGGING -> {
                if (next.lagMillis() < 0) {
                    LOG.warn("The read replica's replay lag cannot be measured (nothing replayed since it started, "
                            + "or its WAL receiver is not streaming); reads go to the primary");
                } else {
                    LOG.warn(
                            "The read replica is {} ms behind: with the check interval of {} ms that exceeds "
                                    + "maxReplicaLag {} ms; reads go to the primary",
                            next.lagMillis(),
                            checkInterval.toMillis(),
                            maxLagMillis);
                }
            }
            case UNREACHABLE ->
                LOG.warn(
                        "The read replica cannot be reached ({}); reads go to the primary",
                        why != null ? why : lastFailure);
            default -> {}
        }
    }

    /**
     * Returns why a read that failed on the replica with {@code e} may run again on the primary, or null when the
     * failure is the statement's own and would happen on the primary too. A connection failure marks the replica
     * unreachable.
     */
    @org.jspecify.annotations.Nullable
    Route retryOnPrimary(DatabaseException e) {
        String state = e.sqlState().orElse(null);
        if (RECOVERY_CONFLICT.equals(state)) {
            return Route.CONFLICT;
        }
        Throwable cause = e.getCause();
        boolean gone = (state != null && (state.startsWith("08") || GONE.contains(state)))
                || cause instanceof SQLTransientConnectionException
                || cause instanceof SQLNonTransientConnectionException;
        if (!gone) {
            return null;
        }
        synchronized (checkLock) {
            update(new Status(State.UNREACHABLE, -1, System.nanoTime()), e.getMessage());
        }
        return Route.UNREACHABLE;
    }

    /** Counts one read by where it ran. */
    void count(Route route) {
        switch (route) {
            case REPLICA -> onReplica.increment();
            case LAGGING -> lagging.increment();
            case UNREACHABLE -> unreachable.increment();
            case CONFLICT -> conflict.increment();
        }
    }

    ReplicaStats stats() {
        Status s = status;
        return new ReplicaStats(
                s.state(), s.lagMillis(), onReplica.sum(), lagging.sum(), unreachable.sum(), conflict.sum());
    }
}
