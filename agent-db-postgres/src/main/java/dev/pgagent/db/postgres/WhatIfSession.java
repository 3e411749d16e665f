package dev.pgagent.db.postgres;

import dev.pgagent.api.DatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection on which the advisor explains statements with and without candidate indexes. Everything runs in
 * one transaction with {@code statement_timeout} and {@code lock_timeout} set locally, and the transaction is always
 * rolled back on {@link #close()}:
 * <ul>
 *   <li>{@link IndexAdvice.Method#HYPOPG}: a READ ONLY transaction; candidates are hypopg's hypothetical indexes,
 *       which live in this backend's memory only, and {@code hypopg_reset()} runs before the rollback;</li>
 *   <li>{@link IndexAdvice.Method#ROLLED_BACK_BUILD}: candidates are really built, each under a savepoint that is
 *       rolled back when the candidate is dropped; a build holds a SHARE lock on its table (writes wait, reads go
 *       on) until its savepoint is rolled back, and a picked index's lock until the transaction ends;</li>
 *   <li>{@link IndexAdvice.Method#NONE}: a READ ONLY transaction in which statements are only explained.</li>
 * </ul>
 * Statements with {@code $n} parameters (as {@code pg_stat_statements} normalises them) are prepared and explained
 * with a generic plan ({@code plan_cache_mode = force_generic_plan}, each time afresh, so the plan sees the current
 * candidates). Every statement explained was validated as a read by the caller, and EXPLAIN without ANALYZE runs
 * nothing. Not thread-safe: one advice at a time.
 */
final class WhatIfSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WhatIfSession.class);
    private static final Pattern PARAMETER = Pattern.compile("\\$([0-9]+)");

    private final Connection conn;
    private final IndexAdvice.Method method;
    private final boolean autoCommit;
    private int savepoints;
    private int prepared;

    /** A candidate created in the session. */
    record Created(IndexCandidate candidate, long oid, String savepoint) {}

    private WhatIfSession(Connection conn, IndexAdvice.Method method, boolean autoCommit) {
        this.conn = conn;
        this.method = method;
        this.autoCommit = autoCommit;
    }

    /** Returns whether the hypopg extension is installed in the connection's database. */
    static boolean hypopgInstalled(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'hypopg'")) {
            return rs.next();
        }
    }

    /** Returns whether the server offers hypopg (installed or not in this database). */
    static boolean hypopgAvailable(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'hypopg'")) {
            return rs.next();
        }
    }

    /** Starts the session's transaction on {@code conn}; the caller keeps owning the connection. */
    static WhatIfSession open(
            Connection conn, IndexAdvice.Method method, Duration statementTimeout, Duration lockTimeout)
            throws SQLException {
        boolean autoCommit = conn.getAutoCommit();
        conn.setAutoCommit(false);
        WhatIfSession s = new WhatIfSession(conn, method, autoCommit);
        try (Statement st = conn.createStatement()) {
            if (method != IndexAdvice.Method.ROLLED_BACK_BUILD) {
                st.execute("SET TRANSACTION READ ONLY");
            }
            st.execute("SET LOCAL statement_timeout = " + statementTimeout.toMillis());
            st.execute("SET LOCAL lock_timeout = " + lockTimeout.toMillis());
            st.execute("SET LOCAL plan_cache_mode = force_generic_plan");
            if (method == IndexAdvice.Method.HYPOPG) {
                st.execute("SELECT hypopg_reset()");
            }
        } catch (SQLException e) {
            s.close();
            throw e;
        }
        return s;
    }

    IndexAdvice.Method method() {
        return method;
    }

    Connection connection() {
        return conn;
    }

    /**
     * Returns the {@code EXPLAIN (VERBOSE, FORMAT JSON)} plan of {@code sql}, or throws the database's error; the
     * session stays usable after an error (each explain runs under its own savepoint).
     */
    String explain(String sql) throws SQLException {
        String sp = "pgagent_explain";
        try (Statement st = conn.createStatement()) {
            st.execute("SAVEPOINT " + sp);
            try {
                String json = explainIn(st, sql);
                st.execute("RELEASE SAVEPOINT " + sp);
                return json;
            } catch (SQLException e) {
                st.execute("ROLLBACK TO SAVEPOINT " + sp);
                st.execute("RELEASE SAVEPOINT " + sp);
                throw e;
            }
        }
    }

    private String explainIn(Statement st, String sql) throws SQLException {
        int params = parameters(sql);
        if (params == 0) {
            return single(st, "EXPLAIN (VERBOSE, FORMAT JSON) " + sql);
        }
        String name = "pgagent_advise_" + (++prepared);
        st.execute("PREPARE " + name + " AS " + sql);
        try {
            StringBuilder args = new StringBuilder();
            for (int i = 0; i < params; i++) {
                args.append(i == 0 ? "" : ", ").append("NULL");
            }
            return single(st, "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE " + name + "(" + args + ")");
        } finally {
            st.execute("DEALLOCATE " + name);
        }
    }

    /** Returns the highest {@code $n} in {@code sql} outside string literals, quoted names and comments. */
    static int parameters(String sql) {
        String bare = sql.replaceAll("'(?:[^']|'')*'", "''")
                .replaceAll("\"(?:[^\"]|\"\")*\"", "\"\"")
                .replaceAll("--[^\n]*", "")
                .replaceAll("(?s)/\\*.*?\\*/", "");
        int max = 0;
        Matcher m = PARAMETER.matcher(bare);
        while (m.find()) {
            max = Math.max(max, Integer.parseInt(m.group(1)));
        }
        return max;
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("EXPLAIN returned no row");
            }
            return rs.getString(1);
        }
    }

    /** Creates {@code c} (hypothetically, or built under a savepoint) and returns its handle. */
    Created create(IndexCandidate c) throws SQLException {
        if (method == IndexAdvice.Method.HYPOPG) {
            try (PreparedStatement ps = conn.prepareStatement("SELECT indexrelid FROM hypopg_create_index(?)")) {
                ps.setString(1, c.createStatement());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("hypopg_create_index returned no row");
                    }
                    return new Created(c, rs.getLong(1), "");
                }
            }
        }
        if (method != IndexAdvice.Method.ROLLED_BACK_BUILD) {
            throw new IllegalStateException("method must allow candidates but was " + method);
        }
        String sp = "pgagent_candidate_" + (++savepoints);
        String name = "pgagent_whatif_" + savepoints;
        try (Statement st = conn.createStatement()) {
            st.execute("SAVEPOINT " + sp);
            try {
                st.execute(c.createStatement(name, false));
                try (PreparedStatement ps = conn.prepareStatement(
                        "SELECT pg_catalog.to_regclass(pg_catalog.quote_ident(?) || '.' || pg_catalog.quote_ident(?))"
                                + "::oid")) {
                    ps.setString(1, c.schema());
                    ps.setString(2, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return new Created(c, rs.getLong(1), sp);
                    }
                }
            } catch (SQLException e) {
                st.execute("ROLLBACK TO SAVEPOINT " + sp);
                throw e;
            }
        }
    }

    /** Returns the created candidate's size in bytes. */
    long size(Created created) throws SQLException {
        String sql = method == IndexAdvice.Method.HYPOPG
                ? "SELECT hypopg_relation_size(?::oid)"
                : "SELECT pg_catalog.pg_relation_size(?::oid)";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, created.oid());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Removes a created candidate again. */
    void drop(Created created) throws SQLException {
        if (method == IndexAdvice.Method.HYPOPG) {
            try (PreparedStatement ps = conn.prepareStatement("SELECT hypopg_drop_index(?::oid)")) {
                ps.setLong(1, created.oid());
                ps.execute();
            }
        } else {
            try (Statement st = conn.createStatement()) {
                st.execute("ROLLBACK TO SAVEPOINT " + created.savepoint());
                st.execute("RELEASE SAVEPOINT " + created.savepoint());
            }
        }
    }

    /** Rolls everything back (and resets hypopg); the connection is back in its former auto-commit mode. */
    @Override
    public void close() {
        try {
            conn.rollback();
            if (method == IndexAdvice.Method.HYPOPG) {
                // hypothetical indexes are not transactional: they outlive a rollback unless reset
                try (Statement st = conn.createStatement()) {
                    st.execute("SELECT hypopg_reset()");
                } finally {
                    conn.rollback();
                }
            }
            conn.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            throw new DatabaseException("cannot roll back the index advisor's transaction", e.getSQLState(), e);
        }
    }
}
