package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.schema.ColumnRef;
import dev.pgagent.api.schema.SchemaSource;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.testsupport.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PgValueSamplerIT {
    private static DataSource ds;
    private static PostgresDatabase db;

    @BeforeAll
    static void createTables() throws SQLException {
        ds = TestPostgres.freshDatabase("ctx_sampler");
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA shop");
            st.execute("CREATE TABLE shop.orders (id bigint PRIMARY KEY, status text, note text, code text)");
            // 600 shipped, 300 pending, 100 cancelled: most common first in pg_stats; code is unique.
            st.execute("INSERT INTO shop.orders SELECT g, CASE WHEN g % 10 < 6 THEN 'shipped' WHEN g % 10 < 9"
                    + " THEN 'pending' ELSE 'cancelled' END, 'n' || g, 'c' || g FROM generate_series(1, 1000) g");
            st.execute("ANALYZE shop.orders");
            // Five distinct values, one row each: no most common values, the histogram holds them all.
            st.execute("CREATE TABLE shop.regions (id int PRIMARY KEY, name text)");
            st.execute("INSERT INTO shop.regions VALUES (1, 'north'), (2, 'south'), (3, 'east'), (4, 'west'),"
                    + " (5, 'centre')");
            st.execute("ANALYZE shop.regions");
            // No statistics here: autovacuum is off and nobody runs ANALYZE, so the sampler must query the table.
            st.execute("CREATE TABLE shop.\"Odd \"\"Name\"\"\" (id int, \"Kind Of\" varchar(20))"
                    + " WITH (autovacuum_enabled = false)");
            st.execute("INSERT INTO shop.\"Odd \"\"Name\"\"\" VALUES (1, 'beta'), (2, 'alpha'), (3, 'beta'),"
                    + " (4, NULL), (5, 'it''s')");
            // Aggregated lists of names, like Pagila's actor_info: one 551-character value is not a value.
            st.execute("CREATE TABLE shop.films (id int, category text, actors text)"
                    + " WITH (autovacuum_enabled = false)");
            st.execute("INSERT INTO shop.films SELECT g, CASE WHEN g % 2 = 0 THEN 'Drama' ELSE 'Comedy' END,"
                    + " CASE WHEN g = 7 THEN repeat('ADAM GRANT, JUDE CRUISE, ', 22) || 'X' ELSE 'short ' || g"
                    + " % 3 END FROM generate_series(1, 50) g");
            // Every value a long list: the statistics show long most common values.
            st.execute("CREATE TABLE shop.films_analyzed AS SELECT id, category, repeat('ADAM GRANT, JUDE CRUISE, ',"
                    + " 22) || (id % 3) AS actors FROM shop.films");
            st.execute("ANALYZE shop.films_analyzed");
            st.execute("CREATE VIEW shop.order_summary AS SELECT status, count(*) AS n FROM shop.orders"
                    + " GROUP BY status");
            st.execute("CREATE MATERIALIZED VIEW shop.status_empty AS SELECT DISTINCT status FROM shop.orders"
                    + " WITH NO DATA");
            st.execute("CREATE MATERIALIZED VIEW shop.status_full AS SELECT DISTINCT status FROM shop.orders");
        }
        db = PostgresDatabase.of(ds);
    }

    /** A gateway that records the statements it is given and the outcome of each, running them with another. */
    static final class RecordingGateway implements SqlGateway {
        final SqlGateway delegate;
        final List<String> statements = Collections.synchronizedList(new ArrayList<>());
        final List<StatementOutcome> outcomes = Collections.synchronizedList(new ArrayList<>());

        RecordingGateway(SqlGateway delegate) {
            this.delegate = delegate;
        }

        @Override
        public StatementOutcome execute(String sql) {
            statements.add(sql);
            StatementOutcome o = delegate.execute(sql);
            outcomes.add(o);
            return o;
        }

        @Override
        public StatementOutcome explain(String sql) {
            return delegate.explain(sql);
        }

        @Override
        public Verdict check(String sql) {
            return delegate.check(sql);
        }

        List<String> reading(String relation) {
            return statements.stream()
                    .filter(s -> s.contains("FROM " + relation))
                    .toList();
        }
    }

    /** A gateway that refuses what {@code refuse} matches, as a safety layer would, and runs the rest. */
    private static SqlGateway refusing(Predicate<String> refuse) {
        SqlGateway real = realGateway();
        return new SqlGateway() {
            @Override
            public StatementOutcome execute(String sql) {
                if (refuse.test(sql)) {
                    return StatementOutcome.refused(sql, Verdict.deny(StatementKind.READ, "not allowed here"));
                }
                return real.execute(sql);
            }

            @Override
            public StatementOutcome explain(String sql) {
                return real.explain(sql);
            }

            @Override
            public Verdict check(String sql) {
                return refuse.test(sql) ? Verdict.deny(StatementKind.READ, "not allowed here") : real.check(sql);
            }
        };
    }

    private static SqlGateway realGateway() {
        return new DirectToolContext(db, ExecutionLimits.defaults()).sql();
    }

    private static RecordingGateway recording() {
        return new RecordingGateway(realGateway());
    }

    /** Runs {@code action} and returns it with what was written to standard error meanwhile (slf4j-simple). */
    private static <T> Captured<T> capturingStderr(Supplier<T> action) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            T value = action.get();
            return new Captured<>(value, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    record Captured<T>(T value, String stderr) {}

    @Test
    void readsMostCommonValuesFromPgStatsThroughTheGivenGateway() {
        RecordingGateway gateway = recording();
        ColumnRef status = new ColumnRef("shop", "orders", "status");
        Map<ColumnRef, List<String>> values = PgValueSampler.of(gateway).sample(List.of(status));
        assertThat(values.get(status)).containsExactly("shipped", "pending", "cancelled");
        assertThat(gateway.statements).singleElement().asString().contains("FROM pg_catalog.pg_stats");
        assertThat(gateway.outcomes).allMatch(StatementOutcome::isExecuted);
    }

    @Test
    void takesAllValuesOfASmallColumnFromItsHistogramAndLeavesMostlyDistinctColumnsAlone() {
        RecordingGateway gateway = recording();
        ColumnRef region = new ColumnRef("shop", "regions", "name");
        ColumnRef code = new ColumnRef("shop", "orders", "code");
        Map<ColumnRef, List<String>> values = PgValueSampler.of(gateway).sample(List.of(region, code));
        assertThat(values.get(region)).containsExactly("centre", "east", "north", "south", "west");
        assertThat(values).doesNotContainKey(code);
        assertThat(gateway.reading("\"shop\".\"orders\"")).isEmpty();
        assertThat(gateway.statements).hasSize(1);
    }

    @Test
    void fallsBackToABoundedDistinctQueryWithQuotedIdentifiersAndCachesTheResult() throws SQLException {
        RecordingGateway gateway = recording();
        PgValueSampler sampler =
                PgValueSampler.builder().gateway(gateway).maxValues(10).build();
        ColumnRef kind = new ColumnRef("shop", "Odd \"Name\"", "Kind Of");
        assertThat(sampler.sample(List.of(kind)).get(kind)).containsExactly("alpha", "beta", "it's");
        assertThat(gateway.reading("\"shop\".\"Odd \"\"Name\"\"\""))
                .singleElement()
                .asString()
                .contains("LIMIT 10000")
                .contains("LIMIT 10");
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("UPDATE shop.\"Odd \"\"Name\"\"\" SET \"Kind Of\" = 'gamma'");
        }
        int before = gateway.statements.size();
        assertThat(sampler.sample(List.of(kind)).get(kind)).containsExactly("alpha", "beta", "it's");
        assertThat(gateway.statements).hasSize(before);
        assertThat(PgValueSampler.of(db).sample(List.of(kind)).get(kind)).containsExactly("gamma");
    }

    @Test
    void neverScansAView() {
        RecordingGateway gateway = recording();
        ColumnRef viewColumn = new ColumnRef("shop", "order_summary", "status");
        Captured<Map<ColumnRef, List<String>>> run =
                capturingStderr(() -> PgValueSampler.of(gateway).sample(List.of(viewColumn)));
        assertThat(run.value()).isEmpty();
        assertThat(gateway.reading("\"shop\".\"order_summary\"")).isEmpty();
        assertThat(gateway.outcomes).allMatch(StatementOutcome::isExecuted);
        assertThat(run.stderr()).doesNotContain("WARN");
    }

    @Test
    void skipsAnUnpopulatedMaterializedViewWithoutAWarningAndSamplesAPopulatedOne() {
        RecordingGateway gateway = recording();
        ColumnRef empty = new ColumnRef("shop", "status_empty", "status");
        ColumnRef full = new ColumnRef("shop", "status_full", "status");
        Captured<Map<ColumnRef, List<String>>> run =
                capturingStderr(() -> PgValueSampler.of(gateway).sample(List.of(empty, full)));
        assertThat(run.value()).doesNotContainKey(empty);
        assertThat(run.value().get(full)).containsExactly("cancelled", "pending", "shipped");
        assertThat(gateway.reading("\"shop\".\"status_empty\"")).isEmpty();
        assertThat(gateway.reading("\"shop\".\"status_full\"")).hasSize(1);
        assertThat(gateway.outcomes).allMatch(StatementOutcome::isExecuted);
        assertThat(run.stderr()).doesNotContain("WARN");
    }

    @Test
    void skipsColumnsWithValuesLongerThanTheLimitFromStatisticsAndFromTheTable() {
        RecordingGateway gateway = recording();
        PgValueSampler sampler = PgValueSampler.of(gateway);
        ColumnRef scanned = new ColumnRef("shop", "films", "actors");
        ColumnRef fromStats = new ColumnRef("shop", "films_analyzed", "actors");
        ColumnRef category = new ColumnRef("shop", "films", "category");
        Map<ColumnRef, List<String>> values = sampler.sample(List.of(scanned, fromStats, category));
        assertThat(values).doesNotContainKeys(scanned, fromStats);
        assertThat(values.get(category)).containsExactly("Comedy", "Drama");
        // The long value is 551 characters; with a limit above that the column is a column like any other.
        Map<ColumnRef, List<String>> generous = PgValueSampler.builder()
                .gateway(realGateway())
                .maxValueLength(600)
                .build()
                .sample(List.of(scanned));
        assertThat(generous.get(scanned)).hasSize(4).anyMatch(v -> v.length() == 551);
    }

    @Test
    void logsRefusedStatementsAtDebugAndDoesNotAskAgain() {
        List<String> asked = new ArrayList<>();
        SqlGateway refuseAll = refusing(sql -> asked.add(sql));
        PgValueSampler sampler = PgValueSampler.of(refuseAll);
        ColumnRef status = new ColumnRef("shop", "orders", "status");
        Captured<Map<ColumnRef, List<String>>> run = capturingStderr(() -> sampler.sample(List.of(status)));
        assertThat(run.value()).isEmpty();
        assertThat(run.stderr()).doesNotContain("WARN");
        int statements = asked.size();
        assertThat(statements).isPositive();
        assertThat(sampler.sample(List.of(status))).isEmpty();
        assertThat(asked).hasSize(statements);
    }

    @Test
    void knowsViewsFromTheSchemaSourceWhenTheCatalogsAreRefused() {
        // A policy limiting schemas refuses pg_catalog: no statistics, no relation kinds from pg_class.
        RecordingGateway gateway = new RecordingGateway(refusing(sql -> sql.contains("pg_catalog")));
        PgValueSampler sampler = PgValueSampler.builder()
                .gateway(gateway)
                .schema(SchemaSource.of(db.schema()))
                .build();
        ColumnRef viewColumn = new ColumnRef("shop", "order_summary", "status");
        ColumnRef status = new ColumnRef("shop", "orders", "status");
        Map<ColumnRef, List<String>> values = sampler.sample(List.of(viewColumn, status));
        assertThat(values).containsOnlyKeys(status);
        assertThat(values.get(status)).containsExactly("cancelled", "pending", "shipped");
        assertThat(gateway.reading("\"shop\".\"order_summary\"")).isEmpty();
        assertThat(gateway.statements.stream().filter(s -> s.contains("pg_class")))
                .isEmpty();
    }

    @Test
    void asksNoMoreForCatalogsTheGatewayRefusedOnce() {
        RecordingGateway gateway = new RecordingGateway(refusing(sql -> sql.contains("pg_catalog")));
        PgValueSampler sampler = PgValueSampler.of(gateway);
        ColumnRef status = new ColumnRef("shop", "orders", "status");
        ColumnRef region = new ColumnRef("shop", "regions", "name");
        assertThat(sampler.sample(List.of(status)).get(status)).containsExactly("cancelled", "pending", "shipped");
        long refused = gateway.outcomes.stream()
                .filter(o -> o.status() == StatementOutcome.Status.REFUSED)
                .count();
        assertThat(refused).isEqualTo(2); // pg_stats and pg_class, once each
        assertThat(sampler.sample(List.of(region)).get(region))
                .containsExactly("centre", "east", "north", "south", "west");
        assertThat(gateway.outcomes.stream()
                        .filter(o -> o.status() == StatementOutcome.Status.REFUSED)
                        .count())
                .isEqualTo(refused);
        assertThat(gateway.reading("\"shop\".\"regions\"")).hasSize(1);
    }

    @Test
    void leavesOutColumnsThatCannotBeSampled() {
        ColumnRef missing = new ColumnRef("shop", "no_such_table", "x");
        ColumnRef status = new ColumnRef("shop", "orders", "status");
        RecordingGateway gateway = recording();
        Map<ColumnRef, List<String>> values = PgValueSampler.of(gateway).sample(List.of(missing, status));
        assertThat(values).doesNotContainKey(missing).containsKey(status);
        assertThat(gateway.reading("\"shop\".\"no_such_table\"")).isEmpty();
    }

    @Test
    void requiresExactlyOneOfAGatewayAndADatabase() {
        assertThatThrownBy(() -> PgValueSampler.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("gateway must be set but was null");
        assertThatThrownBy(() -> PgValueSampler.builder()
                        .gateway(realGateway())
                        .database(db)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("gateway and database must not both be set");
        assertThatThrownBy(() -> PgValueSampler.builder().maxValueLength(0))
                .hasMessage("maxValueLength must be 1 to 1000 but was 0");
        assertThat(Set.of(PgValueSampler.of(db).toString())).isNotEmpty();
    }
}
