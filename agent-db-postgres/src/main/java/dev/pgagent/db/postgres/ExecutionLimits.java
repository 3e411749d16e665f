package dev.pgagent.db.postgres;

import dev.pgagent.api.safety.SafetyPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The runtime limits of one statement: {@code statement_timeout} and {@code lock_timeout} (set with
 * {@code SET LOCAL}), the row and byte caps of its result, the JDBC fetch size used to stream it, and an optional
 * role to run it as ({@code SET LOCAL ROLE}), and the data it must not reach ({@link DeniedData}, checked on
 * PostgreSQL's plan before the statement runs). Immutable.
 *
 * @param statementTimeout the server-side statement timeout; positive, at most {@link Integer#MAX_VALUE} ms
 * @param lockTimeout the server-side lock wait timeout; positive, at most {@link Integer#MAX_VALUE} ms
 * @param maxRows the most rows kept; at least 1
 * @param maxBytes the most bytes (UTF-8 size of the values) kept; at least 1
 * @param fetchSize rows fetched per round trip while streaming; at least 1
 * @param role a plain PostgreSQL identifier to {@code SET LOCAL ROLE} to, or null to keep the session's role
 * @param denied the tables and columns the statement's plan must not read; {@link DeniedData#none()} checks nothing
 */
public record ExecutionLimits(
        Duration statementTimeout,
        Duration lockTimeout,
        int maxRows,
        long maxBytes,
        int fetchSize,
        @Nullable String role,
        DeniedData denied) {

    /** The fetch size {@link #from(SafetyPolicy)} uses: 200 rows. */
    public static final int DEFAULT_FETCH_SIZE = 200;

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");

    /** Validates the components. */
    public ExecutionLimits {
        positiveMillis(statementTimeout, "statementTimeout");
        positiveMillis(lockTimeout, "lockTimeout");
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1 but was " + maxRows);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1 but was " + maxBytes);
        }
        if (fetchSize < 1) {
            throw new IllegalArgumentException("fetchSize must be >= 1 but was " + fetchSize);
        }
        if (role != null && !IDENTIFIER.matcher(role).matches()) {
            throw new IllegalArgumentException("role must be a plain PostgreSQL identifier but was " + role);
        }
        Objects.requireNonNull(denied, "denied == null");
    }

    /** Creates limits that check no denied data. */
    public ExecutionLimits(
            Duration statementTimeout,
            Duration lockTimeout,
            int maxRows,
            long maxBytes,
            int fetchSize,
            @Nullable String role) {
        this(statementTimeout, lockTimeout, maxRows, maxBytes, fetchSize, role, DeniedData.none());
    }

    private static void positiveMillis(Duration d, String name) {
        Objects.requireNonNull(d, name + " == null");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive but was " + d);
        }
        if (d.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(name + " must be at most " + Integer.MAX_VALUE + " ms but was " + d);
        }
    }

    /**
     * Returns the limits a policy sets: its timeouts, row and byte caps, role, and denied tables and columns; fetch
     * size 200.
     */
    public static ExecutionLimits from(SafetyPolicy policy) {
        Objects.requireNonNull(policy, "policy == null");
        return new ExecutionLimits(
                policy.statementTimeout(),
                policy.lockTimeout(),
                policy.maxRows(),
                policy.maxBytes(),
                DEFAULT_FETCH_SIZE,
                policy.role().orElse(null),
                DeniedData.from(policy));
    }

    /** Returns the limits of {@link SafetyPolicy#READ_ONLY}: 30 s, 5 s, 1,000 rows, 1 MiB, fetch size 200. */
    public static ExecutionLimits defaults() {
        return from(SafetyPolicy.READ_ONLY);
    }

    /** Returns a copy with another row cap. */
    public ExecutionLimits withMaxRows(int maxRows) {
        return new ExecutionLimits(statementTimeout, lockTimeout, maxRows, maxBytes, fetchSize, role, denied);
    }

    /** Returns a copy with another byte cap. */
    public ExecutionLimits withMaxBytes(long maxBytes) {
        return new ExecutionLimits(statementTimeout, lockTimeout, maxRows, maxBytes, fetchSize, role, denied);
    }

    /** Returns a copy with another statement timeout. */
    public ExecutionLimits withStatementTimeout(Duration statementTimeout) {
        return new ExecutionLimits(statementTimeout, lockTimeout, maxRows, maxBytes, fetchSize, role, denied);
    }

    /** Returns a copy with another lock timeout. */
    public ExecutionLimits withLockTimeout(Duration lockTimeout) {
        return new ExecutionLimits(statementTimeout, lockTimeout, maxRows, maxBytes, fetchSize, role, denied);
    }

    /** Returns a copy with another fetch size. */
    public ExecutionLimits withFetchSize(int fetchSize) {
        return new ExecutionLimits(statementTimeout, lockTimeout, maxRows, maxBytes, fetchSize, role, denied);
    }

    /** Returns a copy with another role (null for none). */
    public ExecutionLimits withRole(@Nullable String role) {
        return new ExecutionLimits(statementTimeout, lockTimeout, maxRows, maxBytes, fetchSize, role, denied);
    }

    /** Returns a copy with other denied data. */
    public ExecutionLimits withDenied(DeniedData denied) {
        return new ExecutionLimits(statementTimeout, lockTimeout, maxRows, maxBytes, fetchSize, role, denied);
    }
}
