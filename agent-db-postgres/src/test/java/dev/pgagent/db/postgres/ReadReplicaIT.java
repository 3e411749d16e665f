package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.testsupport.Standby;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Reads on a real streaming hot standby of a primary of the test's own: routing, the replay-lag fallback (replay
 * paused on the standby), recovery conflicts, and a stopped standby. One pair of clusters for the class; the test
 * that stops the standby runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadReplicaIT {
    private static final ExecutionLimits LIMITS = ExecutionLimits.defaults();
    private static final Duration WAIT = Duration.ofSeconds(60);

    static Standby pair;

    @BeforeAll
    static void start() {
        pair = Standby.start();
        Fixtures.exec(
                pair.primary(),
                "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);"
                        + " INSERT INTO items (name) VALUES ('first');"
                        + " CREATE TABLE conflicted (id int); INSERT INTO conflicted VALUES (1);");
        pair.awaitReplay(WAIT);
    }

    @AfterAll
    static void stop() {
        if (pair != null) {
            pair.close();
        }
    }

    private static PostgresDatabase database() {
        return PostgresDatabase.builder()
                .dataSource(pair.primary())
                .readReplica(pair.standby())
                .maxReplicaLag(Duration.ofSeconds(1))
                .build();
    }

    private static List<String> row(PostgresDatabase db, String sql) {
        QueryResult r = db.read(sql, LIMITS, new QueryCancellation());
        return r.rows().get(0).stream().map(String::valueOf).toList();
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static void exec(DataSource ds, String sql) {
        Fixtures.exec(ds, sql);
    }

    @Test
    @Order(1)
    void readsAreServedByTheStandby() {
        PostgresDatabase db = database();
        await(
                "a read on the standby",
                () -> row(db, "SELECT pg_is_in_recovery()").equals(List.of("true")));
        ReplicaStats stats = db.replicaStats();
        assertThat(stats.state()).isEqualTo(ReplicaStats.State.CURRENT);
        assertThat(stats.readsOnReplica()).isGreaterThanOrEqualTo(1);
        assertThat(stats.lastLagMillis()).isBetween(0L, 1000L);

        long before = db.replicaStats().readsOnReplica();
        assertThat(db.explainJson("SELECT * FROM items", LIMITS, new QueryCancellation()))
                .contains("Seq Scan");
        assertThat(db.explainAnalyzeJson("SELECT * FROM items", LIMITS, new QueryCancellation()))
                .contains("Actual Rows");
        assertThat(db.replicaStats().readsOnReplica()).isEqualTo(before + 2);
        assertThat(db.toString()).contains("readReplica").doesNotContain("password");
    }

    @Test
    @Order(2)
    void aStatementErrorOnTheStandbyIsNotRetriedOnThePrimary() {
        PostgresDatabase db = database();
        await(
                "a read on the standby",
                () -> row(db, "SELECT pg_is_in_recovery()").equals(List.of("true")));
        ReplicaStats before = db.replicaStats();

        assertThatThrownBy(() -> db.read("SELECT 1 / 0", LIMITS, new QueryCancellation()))
                .isInstanceOf(DatabaseException.class)
                .satisfies(e -> assertThat(((DatabaseException) e).sqlState()).contains("22012"));

        ReplicaStats after = db.replicaStats();
        assertThat(after.readsOnReplica()).isEqualTo(before.readsOnReplica() + 1);
        assertThat(after.readsOnPrimary()).isEqualTo(before.readsOnPrimary());
    }

    @Test
    @Order(3)
    void dryRunsAndWritesRunOnThePrimaryAndReachTheStandby() {
        PostgresDatabase db = database();
        // on the standby these would fail: "cannot execute INSERT in a read-only transaction"
        WriteDryRun dry = db.dryRun("INSERT INTO items (name) VALUES ('written')", LIMITS, new QueryCancellation());
        assertThat(dry.affectedRows()).isEqualTo(1);
        assertThat(db.apply("INSERT INTO items (name) VALUES ('written')", 1, LIMITS, new QueryCancellation()))
                .isEqualTo(1);

        await(
                "the written row on the standby",
                () -> row(db, "SELECT pg_is_in_recovery(), count(*) FROM items WHERE name = 'written'")
                        .equals(List.of("true", "1")));
        assertThat(db.replicaStats().readsOnReplica()).isGreaterThanOrEqualTo(1);
        // the schema is read on the primary
        assertThat(db.schema().tables()).isNotEmpty();
    }

    @Test
    @Order(4)
    void aLaggingStandbySendsReadsToThePrimaryUntilItCatchesUp() {
        PostgresDatabase db = database();
        await(
                "a read on the standby",
                () -> row(db, "SELECT pg_is_in_recovery()").equals(List.of("true")));
        exec(pair.standby(), "SELECT pg_wal_replay_pause()");
        try {
            exec(pair.primary(), "INSERT INTO items (name) VALUES ('while paused')");
            String sql = "SELECT pg_is_in_recovery(), count(*) FROM items WHERE name = 'while paused'";
            // the standby never sees the row while paused: a read that sees it ran on the primary
            await("a read on the primary", () -> row(db, sql).equals(List.of("false", "1")));
            ReplicaStats lagging = db.replicaStats();
            assertThat(lagging.state()).isEqualTo(ReplicaStats.State.LAGGING);
            assertThat(lagging.readsOnPrimaryLagging()).isGreaterThanOrEqualTo(1);
            assertThat(lagging.lastLagMillis()).isGreaterThan(0);

            exec(pair.standby(), "SELECT pg_wal_replay_resume()");
            await("a read on the caught-up standby", () -> row(db, sql).equals(List.of("true", "1")));
            assertThat(db.replicaStats().state()).isEqualTo(ReplicaStats.State.CURRENT);
        } finally {
            exec(pair.standby(), "SELECT pg_wal_replay_resume()");
        }
    }

    @Test
    @Order(5)
    void exportGoesToTheStandby() {
        PostgresDatabase db = database();
        await(
                "a read on the standby",
                () -> row(db, "SELECT pg_is_in_recovery()").equals(List.of("true")));
        long before = db.replicaStats().readsOnReplica();

        StringWriter out = new StringWriter();
        db.export(
                "SELECT pg_is_in_recovery() AS standby",
                ExportOptions.DEFAULTS,
                LIMITS,
                new QueryCancellation(),
                ExportTarget.of(out),
                null);

        assertThat(out.toString().strip()).endsWith("t");
        assertThat(db.replicaStats().readsOnReplica()).isEqualTo(before + 1);
    }

    @Test
    @Order(6)
    void aReadCancelledForAConflictWithRecoveryRunsAgainOnThePrimary() throws Exception {
        PostgresDatabase db = database();
        await(
                "a read on the standby",
                () -> row(db, "SELECT pg_is_in_recovery()").equals(List.of("true")));

        // holds a lock on the standby for 3 s; replaying the primary's ACCESS EXCLUSIVE lock cancels it
        CompletableFuture<List<String>> read = CompletableFuture.supplyAsync(
                () -> row(db, "SELECT pg_is_in_recovery(), count(*) FROM conflicted, LATERAL (SELECT pg_sleep(3)) s"));
        await("the read to run on the standby", () -> sleepingOnStandby() > 0);
        exec(pair.primary(), "BEGIN; LOCK TABLE conflicted IN ACCESS EXCLUSIVE MODE; COMMIT;");

        assertThat(read.get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly("false", "1");
        assertThat(db.replicaStats().readsOnPrimaryConflict()).isEqualTo(1);
    }

    private static int sleepingOnStandby() {
        try (Connection c = pair.standby().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE query LIKE '%FROM conflicted%' AND wait_event = 'PgSleep'")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(7)
    void aStoppedStandbySendsReadsToThePrimary() {
        PostgresDatabase db = database();
        await(
                "a read on the standby",
                () -> row(db, "SELECT pg_is_in_recovery()").equals(List.of("true")));

        pair.stopStandby();

        // the first read may find the cached state current and lose its connection, or find the standby gone
        assertThat(row(db, "SELECT pg_is_in_recovery()")).containsExactly("false");
        assertThat(row(db, "SELECT pg_is_in_recovery()")).containsExactly("false");
        ReplicaStats stats = db.replicaStats();
        assertThat(stats.state()).isEqualTo(ReplicaStats.State.UNREACHABLE);
        assertThat(stats.readsOnPrimaryUnreachable()).isEqualTo(2);
        assertThat(stats.lastLagMillis()).isEqualTo(-1);
    }
}
