package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.IndexInfo;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import dev.pgagent.db.postgres.PlanAnalysis.Finding;
import dev.pgagent.db.postgres.PlanAnalysis.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Plans captured from PostgreSQL 15 (src/test/resources/plans) on customers (20,000 rows, index on email) and
 * orders (60,000 rows, foreign key customer_id without an index, a and b perfectly correlated).
 */
class PlanAnalysisTest {
    private static final SchemaModel SHOP = new SchemaModel(
            List.of(
                    new TableInfo(
                            "public",
                            "customers",
                            TableKind.TABLE,
                            List.of(col("id"), col("email"), col("region"), col("created")),
                            List.of("id"),
                            List.of(),
                            List.of(),
                            List.of(),
                            List.of(
                                    new IndexInfo(
                                            "customers_pkey",
                                            "CREATE UNIQUE INDEX customers_pkey ON public.customers USING btree (id)",
                                            true,
                                            true),
                                    new IndexInfo(
                                            "customers_email_idx",
                                            "CREATE INDEX customers_email_idx ON public.customers USING btree (email)",
                                            false,
                                            false)),
                            null,
                            20_000),
                    new TableInfo(
                            "public",
                            "orders",
                            TableKind.TABLE,
                            List.of(col("id"), col("customer_id"), col("status"), col("a"), col("b"), col("note")),
                            List.of("id"),
                            List.of(),
                            List.of(new ForeignKey(
                                    "orders_customer_id_fkey",
                                    List.of("customer_id"),
                                    "public",
                                    "customers",
                                    List.of("id"))),
                            List.of(),
                            List.of(new IndexInfo(
                                    "orders_pkey",
                                    "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)",
                                    true,
                                    true)),
                            null,
                            60_000)),
            List.of(),
            Instant.EPOCH);

    private static ColumnInfo col(String name) {
        return new ColumnInfo(name, "text", false, null, null, null, null);
    }

    private static String plan(String name) {
        try (InputStream in = PlanAnalysisTest.class.getResourceAsStream("/plans/" + name + ".json")) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Kind> kinds(PlanAnalysis a) {
        return a.findings().stream().map(Finding::kind).toList();
    }

    @Test
    void reportsSequentialScanOfLargeTableUnderSelectiveFilter() {
        PlanAnalysis a = PlanAnalysis.of(plan("seq_scan_selective"), SHOP);

        assertThat(a.analyzed()).isFalse();
        assertThat(a.root().type()).isEqualTo("Seq Scan");
        assertThat(a.findings()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.SEQ_SCAN_SELECTIVE);
            assertThat(f.node()).isEqualTo("#1 Seq Scan on orders");
            assertThat(f.message()).contains("~60000 rows", "keep 54 (0.09%)", "status = 'lost'");
            assertThat(f.fix()).contains("CREATE INDEX ON orders (status)");
        });
    }

    @Test
    void reportsALimitOverASortOfManyRows() {
        // captured from PostgreSQL 15: ORDER BY a DESC, id LIMIT 10 over 60,000 rows without an index in that order
        PlanAnalysis a = PlanAnalysis.of(plan("top_n_sort"), SHOP);

        assertThat(a.findings())
                .filteredOn(f -> f.kind() == Kind.TOP_N_SORT)
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.node()).isEqualTo("#2 Sort");
                    assertThat(f.message()).contains("~58760 rows", "a DESC, id", "to return 10");
                    assertThat(f.fix()).contains("CREATE INDEX ON orders (", "a DESC, id)");
                });
    }

    @Test
    void reportsFunctionOnIndexedColumnInsteadOfPlainSequentialScan() {
        PlanAnalysis a = PlanAnalysis.of(plan("function_on_indexed_column"), SHOP);

        assertThat(a.findings()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.FUNCTION_ON_INDEXED_COLUMN);
            assertThat(f.message()).contains("lower(email)", "~20000 rows");
            assertThat(f.fix()).contains("CREATE INDEX ON customers ((lower(email)))");
        });
    }

    @Test
    void withoutSchemaReportsWhatThePlanAloneShows() {
        // an estimated plan alone does not tell the table's size; ANALYZE's removed rows do
        assertThat(kinds(PlanAnalysis.of(plan("function_on_indexed_column"), null)))
                .isEmpty();
        assertThat(kinds(PlanAnalysis.of(plan("fk_join_unindexed"), null))).isEmpty();
        assertThat(kinds(PlanAnalysis.of(plan("analyze_misestimate"), null)))
                .containsExactly(Kind.SEQ_SCAN_SELECTIVE, Kind.ROW_MISESTIMATE);
    }

    @Test
    void reportsJoinOnForeignKeyWithoutIndex() {
        PlanAnalysis a = PlanAnalysis.of(plan("fk_join_unindexed"), SHOP);

        assertThat(kinds(a)).containsExactly(Kind.UNINDEXED_FOREIGN_KEY, Kind.SEQ_SCAN_SELECTIVE);
        assertThat(a.findings().get(1).node()).isEqualTo("#4 Seq Scan on customers c");
        assertThat(a.findings().get(0)).satisfies(f -> {
            assertThat(f.node()).isEqualTo("#1 Hash Join");
            assertThat(f.message()).contains("orders_customer_id_fkey", "customer_id -> public.customers");
            assertThat(f.fix()).isEqualTo("CREATE INDEX ON public.orders (customer_id).");
        });
    }

    @Test
    void foreignKeyWithIndexIsNotReported() {
        TableInfo orders = SHOP.table("orders").orElseThrow();
        TableInfo indexed = new TableInfo(
                orders.schema(),
                orders.name(),
                orders.kind(),
                orders.columns(),
                orders.primaryKey(),
                orders.uniqueConstraints(),
                orders.foreignKeys(),
                orders.checkConstraints(),
                List.of(new IndexInfo(
                        "orders_customer_idx",
                        "CREATE INDEX orders_customer_idx ON public.orders USING btree (customer_id, id)",
                        false,
                        false)),
                null,
                orders.rowEstimate());
        SchemaModel schema =
                new SchemaModel(List.of(SHOP.table("customers").orElseThrow(), indexed), List.of(), Instant.EPOCH);

        assertThat(kinds(PlanAnalysis.of(plan("fk_join_unindexed"), schema))).containsExactly(Kind.SEQ_SCAN_SELECTIVE);
    }

    @Test
    void reportsNestedLoopOverLargeOuterSide() {
        PlanAnalysis a = PlanAnalysis.of(plan("nested_loop_large_outer"), SHOP);

        assertThat(a.findings())
                .filteredOn(f -> f.kind() == Kind.NESTED_LOOP_LARGE_OUTER)
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.node()).isEqualTo("#1 Nested Loop");
                    assertThat(f.message()).contains("#2 Seq Scan on orders o", "~59946 outer rows");
                    assertThat(f.fix()).contains("hash or merge join");
                });
        // orders is the outer side, read in full anyway: an index on its foreign key would not change this plan
        assertThat(kinds(a)).doesNotContain(Kind.UNINDEXED_FOREIGN_KEY);
    }

    @Test
    void reportsRowEstimatesOffByTenTimesUnderAnalyze() {
        PlanAnalysis a = PlanAnalysis.of(plan("analyze_misestimate"), SHOP);

        assertThat(a.analyzed()).isTrue();
        assertThat(a.executionMs()).isPositive();
        assertThat(a.root().actualRows()).isEqualTo(600);
        assertThat(a.findings())
                .filteredOn(f -> f.kind() == Kind.ROW_MISESTIMATE)
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.message()).contains("estimated 6 rows but got 600", "100x more");
                    assertThat(f.fix()).contains("CREATE STATISTICS ON a, b FROM orders");
                });
    }

    @Test
    void reportsSortSpilledToDisk() {
        PlanAnalysis a = PlanAnalysis.of(plan("analyze_sort_spill"), SHOP);

        assertThat(a.findings())
                .filteredOn(f -> f.kind() == Kind.SORT_SPILL)
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.node()).isEqualTo("#1 Sort");
                    assertThat(f.message()).contains("60000 rows", "external merge", "kB on disk");
                    assertThat(f.fix()).contains("work_mem");
                });
    }

    @Test
    void reportsHashSpilledToDisk() {
        PlanAnalysis a = PlanAnalysis.of(plan("analyze_hash_spill"), SHOP);

        assertThat(a.findings())
                .filteredOn(f -> f.kind() == Kind.HASH_SPILL)
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.node()).isEqualTo("#3 Hash");
                    assertThat(f.message()).contains("20000 rows in 16 batches");
                });
    }

    @Test
    void reportsLargeScanWithoutParallelWorkers() {
        PlanAnalysis.Thresholds small = new PlanAnalysis.Thresholds(10_000, 10_000, 50_000);

        assertThat(kinds(PlanAnalysis.of(plan("no_parallel"), SHOP, small))).containsExactly(Kind.NO_PARALLELISM);
        assertThat(kinds(PlanAnalysis.of(plan("no_parallel"), SHOP))).isEmpty();
        assertThat(kinds(PlanAnalysis.of(plan("analyze_parallel"), SHOP, small)))
                .doesNotContain(Kind.NO_PARALLELISM);
    }

    @Test
    void reportsParallelWorkersPlannedButNotLaunched() {
        String starved = plan("analyze_parallel").replace("\"Workers Launched\": 2", "\"Workers Launched\": 0");

        assertThat(PlanAnalysis.of(starved, SHOP).findings())
                .filteredOn(f -> f.kind() == Kind.NO_PARALLELISM)
                .singleElement()
                .satisfies(f -> assertThat(f.message()).isEqualTo("planned 2 parallel workers but launched 0."));
    }

    @Test
    void indexLookupHasNoFindings() {
        PlanAnalysis a = PlanAnalysis.of(plan("index_lookup"), SHOP);

        assertThat(a.findings()).isEmpty();
        assertThat(a.toText(2_000)).contains("Index Scan using customers_pkey on customers", "Findings: none.");
    }

    @Test
    void textShowsTreeActualsAndFindingsWithinBudget() {
        String text = PlanAnalysis.of(plan("analyze_hash_spill"), SHOP).toText(4_000);

        assertThat(text)
                .startsWith("Executed plan (EXPLAIN ANALYZE, rolled back)")
                .contains(
                        "-> #1 Hash Join",
                        "    -> #4 Seq Scan on customers c",
                        "actual rows=20000 loops=1",
                        "[HASH_SPILL] #3 Hash:",
                        "Fix: raise work_mem");
        assertThat(PlanAnalysis.of(plan("nested_loop_large_outer"), SHOP).toText(600))
                .hasSizeLessThanOrEqualTo(600)
                .contains("[plan cut to fit]");
    }

    @Test
    void jsonHoldsTheTreeWithActualsAndTheFindings() throws Exception {
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(PlanAnalysis.of(plan("analyze_hash_spill"), SHOP).toJson());

        assertThat(j.get("analyzed").asBoolean()).isTrue();
        assertThat(j.get("executionMs").asDouble()).isPositive();
        assertThat(j.at("/plan/type").asText()).isEqualTo("Hash Join");
        assertThat(j.at("/plan/label").asText()).isEqualTo("#1 Hash Join");
        assertThat(j.at("/plan/actualRows").isNumber()).isTrue();
        assertThat(j.at("/plan/children").size()).isPositive();
        assertThat(j.get("findings").findValuesAsText("kind")).contains("HASH_SPILL");
        assertThat(j.get("findings").get(0).get("fix").asText()).isNotBlank();

        com.fasterxml.jackson.databind.JsonNode estimated = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(PlanAnalysis.of(plan("index_lookup"), SHOP).toJson());
        assertThat(estimated.get("analyzed").asBoolean()).isFalse();
        assertThat(estimated.at("/plan/actualRows").isMissingNode()).isTrue();
        assertThat(estimated.at("/plan/index").asText()).isEqualTo("customers_pkey");
        assertThat(estimated.get("findings")).isEmpty();
    }

    @Test
    void readsIndexKeyColumns() {
        assertThat(PlanAnalysis.indexColumns("CREATE INDEX i ON public.t USING btree (a, lower(b), \"C\" DESC)"))
                .containsExactly("a", "", "C");
    }

    @Test
    void rejectsTextThatIsNotAPlan() {
        assertThatThrownBy(() -> PlanAnalysis.of("not json", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PlanAnalysis.of("[{\"x\":1}]", null)).isInstanceOf(IllegalArgumentException.class);
    }
}
