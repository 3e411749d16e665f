package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.DatabaseException;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The advisor without hypopg, on the normal test database (embedded on CI): hypopg is switched off by option, so these
 * tests do not depend on whether the server has it.
 */
class IndexAdvisorIT {
    static DataSource ds;

    @BeforeAll
    static void setUp() {
        ds = TestPostgres.freshDatabase("advisor");
        Fixtures.exec(ds, AdvisorFixtures.SCHEMA);
    }

    private static IndexAdvisor.Builder advisor() {
        return IndexAdvisor.builder().validator(AdvisorFixtures.SELECT_ONLY).hypopg(false);
    }

    private static long indexes() throws SQLException {
        return AdvisorFixtures.count(ds, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'");
    }

    @Test
    void withoutHypopgOrOptInTheCandidatesAreListedUncosted() throws SQLException {
        long before = indexes();
        IndexAdvice advice = advisor().build().advise(ds, List.of(AdvisorFixtures.BY_CUSTOMER, AdvisorFixtures.LINES));

        assertThat(advice.method()).isEqualTo(IndexAdvice.Method.NONE);
        assertThat(advice.recommendations()).isEmpty();
        assertThat(advice.uncosted())
                .contains(
                        "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id)",
                        "CREATE INDEX CONCURRENTLY order_lines_product_idx ON public.\"Order Lines\" (\"Product\")");
        assertThat(advice.candidates()).isEqualTo(advice.uncosted().size());
        assertThat(advice.notes()).anySatisfy(n -> assertThat(n).contains("not costed", "hypopg"));
        assertThat(advice.statements()).allSatisfy(s -> {
            assertThat(s.skipped()).isNull();
            assertThat(s.costBefore()).isPositive();
        });
        String text = advice.toText(10_000);
        assertThat(text)
                .contains("not at all", "Candidates (not costed)", "orders_customer_id_idx")
                .doesNotContain("Estimated cost of the statements");
        assertThat(advice.toJson()).contains("\"method\":\"none\"", "\"uncosted\":[\"CREATE INDEX CONCURRENTLY");
        assertThat(indexes()).isEqualTo(before);
    }

    @Test
    void theOptInBuildsEachCandidateInATransactionThatIsRolledBackAndSaysWhatItLocked() throws SQLException {
        long before = indexes();
        SingleConnectionDataSource one = new SingleConnectionDataSource(ds);
        try {
            IndexAdvice advice = advisor()
                    .allowRealBuild(true)
                    .build()
                    .advise(one, List.of(AdvisorFixtures.BY_CUSTOMER, AdvisorFixtures.RECENT, AdvisorFixtures.BY_ID));

            assertThat(advice.method()).isEqualTo(IndexAdvice.Method.ROLLED_BACK_BUILD);
            assertThat(advice.recommendations()).anySatisfy(r -> {
                assertThat(r.table()).isEqualTo("public.orders");
                assertThat(r.columns()).startsWith("customer_id");
                assertThat(r.statements()).containsExactly(1);
                assertThat(r.costAfter()).isLessThan(r.costBefore() * 0.9);
                assertThat(r.sizeBytes()).isPositive();
                assertThat(r.createStatement()).startsWith("CREATE INDEX CONCURRENTLY orders_customer_id");
            });
            assertThat(advice.recommendations())
                    .noneSatisfy(r -> assertThat(r.statements()).contains(3));
            assertThat(advice.notes())
                    .anySatisfy(n -> assertThat(n)
                            .contains(
                                    "built for real",
                                    "rolled back",
                                    "SHARE lock",
                                    "writes to it waited",
                                    "nothing was kept"));
            assertThat(advice.toText(10_000)).contains("rolled back");
            // nothing stays: no index, no open transaction, no leftover what-if index name
            assertThat(one.physical.getAutoCommit()).isTrue();
            try (Statement st = one.physical.createStatement();
                    ResultSet rs =
                            st.executeQuery("SELECT count(*) FROM pg_class WHERE relname LIKE 'pgagent_whatif%'")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        } finally {
            one.physical.close();
        }
        assertThat(indexes()).isEqualTo(before);
    }

    @Test
    void aBuildThatCannotGetItsLockWithinTheLockTimeoutIsReportedAndTheAdviceGoesOn() throws SQLException {
        try (Connection writer = ds.getConnection();
                Statement st = writer.createStatement()) {
            writer.setAutoCommit(false);
            st.execute("LOCK TABLE orders IN ROW EXCLUSIVE MODE"); // what a writing transaction holds
            IndexAdvice advice = advisor()
                    .allowRealBuild(true)
                    .lockTimeout(java.time.Duration.ofMillis(200))
                    .build()
                    .advise(ds, List.of(AdvisorFixtures.BY_CUSTOMER, AdvisorFixtures.LINES));

            assertThat(advice.notes()).anySatisfy(n -> assertThat(n).contains("could not be created", "lock"));
            assertThat(advice.recommendations())
                    .extracting(IndexRecommendation::table)
                    .containsExactly("public.Order Lines");
            writer.rollback();
        }
    }

    @Test
    void theDefaultToolWithoutHypopgListsCandidates() {
        Fixtures.exec(ds, "DROP EXTENSION IF EXISTS hypopg");
        DirectToolContext ctx = new DirectToolContext(PostgresDatabase.of(ds), ExecutionLimits.defaults());
        ToolResult r = PostgresTools.suggestIndexes(
                        PostgresDatabase.of(ds), advisor().build())
                .execute(ToolArguments.of(Map.of("statements", List.of(AdvisorFixtures.BY_CUSTOMER)), "{}"), ctx);

        assertThat(r.error()).isFalse();
        assertThat(r.content()).contains("Candidates (not costed)", "orders_customer_id_idx");
    }

    @Test
    void theToolWithoutStatementsReadsPgStatStatementsAndSaysWhenItIsMissing() {
        DirectToolContext ctx = new DirectToolContext(PostgresDatabase.of(ds), ExecutionLimits.defaults());
        ToolResult r =
                PostgresTools.suggestIndexes(PostgresDatabase.of(ds)).execute(ToolArguments.of(Map.of(), "{}"), ctx);

        assertThat(r.error()).isTrue();
        assertThat(r.content()).contains("No statements to advise on", "pg_stat_statements is not installed");

        ToolResult bad = PostgresTools.suggestIndexes(PostgresDatabase.of(ds))
                .execute(ToolArguments.of(Map.of("statements", List.of("SELECT 1"), "budget_mb", 0), "{}"), ctx);
        assertThat(bad.error()).isTrue();
        assertThat(bad.content()).contains("budget_mb must be >= 1 but was 0");
    }

    @Test
    void topStatementsWithoutTheExtensionIsEmptyWithANote() {
        IndexAdvisor.Workload w = IndexAdvisor.topStatements(ds, 10);

        assertThat(w.statements()).isEmpty();
        assertThat(w.notes()).singleElement().asString().contains("pg_stat_statements is not installed");
    }

    @Test
    void anUnreachableDatabaseIsADatabaseException() {
        org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
        nowhere.setUrl("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
        assertThatThrownBy(() -> advisor().build().advise(nowhere, List.of("SELECT 1")))
                .isInstanceOf(DatabaseException.class)
                .hasMessageStartingWith("index advice failed");
    }

    @Test
    void aWorkloadFileIsSplitIntoStatements() throws SQLException {
        IndexAdvisor.Workload w = IndexAdvisor.parseWorkload(AdvisorFixtures.BY_CUSTOMER + ";\n-- a comment; not a"
                + " statement\n" + AdvisorFixtures.LINES + ";\n;\n");
        IndexAdvice advice = advisor().build().advise(ds, w);

        assertThat(advice.statements()).hasSize(2);
        assertThat(advice.statements()).allSatisfy(s -> assertThat(s.skipped()).isNull());
        try (Connection c = ds.getConnection()) {
            assertThat(c.getAutoCommit()).isTrue();
        }
    }

    @Test
    void hypopgIsLookedForInTheDatabaseAndItsAbsenceIsExplained() {
        // a fresh database has no hypopg installed, whether or not the server could install it
        IndexAdvice none = IndexAdvisor.builder()
                .validator(AdvisorFixtures.SELECT_ONLY)
                .build()
                .advise(ds, List.of(AdvisorFixtures.BY_CUSTOMER));
        assertThat(none.method()).isEqualTo(IndexAdvice.Method.NONE);
        assertThat(none.notes())
                .anySatisfy(n -> assertThat(n)
                        .contains("hypopg is not installed in this database", "did not allow building candidates"));

        IndexAdvice built = IndexAdvisor.builder()
                .validator(AdvisorFixtures.SELECT_ONLY)
                .allowRealBuild(true)
                .build()
                .advise(ds, List.of(AdvisorFixtures.BY_CUSTOMER));
        assertThat(built.method()).isEqualTo(IndexAdvice.Method.ROLLED_BACK_BUILD);
        assertThat(built.recommendations()).isNotEmpty();
    }
}
