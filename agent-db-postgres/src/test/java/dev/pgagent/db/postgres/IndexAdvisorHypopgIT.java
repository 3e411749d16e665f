package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The advisor with hypopg. On CI, {@code .ci/run} installs hypopg on the machine's PostgreSQL and names that server
 * in {@code PGAGENT_HYPOPG_JDBC_URL} (user {@code PGAGENT_HYPOPG_USER}, default postgres): then a server without
 * hypopg fails this test. Without the variable it uses the normal test server if hypopg can be created there, and
 * is otherwise skipped with a message saying how to run it.
 */
class IndexAdvisorHypopgIT {
    static DataSource ds;

    @BeforeAll
    static void setUp() throws SQLException {
        String url = System.getenv("PGAGENT_HYPOPG_JDBC_URL");
        if (url != null && !url.isBlank()) {
            ds = freshDatabase(url);
            Fixtures.exec(ds, "CREATE EXTENSION IF NOT EXISTS hypopg"); // fails the test if it cannot
        } else {
            ds = TestPostgres.freshDatabase("advisor_hypopg");
            try {
                Fixtures.exec(ds, "CREATE EXTENSION IF NOT EXISTS hypopg");
            } catch (RuntimeException e) {
                Assumptions.abort("hypopg cannot be created on the test server (" + e.getMessage() + "); install it "
                        + "(Debian: postgresql-15-hypopg) or set PGAGENT_HYPOPG_JDBC_URL to a server that has it");
            }
        }
        Fixtures.exec(ds, AdvisorFixtures.SCHEMA);
    }

    private static DataSource freshDatabase(String url) throws SQLException {
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setUrl(url);
        String user = System.getenv("PGAGENT_HYPOPG_USER");
        admin.setUser(user == null || user.isBlank() ? "postgres" : user);
        String password = System.getenv("PGAGENT_HYPOPG_PASSWORD");
        if (password != null) {
            admin.setPassword(password);
        }
        String name = "advisor_hypopg_" + ProcessHandle.current().pid();
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name);
            st.execute("CREATE DATABASE " + name);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Connection c = admin.getConnection();
                    Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException e) {
                // left for the next run, which drops it first
            }
        }));
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1"));
        ds.setUser(admin.getUser());
        if (password != null) {
            ds.setPassword(password);
        }
        return ds;
    }

    private static IndexAdvisor.Builder advisor() {
        return IndexAdvisor.builder().validator(AdvisorFixtures.SELECT_ONLY);
    }

    @Test
    void recommendsIndexesForFiltersJoinsAndSortsCostedWithHypopg() throws SQLException {
        long indexesBefore = AdvisorFixtures.count(ds, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'");
        IndexAdvice advice = advisor()
                .build()
                .advise(
                        ds,
                        List.of(
                                AdvisorFixtures.BY_CUSTOMER,
                                AdvisorFixtures.BY_EMAIL,
                                AdvisorFixtures.RECENT,
                                AdvisorFixtures.LINES,
                                AdvisorFixtures.BY_ID));

        assertThat(advice.method()).isEqualTo(IndexAdvice.Method.HYPOPG);
        assertThat(advice.statements()).allSatisfy(s -> assertThat(s.skipped()).isNull());
        assertThat(advice.recommendations())
                .extracting(r -> r.table() + " " + r.columns())
                .contains("public.orders [customer_id]", "public.customers [email]", "public.Order Lines [Product]");
        assertThat(advice.recommendations()).anySatisfy(r -> {
            assertThat(r.table()).isEqualTo("public.orders");
            assertThat(r.columns()).startsWith("ordered_at");
            assertThat(r.statements()).contains(3);
        });
        assertThat(advice.recommendations()).allSatisfy(r -> {
            assertThat(r.costAfter()).isLessThanOrEqualTo(r.costBefore() * 0.9);
            assertThat(r.sizeBytes()).isPositive();
            assertThat(r.createStatement())
                    .startsWith("CREATE INDEX CONCURRENTLY " + r.indexName() + " ON ")
                    .doesNotContain(";");
            assertThat(r.description()).contains(r.indexName());
            assertThat(r.statements()).doesNotContain(5);
        });
        assertThat(advice.recommendations())
                .anySatisfy(r -> assertThat(r.createStatement())
                        .isEqualTo("CREATE INDEX CONCURRENTLY order_lines_product_idx ON public.\"Order Lines\" "
                                + "(\"Product\")" + (r.include().isEmpty() ? "" : " INCLUDE (qty)")));
        // the primary key lookup is already served: its cost does not move
        IndexAdvice.AdvisedStatement byId = advice.statements().get(4);
        assertThat(byId.costAfter()).isEqualTo(byId.costBefore());
        assertThat(advice.totalCostAfter()).isLessThan(advice.totalCostBefore() / 2);
        assertThat(advice.toText(20_000)).contains("hypopg", "CREATE INDEX CONCURRENTLY", "#5 cost");
        // nothing was built
        assertThat(AdvisorFixtures.count(ds, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"))
                .isEqualTo(indexesBefore);
    }

    @Test
    void theConnectionIsGivenBackWithoutHypotheticalIndexesOrTransaction() throws SQLException {
        SingleConnectionDataSource one = new SingleConnectionDataSource(ds);
        try {
            IndexAdvice advice = advisor().build().advise(one, List.of(AdvisorFixtures.BY_CUSTOMER));
            assertThat(advice.recommendations()).isNotEmpty();
            assertThat(one.physical.getAutoCommit()).isTrue();
            try (Statement st = one.physical.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*) FROM hypopg_list_indexes")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
            try (Statement st = one.physical.createStatement();
                    ResultSet rs = st.executeQuery("SHOW transaction_read_only")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("off");
            }
        } finally {
            one.physical.close();
        }
    }

    @Test
    void anExistingIndexServesItsCandidatesAndCheapStatementsGetNothing() {
        Fixtures.exec(
                ds,
                "CREATE TABLE served (id int PRIMARY KEY, k int, v text);"
                        + " INSERT INTO served SELECT g, g % 1000, 'v' FROM generate_series(1, 20000) g;"
                        + " CREATE INDEX served_k ON served (k); ANALYZE served");
        IndexAdvice advice = advisor()
                .build()
                .advise(ds, List.of("SELECT v FROM served WHERE k = 5", "SELECT v FROM served WHERE id = 5"));

        assertThat(advice.recommendations())
                .allSatisfy(r -> assertThat(r.columns()).isNotEqualTo(List.of("k")));
        assertThat(advice.recommendations())
                .allSatisfy(r -> assertThat(r.statements()).containsOnly(1));
    }

    @Test
    void theSizeBudgetAndTheMinimumGainLimitWhatIsPicked() {
        List<String> sql = List.of(AdvisorFixtures.BY_CUSTOMER, AdvisorFixtures.RECENT, AdvisorFixtures.LINES);
        IndexAdvice all = advisor().build().advise(ds, sql);
        assertThat(all.recommendations()).hasSizeGreaterThanOrEqualTo(2);
        long smallest = all.recommendations().stream()
                .mapToLong(IndexRecommendation::sizeBytes)
                .min()
                .orElseThrow();

        IndexAdvice budgeted = advisor().budgetBytes(smallest).build().advise(ds, sql);
        assertThat(budgeted.totalSizeBytes()).isLessThanOrEqualTo(smallest);
        assertThat(budgeted.recommendations()).hasSize(1);
        assertThat(budgeted.toText(10_000)).contains("budget");

        IndexAdvice none = advisor().budgetBytes(1024).build().advise(ds, sql);
        assertThat(none.recommendations()).isEmpty();
        assertThat(none.totalCostAfter()).isEqualTo(none.totalCostBefore());

        IndexAdvice demanding = advisor().minGain(0.999999).build().advise(ds, sql);
        assertThat(demanding.recommendations()).isEmpty();
        assertThat(demanding.toText(10_000)).contains("No index gains at least");
    }

    @Test
    void refusedStatementsAreSkippedAndParameterisedOnesAreExplainedWithAGenericPlan() {
        IndexAdvice advice = advisor()
                .build()
                .advise(
                        ds,
                        List.of(
                                "DELETE FROM orders WHERE customer_id = 1",
                                "SELECT id FROM orders WHERE customer_id = $1 AND status = $2",
                                "SELECT nope FROM orders"));

        assertThat(advice.statements().get(0).skipped()).startsWith("refused by the safety policy");
        assertThat(advice.statements().get(1).skipped()).isNull();
        assertThat(advice.statements().get(2).skipped())
                .startsWith("cannot be planned")
                .contains("nope");
        assertThat(advice.recommendations()).anySatisfy(r -> {
            assertThat(r.columns()).contains("customer_id");
            assertThat(r.statements()).containsExactly(2);
        });
        assertThat(advice.toJson()).contains("\"skipped\":\"refused by the safety policy");
    }

    @Test
    void aWorkloadWeighsStatementsByTheirCalls() {
        IndexAdvisor.Workload w = new IndexAdvisor.Workload(
                List.of(
                        new IndexAdvisor.WorkloadStatement(AdvisorFixtures.BY_CUSTOMER, 1000),
                        new IndexAdvisor.WorkloadStatement(AdvisorFixtures.LINES, 1)),
                List.of("from a test"));
        IndexAdvice advice = advisor().build().advise(ds, w);

        assertThat(advice.recommendations().get(0).table()).isEqualTo("public.orders");
        assertThat(advice.notes()).contains("from a test");
        assertThat(advice.totalCostBefore())
                .isGreaterThan(1000 * advice.statements().get(1).costBefore() / 1000);
    }

    @Test
    void theToolAdvisesThroughTheCallsGateway() {
        DirectToolContext ctx = new DirectToolContext(PostgresDatabase.of(ds), ExecutionLimits.defaults());
        ToolResult r = PostgresTools.suggestIndexes(PostgresDatabase.of(ds))
                .execute(
                        ToolArguments.of(
                                Map.of("statements", List.of(AdvisorFixtures.BY_CUSTOMER), "budget_mb", 100), "{}"),
                        ctx);

        assertThat(r.error()).isFalse();
        assertThat(r.content()).contains("hypopg", "CREATE INDEX CONCURRENTLY orders_customer_id");
    }

    @Test
    void theAdviceAndTheRefusedStatementsAreAudited() {
        dev.pgagent.testkit.RecordingAuditSink sink = new dev.pgagent.testkit.RecordingAuditSink();
        IndexAdvice advice = advisor()
                .auditSink(sink)
                .caller("dba-job")
                .build()
                .advise(ds, List.of(AdvisorFixtures.BY_CUSTOMER, "DELETE FROM orders"));

        assertThat(sink.events()).extracting(e -> e.type().name()).containsExactly("QUERY_REFUSED", "TOOL_CALL");
        assertThat(sink.events().get(0).sql()).isEqualTo("DELETE FROM orders");
        assertThat(sink.events().get(0).sessionId()).isEqualTo("dba-job");
        assertThat(sink.events().get(1).attributes())
                .containsEntry("tool", "index_advisor")
                .containsEntry("method", "hypopg")
                .containsEntry("statements", "2")
                .containsEntry(
                        "recommendations",
                        Integer.toString(advice.recommendations().size()));
        assertThat(sink.events().get(1).attributes().get("indexes"))
                .contains("CREATE INDEX CONCURRENTLY orders_customer_id");

        IndexAdvice unaudited = advisor()
                .auditSink(e -> {
                    throw new IllegalStateException("sink down");
                })
                .build()
                .advise(ds, List.of(AdvisorFixtures.BY_CUSTOMER));
        assertThat(unaudited.recommendations()).isNotEmpty();
    }

    @Test
    void theWorkloadComesFromPgStatStatementsWhereItIsLoaded() throws SQLException {
        Fixtures.exec(ds, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        boolean loaded;
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_setting('shared_preload_libraries')")) {
            rs.next();
            loaded = rs.getString(1).contains("pg_stat_statements");
        }
        if (!loaded) {
            // installed but not loaded: the view cannot be read, and the workload says why
            IndexAdvisor.Workload w = IndexAdvisor.topStatements(ds, 10);
            assertThat(w.statements()).isEmpty();
            assertThat(w.notes()).singleElement().asString().contains("cannot be read", "shared_preload_libraries");
            return;
        }
        for (int i = 0; i < 3; i++) {
            Fixtures.exec(ds, "SELECT id, total FROM orders WHERE customer_id = " + (40 + i));
        }
        IndexAdvisor.Workload w = IndexAdvisor.topStatements(ds, 50);
        assertThat(w.statements()).anySatisfy(s -> assertThat(s.sql()).contains("customer_id = $1"));
        IndexAdvice advice = advisor().build().advise(ds, w);
        assertThat(advice.notes()).anySatisfy(n -> assertThat(n).contains("generic plan"));
        assertThat(advice.recommendations())
                .anySatisfy(r -> assertThat(r.columns()).startsWith("customer_id"));
    }

    @Test
    void theToolSkipsAStatementTheGuardRefusesWhenItExplainsIt() {
        DirectToolContext direct = new DirectToolContext(PostgresDatabase.of(ds), ExecutionLimits.defaults());
        dev.pgagent.api.sql.SqlGateway inner = direct.sql();
        // a guard whose plan check refuses what reads customers (as a denied table behind a view would be)
        dev.pgagent.api.sql.SqlGateway guard = new dev.pgagent.api.sql.SqlGateway() {
            @Override
            public dev.pgagent.api.sql.StatementOutcome execute(String sql) {
                return inner.execute(sql);
            }

            @Override
            public dev.pgagent.api.sql.StatementOutcome explain(String sql) {
                return sql.contains("customers")
                        ? dev.pgagent.api.sql.StatementOutcome.refused(
                                sql,
                                dev.pgagent.api.safety.Verdict.deny(
                                        dev.pgagent.api.safety.StatementKind.READ,
                                        "the plan reads denied table customers",
                                        java.util.Set.of("customers")))
                        : inner.explain(sql);
            }

            @Override
            public dev.pgagent.api.safety.Verdict check(String sql) {
                return inner.check(sql);
            }
        };
        dev.pgagent.api.tool.ToolContext ctx = new dev.pgagent.api.tool.ToolContext() {
            @Override
            public dev.pgagent.api.sql.SqlGateway sql() {
                return guard;
            }

            @Override
            public String sessionId() {
                return "s";
            }

            @Override
            public String askId() {
                return "a";
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        };
        ToolResult r = PostgresTools.suggestIndexes(PostgresDatabase.of(ds))
                .execute(
                        ToolArguments.of(
                                Map.of(
                                        "statements",
                                        List.of(AdvisorFixtures.BY_CUSTOMER, AdvisorFixtures.BY_EMAIL + ";")),
                                "{}"),
                        ctx);

        assertThat(r.error()).isFalse();
        assertThat(r.content())
                .contains("#2 skipped: refused by the safety policy: the plan reads denied table " + "customers")
                .doesNotContain("customers_email_idx");
    }
}
