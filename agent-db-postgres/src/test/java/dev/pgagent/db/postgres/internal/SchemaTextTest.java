package dev.pgagent.db.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaTextTest {
    private static TableInfo table(String schema, String name, String comment) {
        return new TableInfo(
                schema,
                name,
                TableKind.TABLE,
                List.of(new ColumnInfo("id", "bigint", false, null, null, null, null)),
                List.of("id"),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                comment,
                10);
    }

    private static final SchemaModel MODEL = new SchemaModel(
            List.of(
                    table("public", "customers", "x".repeat(300)), table("public", "orders", null),
                    table("sales", "orders", null), table("public", "order_items", null)),
            List.of(),
            Instant.EPOCH);

    @Test
    void findsCloseMatchesForTyposAndFragments() {
        assertThat(SchemaText.closeMatches(MODEL, "custmers", 5)).containsExactly("public.customers");
        assertThat(SchemaText.closeMatches(MODEL, "order", 5))
                .containsExactlyInAnyOrder("public.orders", "sales.orders", "public.order_items");
        assertThat(SchemaText.closeMatches(MODEL, "zzzzzzzz", 5)).isEmpty();
    }

    @Test
    void cutsLongCommentsInTheOverview() {
        String text = SchemaText.overview(MODEL, "customers", 16_000);
        assertThat(text)
                .contains("table public.customers ~10 rows -- " + "x".repeat(97) + "...")
                .doesNotContain("x".repeat(101));
    }

    @Test
    void filtersByGlobOrSubstring() {
        assertThat(SchemaText.overview(MODEL, "sales.*", 16_000))
                .contains("sales.orders")
                .doesNotContain("public.orders");
        assertThat(SchemaText.overview(MODEL, "item", 16_000))
                .contains("public.order_items")
                .doesNotContain("public.customers");
        assertThat(SchemaText.overview(MODEL, "nothing_here", 16_000)).contains("No table or enum matches");
    }

    @Test
    void marksCompositeForeignKeysOnEachColumn() {
        TableInfo lines = new TableInfo(
                "public",
                "lines",
                TableKind.TABLE,
                List.of(
                        new ColumnInfo("a", "int", true, null, null, null, null),
                        new ColumnInfo("b", "int", true, null, null, null, null)),
                List.of(),
                List.of(),
                List.of(new ForeignKey("fk", List.of("b", "a"), "public", "p", List.of("x", "y"))),
                List.of(),
                List.of(),
                null,
                -1);
        String text = SchemaText.overview(new SchemaModel(List.of(lines), List.of(), Instant.EPOCH), null, 16_000);
        assertThat(text).contains("  a int FK->public.p.y", "  b int FK->public.p.x");
    }

    @Test
    void measuresEditDistance() {
        assertThat(SchemaText.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(SchemaText.distance("", "abc")).isEqualTo(3);
    }
}
