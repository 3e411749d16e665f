package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.ConfigurationException;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.Truncation;
import dev.pgagent.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReadIT {
    static DataSource ds;
    static PostgresDatabase db;
    static final ExecutionLimits LIMITS = ExecutionLimits.defaults();

    @BeforeAll
    static void setUp() {
        ds = TestPostgres.freshDatabase("read");
        Fixtures.exec(
                ds,
                "CREATE TABLE items (id int PRIMARY KEY, name text);"
                        + " INSERT INTO items VALUES (1, 'one'), (2, 'two');"
                        + " DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgagent_reader') THEN"
                        + " CREATE ROLE pgagent_reader; END IF; END $$;"
                        + " GRANT SELECT ON items TO pgagent_reader;");
        db = PostgresDatabase.of(ds);
    }

    private static QueryResult read(String sql) {
        return db.read(sql, LIMITS, new QueryCancellation());
    }

    private static String value(QueryResult r, String column) {
        for (int i = 0; i < r.columns().size(); i++) {
            if (r.columns().get(i).name().equals(column)) {
                return r.rows().get(0).get(i);
            }
        }
        throw new AssertionError("no column " + column);
    }

    @Test
    void rendersValuesAsPostgresPrintsThem() {
        QueryResult r = read("SELECT 42 AS i, 12345678901234567890.123456789::numeric AS n, 'NaN'::numeric AS nan,"
                + " true AS yes, false AS no, NULL::text AS nothing, '{\"a\": [1, 2]}'::jsonb AS jb,"
                + " '{\"b\":1}'::json AS js, ARRAY[1,2,3] AS arr, ARRAY['a b', NULL] AS tarr,"
                + " '\\xdeadbeef'::bytea AS bin, 'f47ac10b-58cc-4372-a567-0e02b2c3d479'::uuid AS id,"
                + " interval '1 day 2 hours' AS iv, 1.5::float8 AS f, date '2024-01-02' AS d, 'héllo' AS t,"
                + " ARRAY[true, false] AS barr");
        assertThat(value(r, "i")).isEqualTo("42");
        assertThat(value(r, "n")).isEqualTo("12345678901234567890.123456789");
        assertThat(value(r, "nan")).isEqualTo("NaN");
        assertThat(value(r, "yes")).isEqualTo("true");
        assertThat(value(r, "no")).isEqualTo("false");
        assertThat(value(r, "nothing")).isNull();
        assertThat(value(r, "jb")).isEqualTo("{\"a\": [1, 2]}");
        assertThat(value(r, "js")).isEqualTo("{\"b\":1}");
        assertThat(value(r, "arr")).isEqualTo("{1,2,3}");
        assertThat(value(r, "tarr")).isEqualTo("{\"a b\",NULL}");
        assertThat(value(r, "bin")).isEqualTo("\\xdeadbeef");
        assertThat(value(r, "id")).isEqualTo("f47ac10b-58cc-4372-a567-0e02b2c3d479");
        assertThat(value(r, "iv")).isEqualTo("1 day 02:00:00");
        assertThat(value(r, "f")).isEqualTo("1.5");
        assertThat(value(r, "d")).isEqualTo("2024-01-02");
        assertThat(value(r, "t")).isEqualTo("héllo");
        assertThat(value(r, "barr")).isEqualTo("{t,f}");
        assertThat(r.columns())
                .contains(
                        new ResultColumn("n", "numeric", Types.NUMERIC),
                        new ResultColumn("yes", "bool", Types.BIT),
                        new ResultColumn("arr", "_int4", Types.ARRAY),
                        new ResultColumn("jb", "jsonb", Types.OTHER));
        assertThat(r.truncation()).isEqualTo(Truncation.NONE);
        assertThat(r.byteCount()).isPositive();
    }

    @Test
    void rendersTimestamptzInIsoWithOffsetForTheSameInstant() {
        QueryResult r = read("SELECT '2024-03-01 12:34:56.789+02'::timestamptz AS ts");
        String v = r.rows().get(0).get(0);
        assertThat(v).matches("2024-03-0\\d \\d\\d:\\d\\d:56\\.789[+-]\\d\\d(:\\d\\d)?");
        DateTimeFormatter pg = new DateTimeFormatterBuilder()
                .appendPattern("yyyy-MM-dd HH:mm:ss")
                .appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true)
                .appendPattern("X[XXX]")
                .toFormatter();
        assertThat(OffsetDateTime.parse(v, pg).toInstant())
                .isEqualTo(OffsetDateTime.parse("2024-03-01T12:34:56.789+02:00").toInstant());
        assertThat(r.columns().get(0).typeName()).isEqualTo("timestamptz");
    }

    @Test
    void capsRowsAndSaysSo() {
        QueryResult r =
                db.read("SELECT g FROM generate_series(1, 50) g", LIMITS.withMaxRows(10), new QueryCancellation());
        assertThat(r.rowCount()).isEqualTo(10);
        assertThat(r.truncation()).isEqualTo(Truncation.ROW_LIMIT);
        QueryResult exact =
                db.read("SELECT g FROM generate_series(1, 10) g", LIMITS.withMaxRows(10), new QueryCancellation());
        assertThat(exact.rowCount()).isEqualTo(10);
        assertThat(exact.truncation()).isEqualTo(Truncation.NONE);
    }

    @Test
    void capsBytesAndSaysSo() {
        QueryResult r = db.read(
                "SELECT repeat('x', 1000) FROM generate_series(1, 100)",
                LIMITS.withMaxBytes(10_500),
                new QueryCancellation());
        assertThat(r.rowCount()).isEqualTo(10);
        assertThat(r.truncation()).isEqualTo(Truncation.BYTE_LIMIT);
        assertThat(r.byteCount()).isEqualTo(10_000);
    }

    @Test
    void streamsAHugeResultWithFlatMemory() {
        long start = System.nanoTime();
        QueryResult r = db.read(
                "SELECT g, md5(g::text) FROM generate_series(1, 5000000) g",
                LIMITS.withMaxRows(1000),
                new QueryCancellation());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.rowCount()).isEqualTo(1000);
        assertThat(r.truncation()).isEqualTo(Truncation.ROW_LIMIT);
        assertThat(took).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void refusesWritesInsideTheReadOnlyTransaction() {
        assertThatThrownBy(() -> read("INSERT INTO items VALUES (3, 'three')"))
                .isInstanceOfSatisfying(
                        DatabaseException.class, e -> assertThat(e.sqlState()).contains("25006"))
                .hasMessageContaining("read-only transaction");
        assertThatThrownBy(() -> read("CREATE TABLE sneaky (id int)"))
                .isInstanceOfSatisfying(
                        DatabaseException.class, e -> assertThat(e.sqlState()).contains("25006"));
        assertThat(read("SELECT count(*) FROM items").rows().get(0).get(0)).isEqualTo("2");
    }

    @Test
    void refusesSeveralStatementsAndTransactionControl() {
        assertThatThrownBy(() -> read("SELECT 1; SELECT 2"))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("exactly one statement");
        assertThatThrownBy(() -> read("COMMIT"))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("transaction");
        assertThat(read("SELECT 1;").rows()).containsExactly(List.of("1"));
    }

    @Test
    void keepsQuestionMarksAsOperatorsNotParameters() {
        QueryResult r = read("SELECT '{\"a\":1}'::jsonb ? 'a' AS has_a, '?' AS q");
        assertThat(r.rows()).containsExactly(List.of("true", "?"));
    }

    @Test
    void reportsSqlErrorsWithSqlStateAndServerMessage() {
        assertThatThrownBy(() -> read("SELECT * FROM nope"))
                .isInstanceOfSatisfying(
                        DatabaseException.class, e -> assertThat(e.sqlState()).contains("42P01"))
                .hasMessageContaining("relation \"nope\" does not exist");
    }

    @Test
    void reportsAStatementTimeoutAsADatabaseError() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> db.read(
                        "SELECT pg_sleep(60)",
                        LIMITS.withStatementTimeout(Duration.ofMillis(200)),
                        new QueryCancellation()))
                .isInstanceOfSatisfying(
                        DatabaseException.class, e -> assertThat(e.sqlState()).contains("57014"))
                .hasMessageContaining("statement timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void cancelsARunningStatementOnTheServer() throws Exception {
        QueryCancellation cancellation = new QueryCancellation();
        CompletableFuture<QueryResult> running = CompletableFuture.supplyAsync(
                () -> db.read("SELECT pg_sleep(30) /* cancel-me */", LIMITS, cancellation));
        Thread.sleep(300);
        long start = System.nanoTime();
        cancellation.cancel();
        assertThatThrownBy(() -> running.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(CancelledException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(cancellation.isCancelled()).isTrue();
        assertThat(activeStatementsLike("%cancel-me%")).isZero();
        assertThatThrownBy(() -> db.read("SELECT 1", LIMITS, cancellation)).isInstanceOf(CancelledException.class);
    }

    @Test
    void cancelsARunningStatementWhenTheThreadIsInterrupted() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                db.read("SELECT pg_sleep(30) /* interrupt-me */", LIMITS, new QueryCancellation());
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        t.start();
        Thread.sleep(300);
        long start = System.nanoTime();
        t.interrupt();
        t.join(5_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(failure.get()).isInstanceOf(CancelledException.class).hasMessageContaining("interrupted");
        assertThat(activeStatementsLike("%interrupt-me%")).isZero();
    }

    @Test
    void returnsTheConnectionInItsOriginalState() throws Exception {
        SingleConnectionDataSource single = new SingleConnectionDataSource(ds);
        PostgresDatabase one = PostgresDatabase.of(single);
        one.read(
                "SELECT current_user",
                LIMITS.withRole("pgagent_reader").withStatementTimeout(Duration.ofSeconds(7)),
                new QueryCancellation());
        assertThatThrownBy(() -> one.read("SELECT * FROM nope", LIMITS, new QueryCancellation()))
                .isInstanceOf(DatabaseException.class);
        Connection c = single.physical;
        assertThat(c.getAutoCommit()).isTrue();
        assertThat(c.isReadOnly()).isFalse();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_setting('statement_timeout'),"
                        + " current_setting('transaction_read_only'), current_user, current_setting('lock_timeout')")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("0");
            assertThat(rs.getString(2)).isEqualTo("off");
            assertThat(rs.getString(3)).isNotEqualTo("pgagent_reader");
            assertThat(rs.getString(4)).isEqualTo("0");
        }
        c.close();
    }

    @Test
    void runsAsTheLimitsRole() {
        QueryResult r = db.read("SELECT current_user", LIMITS.withRole("pgagent_reader"), new QueryCancellation());
        assertThat(r.rows()).containsExactly(List.of("pgagent_reader"));
        assertThatThrownBy(() -> db.read("SELECT 1", LIMITS.withRole("no_such_role_x"), new QueryCancellation()))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("no_such_role_x");
    }

    @Test
    void refusesAConnectionInSimpleQueryMode() {
        TestPostgres.Server s = TestPostgres.server();
        DataSource simple = PgDataSources.fromUrl(
                s.jdbcUrl(s.defaultDatabase()) + "?preferQueryMode=simple", s.user(), s.password());
        assertThatThrownBy(() -> PostgresDatabase.of(simple).read("SELECT 1", LIMITS, new QueryCancellation()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("preferQueryMode");
    }

    @Test
    void explainsWithoutRunning() {
        String json = db.explainJson("SELECT * FROM items WHERE id = 1", LIMITS, new QueryCancellation());
        assertThat(json).startsWith("[").contains("\"Plan\"").contains("\"Relation Name\": \"items\"");
        String write = db.explainJson("DELETE FROM items", LIMITS, new QueryCancellation());
        assertThat(write).contains("\"Operation\": \"Delete\"");
        assertThat(read("SELECT count(*) FROM items").rows().get(0).get(0)).isEqualTo("2");
    }

    private static int activeStatementsLike(String pattern) throws Exception {
        Thread.sleep(100);
        try (Connection c = ds.getConnection();
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE state = 'active' AND query LIKE ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, pattern);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
