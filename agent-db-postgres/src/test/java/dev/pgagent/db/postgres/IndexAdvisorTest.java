package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The advisor's parts that need no database: plan reading, candidates, DDL quoting, workload files, output. */
class IndexAdvisorTest {
    private static final String JOIN_PLAN = """
            [{"Plan": {"Node Type": "Limit", "Total Cost": 900.5, "Plans": [
              {"Node Type": "Sort", "Sort Key": ["o.ordered_at DESC"], "Plans": [
                {"Node Type": "Hash Join", "Hash Cond": "(o.customer_id = c.id)", "Plans": [
                  {"Node Type": "Seq Scan", "Relation Name": "orders", "Schema": "public", "Alias": "o",
                   "Output": ["o.id", "o.total", "o.ordered_at", "o.customer_id"],
                   "Filter": "((o.status = 'open'::text) AND (o.ordered_at >= '2024-01-01'::date) AND ((o.note)::text = ANY ('{a,b}'::text[])) AND ((o.total > 5) OR (o.total < 1)))"},
                  {"Node Type": "Hash", "Plans": [
                    {"Node Type": "Seq Scan", "Relation Name": "Customers", "Schema": "sales", "Alias": "c",
                     "Output": ["c.id"], "Filter": "(c.\\"E-mail\\" = 'o''brien@example.com'::text)"}]}]}]}]}}]
            """;

    @Test
    void readsFiltersJoinsSortsAndOutputsPerTable() {
        PlanUsage u = PlanUsage.of(JOIN_PLAN);

        assertThat(u.totalCost()).isEqualTo(900.5);
        assertThat(PlanUsage.cost(JOIN_PLAN)).isEqualTo(900.5);
        PlanUsage.TableUse orders = u.tables().get(0);
        assertThat(orders.qualifiedName()).isEqualTo("public.orders");
        assertThat(orders.columns(PlanUsage.Op.EQ)).containsExactly("status", "note");
        assertThat(orders.columns(PlanUsage.Op.RANGE)).containsExactly("ordered_at");
        assertThat(orders.predicates.get(0).literal()).isEqualTo("'open'::text");
        assertThat(orders.joinColumns).containsExactly("customer_id");
        assertThat(orders.sortColumns).containsExactly("ordered_at");
        assertThat(orders.outputColumns).containsExactly("id", "total", "ordered_at", "customer_id");
        PlanUsage.TableUse customers = u.tables().get(1);
        assertThat(customers.qualifiedName()).isEqualTo("sales.Customers");
        assertThat(customers.columns(PlanUsage.Op.EQ)).containsExactly("E-mail");
        assertThat(customers.predicates.get(0).literal()).isEqualTo("'o''brien@example.com'::text");
        assertThat(customers.joinColumns).containsExactly("id");
        assertThat(customers.toString()).contains("sales.Customers");
    }

    @Test
    void groupKeysAndSortsOverSeveralTablesAndBareColumns() {
        String plan = """
                [{"Plan": {"Node Type": "Aggregate", "Total Cost": 10, "Group Key": ["t.k"], "Plans": [
                  {"Node Type": "Sort", "Sort Key": ["t.k", "u.v"], "Plans": [
                    {"Node Type": "Nested Loop", "Join Filter": "(t.k < u.v)", "Plans": [
                      {"Node Type": "Seq Scan", "Relation Name": "t", "Output": ["k", "(k + 1)"],
                       "Filter": "(k = $1)"},
                      {"Node Type": "Seq Scan", "Relation Name": "u", "Alias": "u", "Filter": "(u.v IS NULL)"}]}]}]}}]
                """;
        PlanUsage u = PlanUsage.of(plan);

        PlanUsage.TableUse t = u.tables().get(0);
        assertThat(t.qualifiedName()).isEqualTo("public.t");
        assertThat(t.groupColumns).containsExactly("k");
        assertThat(t.sortColumns).isEmpty();
        assertThat(t.columns(PlanUsage.Op.EQ)).containsExactly("k");
        assertThat(t.predicates.get(0).literal()).isNull();
        assertThat(t.outputColumns).containsExactly("k");
        assertThat(u.tables().get(1).joinColumns).isEmpty();
        assertThat(u.tables().get(1).predicates).isEmpty();
    }

    @Test
    void rejectsWhatIsNotAPlan() {
        assertThatThrownBy(() -> PlanUsage.of("not json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> PlanUsage.of("[{}]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no Plan");
    }

    @Test
    void literalsAreRebuiltNotCopied() {
        assertThat(PlanUsage.literal("'x'::text")).isEqualTo("'x'::text");
        assertThat(PlanUsage.literal("42")).isEqualTo("42");
        assertThat(PlanUsage.literal("'-1.5'")).isEqualTo("'-1.5'");
        assertThat(PlanUsage.literal("'a''b'::character varying")).isEqualTo("'a''b'::character varying");
        assertThat(PlanUsage.literal("$1")).isNull();
        assertThat(PlanUsage.literal("now()")).isNull();
        assertThat(PlanUsage.literal("'x'::text; DROP TABLE t")).isNull();
        assertThat(PlanUsage.conjuncts("((a = 1) AND (b = 'x AND y'))")).containsExactly("a = 1", "b = 'x AND y'");
        assertThat(PlanUsage.stripParens("(a) AND (b)")).isEqualTo("(a) AND (b)");
        assertThat(PlanUsage.unquote("\"A\"\"b\"")).isEqualTo("A\"b");
    }

    @Test
    void candidatesComeInEveryShapeAndExistingIndexesServeTheirs() {
        PlanUsage.TableUse orders = PlanUsage.of(JOIN_PLAN).tables().get(0);
        IndexAdvisor.TableStats stats = new IndexAdvisor.TableStats(
                100_000,
                List.of("id", "customer_id", "status", "ordered_at", "total", "note"),
                Map.of("status", 3.0, "note", 2.0, "customer_id", 5000.0, "ordered_at", 1500.0),
                List.of());

        List<IndexCandidate> all = IndexAdvisor.candidates(orders, stats);
        assertThat(all)
                .extracting(IndexCandidate::kind)
                .contains(
                        IndexRecommendation.Kind.SINGLE_COLUMN,
                        IndexRecommendation.Kind.MULTI_COLUMN,
                        IndexRecommendation.Kind.COVERING,
                        IndexRecommendation.Kind.PARTIAL);
        assertThat(all)
                .extracting(IndexCandidate::toString)
                .contains(
                        "public.orders (status)",
                        "public.orders (customer_id)",
                        "public.orders (status, note, ordered_at)",
                        "public.orders (note, ordered_at) where status = 'open'::text");
        assertThat(all).anySatisfy(c -> {
            assertThat(c.kind()).isEqualTo(IndexRecommendation.Kind.COVERING);
            assertThat(c.include()).isNotEmpty().doesNotContainAnyElementsOf(c.keys());
        });

        // another statement asking for another status: 'open' no longer dominates, so no partial index for it
        PlanUsage.TableUse paid = PlanUsage.of(JOIN_PLAN.replace("'open'::text", "'paid'::text"))
                .tables()
                .get(0);
        PlanUsage.TableUse shipped = PlanUsage.of(JOIN_PLAN.replace("'open'::text", "'shipped'::text"))
                .tables()
                .get(0);
        java.util.Set<String> dominant = IndexAdvisor.dominant(List.of(orders, paid, shipped));
        assertThat(dominant).noneMatch(d -> d.startsWith("status"));
        assertThat(IndexAdvisor.candidates(orders, stats, dominant))
                .extracting(IndexCandidate::kind)
                .doesNotContain(IndexRecommendation.Kind.PARTIAL);
        assertThat(IndexAdvisor.dominant(List.of(orders, orders, paid))).anyMatch(d -> d.startsWith("status"));

        IndexAdvisor.TableStats indexed = new IndexAdvisor.TableStats(
                100_000,
                stats.columns(),
                stats.distinct(),
                List.of(new IndexAdvisor.Existing(
                        List.of("status", "note", "ordered_at"), List.of("status", "note", "ordered_at"), false)));
        List<IndexCandidate> left = IndexAdvisor.candidates(orders, indexed);
        assertThat(left)
                .extracting(IndexCandidate::toString)
                .doesNotContain("public.orders (status)", "public.orders (status, note, ordered_at)")
                .contains("public.orders (customer_id)");
    }

    @Test
    void ddlQuotesIdentifiersAndNamesIndexesLikePostgres() {
        IndexCandidate c = new IndexCandidate(
                "Sales Data",
                "order",
                List.of("Customer Id", "day"),
                List.of("total"),
                "state",
                "'open'::text",
                IndexRecommendation.Kind.PARTIAL);

        assertThat(c.createStatement())
                .isEqualTo("CREATE INDEX ON \"Sales Data\".\"order\" (\"Customer Id\", day)"
                        + " INCLUDE (total) WHERE state = 'open'::text");
        assertThat(c.indexName()).isEqualTo("order_customer_id_day_part_idx");
        assertThat(c.createStatement(c.indexName(), true))
                .startsWith(
                        "CREATE INDEX CONCURRENTLY " + "order_customer_id_day_part_idx ON \"Sales Data\".\"order\"");
        assertThat(IndexCandidate.quoteIdent("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(IndexCandidate.quoteIdent("user")).isEqualTo("\"user\"");
        assertThat(IndexCandidate.quoteLiteral("it's")).isEqualTo("'it''s'");
        assertThatThrownBy(() -> IndexCandidate.quoteLiteral("a\0b")).isInstanceOf(IllegalArgumentException.class);
        String longName = new IndexCandidate(
                        "s",
                        "t".repeat(70),
                        List.of("k"),
                        List.of(),
                        null,
                        null,
                        IndexRecommendation.Kind.SINGLE_COLUMN)
                .indexName();
        assertThat(longName).hasSize(63).endsWith("_idx");
        assertThatThrownBy(() -> new IndexCandidate(
                        "s", "t", List.of(), List.of(), null, null, IndexRecommendation.Kind.SINGLE_COLUMN))
                .hasMessageContaining("keys must not be empty");
        assertThatThrownBy(() -> new IndexCandidate(
                        "s", "t", List.of("k"), List.of(), "k", null, IndexRecommendation.Kind.PARTIAL))
                .hasMessageContaining("set together");
        assertThat(c.servedBy(List.of("Customer Id", "day", "x"), List.of("Customer Id", "day", "x", "total"), false))
                .isTrue();
        assertThat(c.servedBy(List.of("Customer Id", "day"), List.of("Customer Id", "day"), false))
                .isFalse();
        assertThat(c.servedBy(List.of("Customer Id"), List.of("Customer Id"), false))
                .isFalse();
        assertThat(c.servedBy(List.of("Customer Id", "day"), List.of("Customer Id", "day", "total"), true))
                .isFalse();
    }

    @Test
    void workloadFilesSplitOnSemicolonsOutsideQuotesAndComments() {
        IndexAdvisor.Workload w = IndexAdvisor.parseWorkload("""
                SELECT 'a;b' FROM t;  -- one; still a comment
                /* block; comment */ SELECT "x;y" FROM u
                ;SELECT $$dollar;quoted$$, $q$more;$q$ FROM v;
                ;
                SELECT 4""");

        assertThat(w.statements())
                .extracting(IndexAdvisor.WorkloadStatement::sql)
                .containsExactly(
                        "SELECT 'a;b' FROM t",
                        "SELECT \"x;y\" FROM u",
                        "SELECT $$dollar;quoted$$, $q$more;$q$ FROM v",
                        "SELECT 4");
        assertThat(w.statements()).allSatisfy(s -> assertThat(s.weight()).isEqualTo(1));
        assertThat(IndexAdvisor.parseWorkload("  ").statements()).isEmpty();
        assertThat(WhatIfSession.parameters("SELECT $2, '$9', \"$8\" -- $7\n /* $6 */ FROM t WHERE a = $1"))
                .isEqualTo(2);
        assertThatThrownBy(() -> new IndexAdvisor.WorkloadStatement("SELECT 1", 0))
                .hasMessage("weight must be > 0 but was 0.0");
    }

    @Test
    void theBuilderChecksItsSettings() {
        assertThatThrownBy(() -> IndexAdvisor.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("validator must be set but was null");
        IndexAdvisor.Builder b = IndexAdvisor.builder();
        assertThatThrownBy(() -> b.budgetBytes(0)).hasMessage("budgetBytes must be > 0 but was 0");
        assertThatThrownBy(() -> b.minGain(1)).hasMessage("minGain must be > 0 and < 1 but was 1.0");
        assertThatThrownBy(() -> b.minGain(0)).hasMessage("minGain must be > 0 and < 1 but was 0.0");
        assertThatThrownBy(() -> b.statementTimeout(Duration.ZERO))
                .hasMessage("statementTimeout must be >= 1 ms but was PT0S");
        assertThatThrownBy(() -> b.lockTimeout(Duration.ofNanos(5))).hasMessageStartingWith("lockTimeout must be");
        assertThatThrownBy(() -> b.maxCandidates(0)).hasMessage("maxCandidates must be >= 1 but was 0");
        assertThatThrownBy(() -> IndexAdvisor.topStatements(new org.postgresql.ds.PGSimpleDataSource(), 0))
                .hasMessage("limit must be >= 1 but was 0");
        IndexAdvisor a = IndexAdvisor.builder()
                .validator(AdvisorFixtures.SELECT_ONLY)
                .budgetBytes(1 << 20)
                .allowRealBuild(true)
                .build();
        IndexAdvisor copy = a.toBuilder().build();
        assertThat(copy.budgetBytes()).isEqualTo(1 << 20);
        assertThat(copy.allowRealBuild()).isTrue();
        assertThat(copy.toString()).contains("budgetBytes=1048576", "allowRealBuild=true");
    }

    @Test
    void adviceRendersAsTextAndJson() {
        IndexRecommendation r = new IndexRecommendation(
                "public.orders",
                List.of("customer_id"),
                List.of("total"),
                null,
                IndexRecommendation.Kind.COVERING,
                3 << 20,
                1000,
                10,
                List.of(1),
                "orders_customer_id_idx",
                "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders" + " (customer_id) INCLUDE (total)",
                "Index orders_customer_id_idx ...");
        IndexAdvice advice = new IndexAdvice(
                IndexAdvice.Method.HYPOPG,
                List.of(r),
                List.of(
                        new IndexAdvice.AdvisedStatement(
                                1, "SELECT total FROM orders WHERE customer_id = 1", 5, 200, 2, null),
                        new IndexAdvice.AdvisedStatement(2, "DELETE FROM orders", 1, -1, -1, "refused")),
                7,
                List.of(),
                List.of("a note"),
                100L << 20,
                0.1,
                Duration.ofMillis(12_345));

        assertThat(r.gain()).isEqualTo(0.99);
        assertThat(advice.totalCostBefore()).isEqualTo(1000);
        assertThat(advice.totalCostAfter()).isEqualTo(10);
        assertThat(advice.totalSizeBytes()).isEqualTo(3 << 20);
        assertThat(advice.toText(10_000))
                .contains(
                        "Index advice for 1 of 2 statements, 7 candidate indexes",
                        "in 12.3 s",
                        "1,000 -> 10.00 (-99.0%)",
                        "3.0 MB",
                        "budget 100.0 MB",
                        "public.orders (customer_id) INCLUDE (total)  [covering, 3.0 MB]",
                        "for statement #1",
                        "#1 cost 200 -> 2.00 x 5.00 calls",
                        "#2 skipped: refused",
                        "- a note");
        assertThat(advice.toText(40)).hasSizeLessThanOrEqualTo(40).endsWith("[cut]");
        assertThat(advice.toJson())
                .contains(
                        "\"method\":\"hypopg\"",
                        "\"budgetBytes\":104857600",
                        "\"include\":[\"total\"]",
                        "\"statements\":[1]",
                        "\"skipped\":\"refused\"",
                        "\"notes\":[\"a note\"]");
        assertThat(advice.toString()).isEqualTo("IndexAdvice{HYPOPG, 1 recommendations, 2 statements}");
        assertThat(IndexAdvice.bytes(5L << 30)).isEqualTo("5.0 GB");
        assertThat(IndexAdvice.bytes(1000)).isEqualTo("1 kB");
        assertThat(IndexAdvice.change(0, 1)).isEqualTo("no change");
        assertThatThrownBy(() -> new IndexRecommendation(
                        "t",
                        List.of("a"),
                        List.of(),
                        null,
                        IndexRecommendation.Kind.SINGLE_COLUMN,
                        -1,
                        1,
                        1,
                        List.of(),
                        "n",
                        "c",
                        "d"))
                .hasMessage("sizeBytes must be >= 0 but was -1");
    }
}
