package dev.pgagent.api.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaModelTest {
    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    private static TableInfo table(String schema, String name, ColumnInfo... columns) {
        return new TableInfo(
                schema,
                name,
                TableKind.TABLE,
                List.of(columns),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                null,
                -1);
    }

    private static ColumnInfo column(String name) {
        return new ColumnInfo(name, "text", true, null, null, null, null);
    }

    private final SchemaModel model = new SchemaModel(
            List.of(
                    table("public", "orders"),
                    table("sales", "orders"),
                    table("public", "Customers"),
                    table("public", "customers_archive"),
                    table("weird", "a.b")),
            List.of(
                    new EnumType("public", "order_status", List.of("new", "shipped")),
                    new EnumType("sales", "order_status", List.of("open")),
                    new EnumType("sales", "region", List.of("eu", "us"))),
            AT);

    @Test
    void findsATableByQualifiedNameAndRejectsAnAmbiguousBareName() {
        assertThat(model.table("sales.orders")).map(TableInfo::qualifiedName).hasValue("sales.orders");
        assertThat(model.table("  PUBLIC.ORDERS "))
                .map(TableInfo::qualifiedName)
                .hasValue("public.orders");
        assertThat(model.table("orders")).isEmpty(); // in two schemas
        assertThat(model.table("nowhere.orders")).isEmpty();
        assertThat(model.table("missing")).isEmpty();
    }

    @Test
    void anExactMatchWinsOverCaseInsensitiveOnesAndQuotesAreIgnored() {
        SchemaModel m = new SchemaModel(List.of(table("public", "Users"), table("public", "users")), List.of(), AT);
        assertThat(m.table("Users")).map(TableInfo::name).hasValue("Users");
        assertThat(m.table("users")).map(TableInfo::name).hasValue("users");
        assertThat(m.table("USERS")).isEmpty(); // two case-insensitive matches and no exact one
        assertThat(model.table("\"Customers\"")).map(TableInfo::name).hasValue("Customers");
        assertThat(model.table("customers")).map(TableInfo::name).hasValue("Customers");
        assertThat(model.table("weird.\"a.b\"")).map(TableInfo::name).hasValue("a.b");
        assertThat(model.table("\"weird\".\"a.b\""))
                .map(TableInfo::qualifiedName)
                .hasValue("weird.a.b");
    }

    @Test
    void findsEnumTypesAndListsSchemas() {
        assertThat(model.enumType("region")).map(EnumType::qualifiedName).hasValue("sales.region");
        assertThat(model.enumType("SALES.ORDER_STATUS")).map(EnumType::labels).hasValue(List.of("open"));
        assertThat(model.enumType("order_status")).isEmpty();
        assertThat(model.schemas()).containsExactly("public", "sales", "weird");
        assertThat(model.toString()).isEqualTo("SchemaModel{tables=5, enums=3, introspectedAt=2026-12-01T10:00:00Z}");
    }

    @Test
    void copiesItsListsAndRejectsNulls() {
        List<TableInfo> tables = new ArrayList<>(List.of(table("public", "t")));
        SchemaModel m = new SchemaModel(tables, List.of(), AT);
        tables.clear();
        assertThat(m.tables()).hasSize(1);
        assertThatThrownBy(() -> m.tables().add(table("public", "u")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new SchemaModel(null, List.of(), AT)).hasMessage("tables == null");
        assertThatThrownBy(() -> new SchemaModel(List.of(), null, AT)).hasMessage("enums == null");
        assertThatThrownBy(() -> new SchemaModel(List.of(), List.of(), null)).hasMessage("introspectedAt == null");
        assertThatThrownBy(() -> model.table(null)).hasMessage("name == null");
        assertThatThrownBy(() -> model.enumType(null)).hasMessage("name == null");
    }

    @Test
    void tableInfoFindsColumnsAndValidates() {
        TableInfo t = table("public", "people", column("Name"), column("name"), column("Email"));
        assertThat(t.column("name")).map(ColumnInfo::name).hasValue("name");
        assertThat(t.column("EMAIL")).map(ColumnInfo::name).hasValue("Email");
        assertThat(t.column("phone")).isEmpty();
        assertThat(t.partitions()).isEmpty();
        assertThatThrownBy(() -> new TableInfo(
                        "s",
                        "t",
                        TableKind.TABLE,
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        null,
                        -2))
                .hasMessage("rowEstimate must be >= -1 but was -2");
        List<String> unique = new ArrayList<>(List.of("a"));
        TableInfo u = new TableInfo(
                "s",
                "t",
                TableKind.PARTITIONED_TABLE,
                List.of(),
                List.of("a"),
                List.of(unique),
                List.of(),
                List.of("CHECK (a > 0)"),
                List.of(new IndexInfo("t_pkey", "CREATE UNIQUE INDEX ...", true, true)),
                "a comment",
                10,
                List.of("s.t_2026"));
        unique.add("b");
        assertThat(u.uniqueConstraints()).containsExactly(List.of("a"));
        assertThat(u.partitions()).containsExactly("s.t_2026");
        assertThatThrownBy(() -> new TableInfo(
                        null,
                        "t",
                        TableKind.TABLE,
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        null,
                        0))
                .hasMessage("schema == null");
    }

    @Test
    void foreignKeysPairTheirColumns() {
        ForeignKey fk = new ForeignKey("orders_customer_fk", List.of("customer_id"), "crm", "customers", List.of("id"));
        assertThat(fk.referencedQualifiedName()).isEqualTo("crm.customers");
        assertThatThrownBy(() -> new ForeignKey("fk", List.of("a", "b"), "s", "t", List.of("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("referencedColumns must have 2 entries but had 1");
        assertThatThrownBy(() -> new ForeignKey(null, List.of(), "s", "t", List.of()))
                .hasMessage("name == null");
    }

    @Test
    void smallValuesValidateAndPrint() {
        assertThat(new ColumnRef("public", "orders", "total")).hasToString("public.orders.total");
        assertThatThrownBy(() -> new ColumnRef("public", null, "total")).hasMessage("table == null");
        assertThatThrownBy(() -> new ColumnInfo("c", null, true, null, null, null, null))
                .hasMessage("type == null");
        assertThatThrownBy(() -> new IndexInfo("i", null, false, false)).hasMessage("definition == null");
        assertThatThrownBy(() -> new EnumType("s", "e", null)).hasMessage("labels == null");
    }
}
