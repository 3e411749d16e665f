package dev.pgagent.db.postgres;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.ConfigurationException;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.Truncation;
import dev.pgagent.db.postgres.internal.PlanReach;
import dev.pgagent.db.postgres.internal.SqlText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.jdbc.PreferQueryMode;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs single statements under the runtime guards for {@link PostgresDatabase}. Thread-safe (stateless). */
final class GuardedExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedExecutor.class);
    private static final Set<String> TRANSACTION_CONTROL =
            Set.of("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE");
    private static final String QUERY_CANCELED = "57014";
    private static final Set<String> ANALYZABLE = Set.of("SELECT", "WITH", "VALUES", "TABLE");

    private final DataSource dataSource;

    GuardedExecutor(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** What a statement produced: its rows (if any) and the number of rows it returned or changed. */
    private record Outcome(@Nullable QueryResult rows, long count) {}

    private enum Mode {
        READ,
        DRY_RUN,
        APPLY
    }

    QueryResult read(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        SqlText text = check(sql);
        Outcome o = run(text.jdbcText(), reach(text), Mode.READ, -1, -1, limits, cancellation);
        return o.rows() != null ? o.rows() : QueryResult.builder().build();
    }

    String explainJson(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        SqlText text = check(sql);
        Outcome o;
        try {
            o = run(
                    EXPLAIN_PREFIX + text.jdbcText(),
                    reach(text),
                    Mode.READ,
                    -1,
                    -1,
                    limits.withMaxRows(Math.max(limits.maxRows(), 1)).withMaxBytes(Long.MAX_VALUE),
                    cancellation);
        } catch (DatabaseException e) {
            throw withoutPrefix(e);
        }
        QueryResult r = o.rows();
        if (r == null || r.rowCount() == 0 || r.rows().get(0).get(0) == null) {
            throw new DatabaseException("EXPLAIN returned no plan", null, null);
        }
        return r.rows().get(0).get(0);
    }

    private static final String EXPLAIN_PREFIX = "EXPLAIN (FORMAT JSON) ";
    private static final Pattern AT_CHARACTER = Pattern.compile("\\(at character (\\d+)\\)");

    /** Returns {@code e} with its error position counted in the caller's statement, not in the EXPLAIN around it. */
    private static DatabaseException withoutPrefix(DatabaseException e) {
        String message = e.getMessage();
        Matcher m = message == null ? null : AT_CHARACTER.matcher(message);
        if (e.getClass() != DatabaseException.class || m == null || !m.find()) {
            return e;
        }
        int position = Integer.parseInt(m.group(1)) - EXPLAIN_PREFIX.length();
        String shifted = position > 0
                ? m.replaceFirst("(at character " + position + ")")
                : m.replaceFirst("").stripTrailing();
        return new DatabaseException(shifted, e.sqlState().orElse(null), e.getCause());
    }

    /**
     * Runs {@code EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)}: the statement is executed, so only queries are accepted,
     * and like every read it runs in a READ ONLY transaction under the limits' timeouts and is rolled back.
     */
    String explainAnalyzeJson(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        SqlText text = check(sql);
        if (!ANALYZABLE.contains(text.firstKeyword())) {
            throw new DatabaseException(
                    "refused: EXPLAIN ANALYZE runs the statement, so it must be a query (SELECT, "
                            + "WITH, VALUES or TABLE) but started with " + text.firstKeyword(),
                    null,
                    null);
        }
        Outcome o = run(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + text.jdbcText(),
                reach(text),
                Mode.READ,
                -1,
                -1,
                limits.withMaxRows(Math.max(limits.maxRows(), 1)).withMaxBytes(Long.MAX_VALUE),
                cancellation);
        QueryResult r = o.rows();
        if (r == null || r.rowCount() == 0 || r.rows().get(0).get(0) == null) {
            throw new DatabaseException("EXPLAIN ANALYZE returned no plan", null, null);
        }
        return r.rows().get(0).get(0);
    }

    WriteDryRun dryRun(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        SqlText text = check(sql);
        Outcome o = run(text.jdbcText(), reach(text), Mode.DRY_RUN, -1, -1, limits, cancellation);
        return new WriteDryRun(o.count(), o.rows());
    }

    long apply(String sql, long expectedRows, ExecutionLimits limits, QueryCancellation cancellation) {
        if (expectedRows < -1) {
            throw new IllegalArgumentException("expectedRows must be >= -1 but was " + expectedRows);
        }
        SqlText text = check(sql);
        return run(text.jdbcText(), reach(text), Mode.APPLY, expectedRows, -1, limits, cancellation)
                .count();
    }

    long applyAtMost(String sql, long maxRows, ExecutionLimits limits, QueryCancellation cancellation) {
        if (maxRows < 0) {
            throw new IllegalArgumentException("maxRows must be >= 0 but was " + maxRows);
        }
        SqlText text = check(sql);
        return run(text.jdbcText(), reach(text), Mode.APPLY, -1, maxRows, limits, cancellation)
                .count();
    }

    static SqlText check(String sql) {
        java.util.Objects.requireNonNull(sql, "sql == null");
        SqlText text = SqlText.scan(sql);
        if (text.statementCount() != 1) {
            throw new DatabaseException(
                    "refused: sql must be exactly one statement but held " + text.statementCount() + ": "
                            + PgAgentException.abbreviate(sql, 200),
                    null,
                    null);
        }
        if (TRANSACTION_CONTROL.contains(text.firstKeyword())) {
            throw new DatabaseException(
                    "refused: sql must not control the transaction but started with " + text.firstKeyword(),
                    null,
                    null);
        }
        return text;
    }

    /** The statement whose plan is checked for denied data, or null when EXPLAIN cannot plan it. */
    static @Nullable String reach(SqlText text) {
        return PlanReach.explainable(text.firstKeyword()) ? text.jdbcText() : null;
    }

    private Outcome run(
            String jdbcSql,
            @Nullable String reachSql,
            Mode mode,
            long expectedRows,
            long maxAffected,
            ExecutionLimits limits,
            QueryCancellation cancellation) {
        java.util.Objects.requireNonNull(limits, "limits == null");
        java.util.Objects.requireNonNull(cancellation, "cancellation == null");
        throwIfCancelled(cancellation);
        long start = System.nanoTime();
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw new DatabaseException("cannot get a connection: " + describe(e), e.getSQLState(), e);
        }
        boolean restoreAutoCommit = true;
        boolean autoCommit = true;
        boolean began = false;
        boolean finished = false;
        try {
            checkQueryMode(c);
            autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            } else {
                c.rollback(); // start from a clean transaction, so SET TRANSACTION comes first
            }
            began = true;
            if (mode == Mode.READ) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET TRANSACTION READ ONLY");
                }
            }
            setLocals(c, limits);
            checkReach(c, reachSql, limits.denied());
            Outcome o = execute(c, jdbcSql, mode, limits, cancellation, start);
            if (mode == Mode.APPLY) {
                if (expectedRows >= 0 && o.count() != expectedRows) {
                    throw new DatabaseException(
                            "refused: the statement affected " + o.count() + " rows but the dry run affected "
                                    + expectedRows + "; rolled back",
                            null,
                            null);
                }
                if (maxAffected >= 0 && o.count() > maxAffected) {
                    throw new DatabaseException(
                            "refused: the statement affected " + o.count() + " rows, more than the " + maxAffected
                                    + " a write may change; rolled back",
                            null,
                            null);
                }
                c.commit();
                finished = true;
            }
            return o;
        } catch (SQLException e) {
            restoreAutoCommit = !isBroken(e);
            throw translate(e, cancellation, null, limits);
        } finally {
            if (began && !finished) {
                try {
                    c.rollback();
                } catch (SQLException e) {
                    LOG.warn("ROLLBACK failed: {}", e.getMessage());
                }
            }
            if (began && restoreAutoCommit && autoCommit) {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException e) {
                    LOG.warn("Could not restore autocommit: {}", e.getMessage());
                }
            }
            try {
                c.close();
            } catch (SQLException e) {
                LOG.warn("Could not close the connection: {}", e.getMessage());
            }
        }
    }

    static boolean isBroken(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("08");
    }

    static void checkQueryMode(Connection c) throws SQLException {
        if (c.isWrapperFor(PGConnection.class)) {
            PreferQueryMode m = c.unwrap(PGConnection.class).getPreferQueryMode();
            if (m == PreferQueryMode.SIMPLE) {
                throw new ConfigurationException("preferQueryMode must not be simple but was " + m.value()
                        + ": statements must run one at a time over the extended protocol");
            }
        }
    }

    /**
     * Refuses a statement whose plan reads denied tables or columns (through views, inheritance, partitions or
     * materialized views). Planning happens in the statement's own transaction, under its role and timeouts.
     */
    static void checkReach(Connection c, @Nullable String reachSql, DeniedData denied) throws SQLException {
        if (reachSql == null || denied.isEmpty()) {
            return;
        }
        String why = PlanReach.violation(c, reachSql, denied.tables(), denied.columns());
        if (why != null) {
            throw new DeniedDataException(why);
        }
    }

    static void setLocals(Connection c, ExecutionLimits limits) throws SQLException {
        String sql = "SELECT set_config('statement_timeout', ?, true), set_config('lock_timeout', ?, true),"
                + " set_config('bytea_output', 'hex', true)"
                + (limits.role() != null ? ", set_config('role', ?, true)" : "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, Long.toString(limits.statementTimeout().toMillis()));
            ps.setString(2, Long.toString(limits.lockTimeout().toMillis()));
            if (limits.role() != null) {
                ps.setString(3, limits.role());
            }
            ps.executeQuery().close();
        }
    }

    private static Outcome execute(
            Connection c, String jdbcSql, Mode mode, ExecutionLimits limits, QueryCancellation cancellation, long start)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(jdbcSql)) {
            if (ps.isWrapperFor(PGStatement.class)) {
                // Never a named server-side statement: results then always come in text format, exactly as
                // PostgreSQL prints them (binary transfer would have pgjdbc re-format timestamps and numerics).
                ps.unwrap(PGStatement.class).setPrepareThreshold(0);
            }
            ps.setFetchSize(limits.fetchSize());
            if (mode == Mode.READ && limits.maxRows() < Integer.MAX_VALUE) {
                ps.setMaxRows(limits.maxRows() + 1);
            }
            cancellation.register(ps);
            try (CancellationWatchdog.Watch watch = CancellationWatchdog.watch(ps, cancellation)) {
                try {
                    throwIfCancelled(cancellation);
                    boolean hasRows = ps.execute();
                    if (hasRows) {
                        try (ResultSet rs = ps.getResultSet()) {
                            return readRows(rs, limits, mode != Mode.READ, start);
                        }
                    }
                    long count = ps.getLargeUpdateCount();
                    return new Outcome(null, Math.max(count, 0));
                } catch (SQLException e) {
                    throw translate(e, cancellation, watch, limits);
                }
            } finally {
                cancellation.unregister(ps);
            }
        }
    }

    private static Outcome readRows(ResultSet rs, ExecutionLimits limits, boolean countAll, long start)
            throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<ResultColumn> columns = new ArrayList<>(n);
        boolean[] bool = new boolean[n];
        for (int i = 1; i <= n; i++) {
            String typeName = md.getColumnTypeName(i);
            columns.add(new ResultColumn(
                    md.getColumnLabel(i), typeName == null ? "unknown" : typeName, md.getColumnType(i)));
            bool[i - 1] = "bool".equals(typeName);
        }
        QueryResult.Builder b = QueryResult.builder().columns(columns);
        Truncation truncation = Truncation.NONE;
        long bytes = 0;
        long seen = 0;
        int kept = 0;
        while (rs.next()) {
            seen++;
            if (truncation != Truncation.NONE) {
                continue; // only reached when counting every row of a write's RETURNING
            }
            if (kept >= limits.maxRows()) {
                truncation = Truncation.ROW_LIMIT;
                if (!countAll) {
                    break;
                }
                continue;
            }
            String[] row = new String[n];
            long size = 0;
            for (int i = 0; i < n; i++) {
                String v = rs.getString(i + 1);
                if (v != null && bool[i]) {
                    v = "t".equals(v) ? "true" : "f".equals(v) ? "false" : v;
                }
                row[i] = v;
                size += v == null ? 0 : utf8Length(v);
            }
            if (bytes + size > limits.maxBytes()) {
                truncation = Truncation.BYTE_LIMIT;
                if (!countAll) {
                    break;
                }
                continue;
            }
            bytes += size;
            b.addRow(Arrays.asList(row));
            kept++;
        }
        QueryResult result = b.truncation(truncation)
                .byteCount(bytes)
                .elapsed(Duration.ofNanos(System.nanoTime() - start))
                .build();
        return new Outcome(result, seen);
    }

    static long utf8Length(String s) {
        long len = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                len++;
            } else if (ch < 0x800) {
                len += 2;
            } else if (Character.isHighSurrogate(ch)) {
                len += 4;
                i++;
            } else {
                len += 3;
            }
        }
        return len;
    }

    static void throwIfCancelled(QueryCancellation cancellation) {
        if (cancellation.isCancelled()) {
            throw new CancelledException("the statement was cancelled");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new CancelledException("the statement was cancelled: the calling thread was interrupted");
        }
    }

    static PgAgentException translate(
            SQLException e,
            QueryCancellation cancellation,
            CancellationWatchdog.@Nullable Watch watch,
            ExecutionLimits limits) {
        String state = e.getSQLState();
        if (QUERY_CANCELED.equals(state)) {
            if (cancellation.isCancelled()) {
                return new CancelledException("the statement was cancelled");
            }
            if ((watch != null && watch.interrupted()) || Thread.currentThread().isInterrupted()) {
                return new CancelledException("the statement was cancelled: the calling thread was interrupted");
            }
            return new DatabaseException(
                    "statement timeout: the statement ran longer than "
                            + limits.statementTimeout().toMillis() + " ms and was cancelled (SQLSTATE 57014: "
                            + describe(e) + ")",
                    state,
                    e);
        }
        return new DatabaseException(describe(e), state, e);
    }

    /**
     * Returns the server's message with its SQLSTATE, detail and hint; never bound parameter values. A pool's
     * "connection not available" ({@link java.sql.SQLTransientConnectionException}) that carries the driver's failure
     * (a server that cannot be reached, a wrong password) is described by that failure, as without a pool.
     */
    static String describe(SQLException e) {
        if (e instanceof java.sql.SQLTransientConnectionException && e.getCause() instanceof SQLException cause) {
            return describe(cause);
        }
        if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null) {
            ServerErrorMessage m = pe.getServerErrorMessage();
            StringBuilder sb = new StringBuilder();
            sb.append(m.getSeverity() == null ? "ERROR" : m.getSeverity()).append(' ');
            if (m.getSQLState() != null) {
                sb.append(m.getSQLState()).append(": ");
            }
            sb.append(m.getMessage());
            if (m.getDetail() != null) {
                sb.append(" Detail: ").append(m.getDetail());
            }
            if (m.getHint() != null) {
                sb.append(" Hint: ").append(m.getHint());
            }
            if (m.getPosition() > 0) {
                sb.append(" (at character ").append(m.getPosition()).append(')');
            }
            return sb.toString();
        }
        String msg = e.getMessage();
        return (e.getSQLState() == null ? "" : e.getSQLState() + ": ") + (msg == null ? e.toString() : msg);
    }
}
