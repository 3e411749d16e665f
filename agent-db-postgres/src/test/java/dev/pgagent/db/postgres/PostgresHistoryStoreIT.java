package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.history.AskRecord;
import dev.pgagent.api.history.HistoryQuery;
import dev.pgagent.api.history.QueryExample;
import dev.pgagent.api.history.StatementRecord;
import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL history store: its migration, records, search and the memory of (question, SQL) pairs. */
class PostgresHistoryStoreIT {
    static DataSource ds;
    static final Instant T0 = Instant.parse("2025-03-01T10:00:00.123456Z");

    @BeforeAll
    static void setUp() {
        ds = TestPostgres.freshDatabase("history_store");
    }

    private static PostgresHistoryStore store(String schema) {
        return PostgresHistoryStore.builder().dataSource(ds).schema(schema).build();
    }

    static AskRecord ask(String id, String session, String question, int minutes, String sql) {
        return AskRecord.builder()
                .id(id)
                .sessionId(session)
                .principal("alice")
                .question(question)
                .answer("There are 42.")
                .status("COMPLETED")
                .startedAt(T0.plus(minutes, ChronoUnit.MINUTES))
                .elapsed(Duration.ofMillis(1234).plusNanos(5000))
                .steps(2)
                .tokens(812, 64)
                .addStatement(new StatementRecord(
                        "shop",
                        "DELETE FROM orders",
                        Decision.DENY,
                        StatementKind.WRITE,
                        "read-only",
                        StatementOutcome.Status.REFUSED,
                        -1,
                        -1,
                        "refused: read-only",
                        null,
                        Duration.ofNanos(7000)))
                .addStatement(new StatementRecord(
                        "shop",
                        sql,
                        Decision.ALLOW,
                        StatementKind.READ,
                        "a read",
                        StatementOutcome.Status.EXECUTED,
                        42,
                        -1,
                        null,
                        null,
                        Duration.ofMillis(12)))
                .build();
    }

    @Test
    void theStoreCreatesItsTablesByAVersionedMigrationOnce() throws Exception {
        PostgresHistoryStore store = store("hist_migrate");

        assertThat(store.migrate()).containsExactly(1);
        assertThat(store.migrate()).isEmpty();
        assertThat(store("hist_migrate").migrate()).isEmpty();
        assertThat(rows("SELECT version, description, script FROM hist_migrate.pgagent_history_version"))
                .containsExactly(List.of("1", "history", "V1__history.sql"));
        assertThat(rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'hist_migrate'"
                        + " ORDER BY 1"))
                .containsExactly(
                        List.of("asks"),
                        List.of("examples"),
                        List.of("pgagent_history_version"),
                        List.of("statements"));
    }

    @Test
    void aMigrationChangedAfterItWasAppliedIsRefused() throws Exception {
        store("hist_tampered").migrate();
        exec("UPDATE hist_tampered.pgagent_history_version SET checksum = 'abc'");

        assertThatThrownBy(() -> store("hist_tampered").migrate())
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("V1__history.sql was changed");
    }

    @Test
    void concurrentFirstUsesMigrateOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Integer>>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> store("hist_race").migrate()));
            }
            List<Integer> applied = new ArrayList<>();
            for (Future<List<Integer>> f : runs) {
                applied.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(applied).containsExactly(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRecordReadsBackAsWritten() {
        PostgresHistoryStore store = store("hist_roundtrip");
        AskRecord a = ask("ask-1", "s-1", "How many orders?", 0, "SELECT count(*) FROM orders");

        store.record(a);

        assertThat(store.find("ask-1")).contains(a);
        assertThat(store.find("nope")).isEmpty();
    }

    @Test
    void recordingAnIdAgainReplacesItsRecord() {
        PostgresHistoryStore store = store("hist_replace");
        AskRecord waiting = AskRecord.builder()
                .id("ask-w")
                .sessionId("s")
                .question("Raise prices")
                .status("WAITING_FOR_CONFIRMATION")
                .startedAt(T0)
                .build();
        store.record(waiting);
        AskRecord done = ask("ask-w", "s", "Raise prices", 0, "SELECT 1");

        store.record(done);

        assertThat(store.find("ask-w")).contains(done);
        assertThat(store.search(HistoryQuery.RECENT)).hasSize(1);
    }

    @Test
    void searchFiltersByTextSessionAndPrincipalNewestFirst() {
        PostgresHistoryStore store = store("hist_search");
        store.record(ask("a1", "s1", "Revenue by region", 1, "SELECT region, sum(total) FROM orders GROUP BY 1"));
        store.record(ask("a2", "s1", "And by month?", 2, "SELECT month, sum(total) FROM orders GROUP BY 1"));
        store.record(ask("a3", "s2", "How many customers?", 3, "SELECT count(*) FROM customers"));
        store.record(ask("a4", "s3", "50% of what?", 4, "SELECT 'a_b'"));

        assertThat(ids(store.search(HistoryQuery.RECENT))).containsExactly("a4", "a3", "a2", "a1");
        assertThat(ids(store.search(HistoryQuery.builder().text("REVENUE").build())))
                .containsExactly("a1");
        assertThat(ids(store.search(HistoryQuery.builder().text("sum(total)").build())))
                .containsExactly("a2", "a1");
        assertThat(ids(store.search(HistoryQuery.builder().text("50%").build())))
                .containsExactly("a4");
        assertThat(ids(store.search(HistoryQuery.builder().text("_").build()))).containsExactly("a4");
        assertThat(ids(store.search(HistoryQuery.session("s1")))).containsExactly("a1", "a2");
        assertThat(ids(store.search(HistoryQuery.builder().principal("bob").build())))
                .isEmpty();
        assertThat(ids(store.search(HistoryQuery.builder().limit(2).build()))).containsExactly("a4", "a3");
    }

    @Test
    void similarQuestionsOfTheSameDatabaseComeBackBestFirstGoldenOnes() {
        PostgresHistoryStore store = store("hist_memory");
        store.record(ask(
                "h1",
                "s",
                "Top customers by revenue last year",
                1,
                "SELECT customer_id, sum(total) FROM orders GROUP BY 1 ORDER BY 2 DESC LIMIT 10"));
        store.record(ask("h2", "s", "How many suppliers are there?", 2, "SELECT count(*) FROM suppliers"));
        AskRecord failed = ask("h3", "s", "Top customers by revenue", 3, "SELECT 1").toBuilder()
                .status("FAILED")
                .build();
        store.record(failed);
        QueryExample golden = store.addExample(
                "shop",
                "Revenue per customer",
                "SELECT c.name, sum(o.total) FROM" + " customers c JOIN orders o USING (customer_id) GROUP BY 1");
        store.addExample("hr", "Revenue per customer", "SELECT 'other database'");

        List<QueryExample> similar = store.similar("shop", "Which customers brought the most revenue?", 5);

        assertThat(similar).extracting(QueryExample::id).containsExactlyInAnyOrder(golden.id(), "h1");
        assertThat(similar).allSatisfy(e -> assertThat(e.database()).isEqualTo("shop"));
        assertThat(similar).filteredOn(e -> e.id().equals("h1")).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo(QueryExample.Source.HISTORY);
            assertThat(e.sql()).startsWith("SELECT customer_id");
        });
        assertThat(store.similar("shop", "the of and", 5)).isEmpty();
        assertThat(store.similar("nowhere", "revenue", 5)).isEmpty();
        assertThat(store.examples("shop")).containsExactly(golden);
    }

    @Test
    void aForgottenPairIsNeverReturnedAgain() {
        PostgresHistoryStore store = store("hist_forget");
        store.record(ask("h1", "s", "Orders per region", 1, "SELECT region, count(*) FROM orders GROUP BY 1"));
        QueryExample golden = store.addExample("shop", "Orders per month", "SELECT 1");

        assertThat(store.forget(golden.id())).isTrue();
        assertThat(store.forget("h1")).isTrue();
        assertThat(store.forget("unknown")).isFalse();

        assertThat(store.similar("shop", "orders per region and month", 5)).isEmpty();
        assertThat(store.find("h1")).isPresent(); // the ask stays in the history
        assertThat(store.examples("shop")).isEmpty();
    }

    @Test
    void eightWritersAtOnceLoseNothing() throws Exception {
        PostgresHistoryStore store = store("hist_concurrent");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        store.record(ask("c-" + thread + "-" + i, "s-" + thread, "question " + i, i, "SELECT " + i));
                    }
                }));
            }
            for (Future<?> f : runs) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(rows("SELECT count(*), count(DISTINCT session_id) FROM hist_concurrent.asks"))
                .containsExactly(List.of("200", "8"));
        assertThat(rows("SELECT count(*) FROM hist_concurrent.statements")).containsExactly(List.of("400"));
    }

    @Test
    void aSchemaMustBeAPlainIdentifier() {
        assertThatThrownBy(() -> PostgresHistoryStore.builder().schema("x; DROP TABLE y"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresHistoryStore.builder().build()).isInstanceOf(IllegalStateException.class);
    }

    private static List<String> ids(List<AskRecord> asks) {
        return asks.stream().map(AskRecord::id).toList();
    }

    private static void exec(String sql) throws Exception {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static List<List<String>> rows(String sql) throws Exception {
        List<List<String>> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
        }
        return out;
    }
}
