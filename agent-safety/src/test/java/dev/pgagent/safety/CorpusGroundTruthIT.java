package dev.pgagent.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.testsupport.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ground truth from PostgreSQL: every corpus statement the validator allows without confirmation must really be a
 * read. Each runs in a READ ONLY transaction on a small business schema with data; none may fail with SQLSTATE
 * 25006 (read_only_sql_transaction), and a fingerprint of the database (data, catalog, sequences, large objects,
 * replication slots, roles) must be unchanged after the whole corpus.
 */
class CorpusGroundTruthIT {
    private static final String READ_ONLY_VIOLATION = "25006";
    private static DataSource dataSource;

    @BeforeAll
    static void createSchema() throws SQLException {
        dataSource = TestPostgres.freshDatabase("safety");
        String script = resource("/it/business-schema.sql");
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            for (String stmt : script.split(";\\s*\\n")) {
                if (!stmt.isBlank()) {
                    s.execute(stmt);
                }
            }
        }
    }

    private static String resource(String name) {
        try (InputStream in = CorpusGroundTruthIT.class.getResourceAsStream(name)) {
            return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code sql} in a READ ONLY transaction that is rolled back; returns the SQLSTATE of a failure or null. */
    private static String runReadOnly(Connection c, String sql) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION READ ONLY");
            s.execute("SET LOCAL statement_timeout = '5s'");
            s.setMaxRows(50);
            s.execute(sql);
            return null;
        } catch (SQLException e) {
            return e.getSQLState() + ": " + e.getMessage().lines().findFirst().orElse("");
        } finally {
            c.rollback();
        }
    }

    private static String fingerprint() throws SQLException {
        StringBuilder b = new StringBuilder();
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                    + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY"
                        + " x::text), '')) FROM " + t + " x")) {
                    rs.next();
                    b.append(t)
                            .append('=')
                            .append(rs.getLong(1))
                            .append(':')
                            .append(rs.getString(2))
                            .append('\n');
                }
            }
            String[] catalog = {
                "SELECT md5(string_agg(format('%s.%s:%s', n.nspname, c.relname, c.relkind), ',' ORDER BY 1))"
                        + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'",
                "SELECT md5(string_agg(format('%s.%s:%s', attrelid, attname, atttypid), ',' ORDER BY 1))"
                        + " FROM pg_attribute WHERE attrelid >= 16384",
                "SELECT string_agg(format('%s.%s=%s', schemaname, sequencename, last_value), ',' ORDER BY 1)"
                        + " FROM pg_sequences",
                "SELECT count(*) FROM pg_largeobject_metadata",
                "SELECT count(*) FROM pg_replication_slots",
                "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles",
                "SELECT count(*) FROM pg_prepared_xacts",
                "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace",
                "SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc"
                        + " WHERE pronamespace IN ('public'::regnamespace, 'other'::regnamespace)",
            };
            for (String q : catalog) {
                try (ResultSet rs = s.executeQuery(q)) {
                    rs.next();
                    b.append(rs.getString(1)).append('\n');
                }
            }
        }
        return b.toString();
    }

    @Test
    void everyStatementAllowedWithoutConfirmationIsARead() throws SQLException {
        String before = fingerprint();
        Map<SafetyPolicy, JSqlParserSafetyValidator> validators = new LinkedHashMap<>();
        Map<String, Corpus.Case> allowed = new LinkedHashMap<>();
        for (Corpus.Case c : Corpus.load()) {
            Verdict v = validators
                    .computeIfAbsent(c.policy(), JSqlParserSafetyValidator::of)
                    .validate(c.sql());
            if (v.isAllowed()) {
                allowed.putIfAbsent(c.sql(), c);
            }
        }
        List<String> readOnlyViolations = new ArrayList<>();
        List<String> otherFailures = new ArrayList<>();
        try (Connection conn = dataSource.getConnection()) {
            for (Corpus.Case c : allowed.values()) {
                String failure = runReadOnly(conn, c.sql());
                if (failure == null) {
                    continue;
                }
                if (failure.startsWith(READ_ONLY_VIOLATION)) {
                    readOnlyViolations.add(c + " -> " + failure);
                } else {
                    otherFailures.add(c + " -> " + failure);
                }
            }
        }
        String after = fingerprint();
        System.out.println("ground truth: " + allowed.size() + " distinct allowed statements run read-only, "
                + readOnlyViolations.size() + " read-only violations, " + otherFailures.size()
                + " failed for other reasons");
        otherFailures.forEach(f -> System.out.println("  other failure: " + f));
        assertThat(readOnlyViolations)
                .as("allowed statements that tried to write")
                .isEmpty();
        assertThat(after).as("database fingerprint after the corpus").isEqualTo(before);
        assertThat(allowed.size()).as("distinct allowed statements").isGreaterThan(200);
        assertThat(otherFailures)
                .as("allowed statements that fail on the business schema")
                .hasSizeLessThan(15);
    }

    @Test
    void sampleOfDeniedTrapsReallyWrite() throws SQLException {
        List<String> traps = List.of(
                "WITH d AS (DELETE FROM orders WHERE id = 1 RETURNING *) SELECT * FROM d",
                "SELECT * INTO new_orders FROM orders",
                "SELECT * FROM orders FOR UPDATE",
                "SELECT * FROM orders FOR KEY SHARE",
                "SELECT nextval('orders_id_seq')",
                "SELECT setval('orders_id_seq', 1)",
                "SELECT 'x\\' INTO stolen FROM customers --'",
                "SELECT id, 'a\\' FROM orders FOR UPDATE --'",
                "WITH i AS (INSERT INTO orders (customer_id, status, total) VALUES (1, 'x', 1) RETURNING id)"
                        + " SELECT id FROM i");
        JSqlParserSafetyValidator validator = JSqlParserSafetyValidator.readOnly();
        try (Connection conn = dataSource.getConnection()) {
            for (String sql : traps) {
                assertThat(validator.validate(sql).isDenied())
                        .as("denied: %s", sql)
                        .isTrue();
                assertThat(runReadOnly(conn, sql))
                        .as("running %s read-only", sql)
                        .startsWith(READ_ONLY_VIOLATION);
            }
        }
    }

    @Test
    void deniedFunctionsThatAReadOnlyTransactionDoesNotStop() throws SQLException {
        // These succeed inside READ ONLY transactions, so only the static deny list keeps them out: a large object
        // is created, a notification queued, a transaction id assigned, a setting changed, and a session-level
        // advisory lock taken that outlives the rollback on a pooled connection.
        List<String> escapees = List.of(
                "SELECT lo_create(0)",
                "SELECT pg_notify('ch', 'x')",
                "SELECT txid_current()",
                "SELECT set_config('work_mem', '64MB', false)",
                "SELECT pg_advisory_lock(42)");
        JSqlParserSafetyValidator validator = JSqlParserSafetyValidator.readOnly();
        try (Connection conn = dataSource.getConnection()) {
            for (String sql : escapees) {
                assertThat(validator.validate(sql).isDenied())
                        .as("denied: %s", sql)
                        .isTrue();
                assertThat(runReadOnly(conn, sql))
                        .as("running %s read-only", sql)
                        .isNull();
            }
            conn.setAutoCommit(true);
            try (Statement s = conn.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                            + " AND pid = pg_backend_pid()")) {
                rs.next();
                assertThat(rs.getInt(1))
                        .as("advisory locks still held after rollback")
                        .isEqualTo(1);
                s.execute("SELECT pg_advisory_unlock_all()");
            }
        }
    }
}
