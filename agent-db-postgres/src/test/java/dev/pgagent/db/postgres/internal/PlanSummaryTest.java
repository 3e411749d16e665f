package dev.pgagent.db.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PlanSummaryTest {
    private static final String PLAN = """
            [{"Plan": {"Node Type": "Nested Loop", "Join Type": "Inner", "Startup Cost": 0.29,
              "Total Cost": 2500.5, "Plan Rows": 120, "Plan Width": 40, "Plans": [
                {"Node Type": "Seq Scan", "Relation Name": "orders", "Alias": "o", "Startup Cost": 0.0,
                 "Total Cost": 1800.0, "Plan Rows": 120, "Filter": "(status = 'new'::text)"},
                {"Node Type": "Index Scan", "Index Name": "customers_pkey", "Relation Name": "customers",
                 "Alias": "customers", "Startup Cost": 0.29, "Total Cost": 5.8, "Plan Rows": 1,
                 "Index Cond": "(id = o.customer_id)"}]}}]
            """;

    @Test
    void rendersTheTreeWithCostsAndFlagsLargeSequentialScans() {
        String s = PlanSummary.summarize(PLAN, rel -> rel.equals("orders") ? 90_000 : 50, 8_000);
        assertThat(s)
                .startsWith("Estimated plan (not executed): total cost 2500.50, 120 rows")
                .contains("-> Nested Loop (Inner) (cost=0.29..2500.50 rows=120)")
                .contains("  -> Seq Scan on orders o (cost=0.00..1800.00 rows=120) Filter: (status = 'new'::text)")
                .contains("  -> Index Scan using customers_pkey on customers (cost=0.29..5.80 rows=1)"
                        + " Index Cond: (id = o.customer_id)")
                .contains("Sequential scan on large table orders (~90000 rows estimated) filtered by");
    }

    @Test
    void doesNotFlagSmallTables() {
        assertThat(PlanSummary.summarize(PLAN, rel -> 100, 8_000)).contains("No sequential scans on large tables.");
    }

    @Test
    void rejectsTextThatIsNotAPlan() {
        assertThatThrownBy(() -> PlanSummary.summarize("{\"a\":1}", r -> -1, 8_000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PlanSummary.summarize("not json", r -> -1, 8_000))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
