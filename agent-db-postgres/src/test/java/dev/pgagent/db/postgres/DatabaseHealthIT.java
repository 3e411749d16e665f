package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.db.postgres.DatabaseHealth.Severity;
import dev.pgagent.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Health checks on a fresh database with each problem made on purpose. */
class DatabaseHealthIT {
    static DataSource ds;
    static DirectToolContext ctx;
    static Connection holder;
    static int holderPid;
    static final DatabaseHealth.Thresholds TIGHT = DatabaseHealth.Thresholds.builder()
            .longTransaction(Duration.ZERO)
            .idleInTransaction(Duration.ZERO)
            .minBloatBytes(1L << 20)
            .build();

    @BeforeAll
    static void setUp() throws Exception {
        ds = TestPostgres.freshDatabase("health");
        Fixtures.exec(ds, """
                CREATE TABLE items (id int PRIMARY KEY, code text, note text);
                INSERT INTO items SELECT g, 'c' || (g % 10), md5(g::text) FROM generate_series(1, 5000) g;
                CREATE INDEX items_note_a ON items (note);
                CREATE INDEX items_note_b ON items (note);
                DELETE FROM items WHERE id > 1000;
                CREATE SEQUENCE small_seq AS smallint;
                SELECT setval('small_seq', 30000);
                CREATE SEQUENCE roomy_seq;
                SELECT setval('roomy_seq', 30000);
                CREATE SEQUENCE capped_seq MAXVALUE 1000;
                SELECT setval('capped_seq', 800);
                CREATE TABLE bloated (id int PRIMARY KEY, payload text) WITH (autovacuum_enabled = false);
                INSERT INTO bloated SELECT g, md5(g::text) FROM generate_series(1, 200000) g;
                DELETE FROM bloated WHERE id % 10 <> 0;
                """);
        // ANALYZE writes live and dead row counts, pages and row estimates at once (no asynchronous flush to wait for)
        Fixtures.exec(ds, "ANALYZE items; ANALYZE bloated");
        assertThatThrownBy(() -> Fixtures.exec(ds, "CREATE UNIQUE INDEX CONCURRENTLY items_code_key ON items (code)"))
                .hasMessageContaining("could not create unique index");
        ctx = new DirectToolContext(
                PostgresDatabase.of(ds), ExecutionLimits.defaults().withMaxRows(100));
        holder = ds.getConnection();
        try (Statement st = holder.createStatement()) {
            st.execute("SET application_name = 'health-holder'");
            holderPid = pid(st);
            holder.setAutoCommit(false);
            st.execute("SELECT count(*) FROM items"); // a transaction left open, idle
        }
        awaitIdleInTransaction();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (holder != null) {
            holder.rollback();
            holder.close();
        }
    }

    private static int pid(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Waits until the statistics show the holder idle in its transaction (they are updated as the state changes). */
    private static void awaitIdleInTransaction() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT state FROM pg_stat_activity WHERE pid = " + holderPid)) {
                    if (rs.next() && "idle in transaction".equals(rs.getString(1))) {
                        return;
                    }
                }
                assertThat(System.nanoTime()).as("holder idle in transaction").isLessThan(deadline);
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void reportsEachProblemWithItsFix() {
        DatabaseHealth.Report r = DatabaseHealth.check(ctx.sql(), TIGHT);

        assertThat(r.skipped()).isEmpty();
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("duplicate_index");
            assertThat(i.subject()).isEqualTo("items");
            assertThat(i.message()).contains("items_note_a, items_note_b");
            assertThat(i.severity()).isEqualTo(Severity.WARNING);
        });
        assertThat(r.issues())
                .filteredOn(i -> i.check().equals("unused_index"))
                .allSatisfy(i -> assertThat(i.severity()).isEqualTo(Severity.INFO))
                .extracting(DatabaseHealth.Issue::subject)
                .contains("public.items_note_a", "public.items_note_b")
                .doesNotContain("public.items_pkey");
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("invalid_index");
            assertThat(i.subject()).isEqualTo("items_code_key");
            assertThat(i.fix()).startsWith("REINDEX INDEX CONCURRENTLY items_code_key");
            assertThat(i.severity()).isEqualTo(Severity.WARNING);
        });
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("dead_rows");
            assertThat(i.subject()).isEqualTo("public.items");
            assertThat(i.message()).contains("4000 dead rows against 1000 live");
        });
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("never_vacuumed");
            assertThat(i.subject()).isEqualTo("public.items");
        });
        assertThat(r.issues())
                .filteredOn(i -> i.check().equals("never_analyzed"))
                .isEmpty();
        assertThat(r.issues())
                .filteredOn(i -> i.check().equals("sequence_exhaustion"))
                .hasSize(2)
                .anySatisfy(i -> {
                    assertThat(i.subject()).isEqualTo("public.small_seq");
                    assertThat(i.message()).isEqualTo("is at 30000 of max 32767 (91.6% used).");
                    assertThat(i.severity()).isEqualTo(Severity.CRITICAL);
                })
                .anySatisfy(i -> {
                    assertThat(i.subject()).isEqualTo("public.capped_seq");
                    assertThat(i.message()).isEqualTo("is at 800 of max 1000 (80.0% used).");
                    assertThat(i.severity()).isEqualTo(Severity.WARNING);
                });
        assertThat(r.facts())
                .anySatisfy(f -> assertThat(f).startsWith("connections: "))
                .anySatisfy(f -> assertThat(f).startsWith("cache hit ratio: "));
    }

    @Test
    void estimatesBloatOfATableAndItsIndexAfterAMassDeleteWithoutVacuum() {
        DatabaseHealth.Report r = DatabaseHealth.check(ctx.sql(), TIGHT);

        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("table_bloat");
            assertThat(i.subject()).isEqualTo("public.bloated");
            assertThat(i.message()).contains("20000 rows would fit in about");
            assertThat(i.severity()).isEqualTo(Severity.WARNING);
            assertThat(i.fix()).startsWith("VACUUM FULL public.bloated or pg_repack");
        });
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("index_bloat");
            assertThat(i.subject()).isEqualTo("bloated_pkey");
            assertThat(i.message()).contains(" on bloated, about ");
            assertThat(i.fix()).isEqualTo("REINDEX INDEX CONCURRENTLY bloated_pkey.");
        });
        // the small table stays under the size floor, however much of it is dead
        assertThat(r.issues())
                .filteredOn(i -> i.check().endsWith("_bloat"))
                .extracting(DatabaseHealth.Issue::subject)
                .doesNotContain("public.items", "items_pkey");
    }

    @Test
    void bloatUnderTheDefaultSizeFloorIsNotReported() {
        DatabaseHealth.Report r = DatabaseHealth.check(ctx.sql());

        assertThat(r.issues()).filteredOn(i -> i.check().equals("index_bloat")).isEmpty();
    }

    @Test
    void reportsAnOpenTransactionAsLongAndIdle() {
        DatabaseHealth.Report r = DatabaseHealth.check(ctx.sql(), TIGHT);

        String subject = "pid " + holderPid + " (";
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("long_transaction");
            assertThat(i.subject()).startsWith(subject).endsWith(", health-holder)");
            assertThat(i.message()).contains("(now idle in transaction)");
            assertThat(i.fix()).contains("pg_cancel_backend(" + holderPid + ")");
        });
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("idle_in_transaction");
            assertThat(i.subject()).startsWith(subject);
            assertThat(i.fix())
                    .contains("idle_in_transaction_session_timeout", "pg_terminate_backend(" + holderPid + ")");
        });
        // under the default thresholds (minutes) a transaction opened moments ago is no issue
        assertThat(DatabaseHealth.check(ctx.sql()).issues())
                .noneSatisfy(i -> assertThat(i.subject()).startsWith(subject));
    }

    @Test
    void statesTransactionIdAgeAndThatThereAreNoReplicas() {
        DatabaseHealth.Report r = DatabaseHealth.check(ctx.sql());

        assertThat(r.facts())
                .anySatisfy(f -> assertThat(f)
                        .matches("transaction ID age: \\d+ in .+, \\d+\\.\\d\\d% of the way to "
                                + "wraparound \\(autovacuum_freeze_max_age \\d+\\)"))
                .contains("replication: no replicas connected (pg_stat_replication is empty)");
        assertThat(r.issues())
                .filteredOn(i -> i.check().equals("xid_wraparound"))
                .isEmpty();
    }

    @Test
    void writesTheReportAsJson() throws Exception {
        DatabaseHealth.Report r = DatabaseHealth.check(ctx.sql(), TIGHT);

        JsonNode json = new ObjectMapper().readTree(r.toJson());
        assertThat(json.get("issues")).hasSize(r.issues().size());
        assertThat(json.get("issues").get(0).get("severity").asText()).isEqualTo("critical");
        assertThat(json.at("/counts/critical").asLong())
                .isEqualTo(r.count(Severity.CRITICAL))
                .isPositive();
        assertThat(json.at("/counts/warning").asLong()
                        + json.at("/counts/info").asLong()
                        + json.at("/counts/critical").asLong())
                .isEqualTo(r.issues().size());
        assertThat(json.get("facts")).hasSize(r.facts().size());
        assertThat(json.get("skipped")).isEmpty();
        assertThat(r.worst()).contains(Severity.CRITICAL);
    }

    @Test
    void toolReturnsTheReportAsText() throws Exception {
        ToolResult r = PostgresTools.databaseHealth().execute(ToolArguments.EMPTY, ctx);

        assertThat(r.error()).isFalse();
        assertThat(r.content())
                .startsWith("Health issues (")
                .contains(
                        "- WARNING [duplicate_index] items: indexes items_note_a, items_note_b",
                        "Fix: ",
                        "* connections: ");
        assertThat(r.content().indexOf("- CRITICAL [sequence_exhaustion]"))
                .isLessThan(r.content().indexOf("- WARNING [duplicate_index]"));
    }
}
