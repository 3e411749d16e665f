package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.IndexInfo;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import dev.pgagent.testsupport.TestPostgres;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IntrospectionIT {
    static DataSource ds;
    static SchemaModel model;

    @BeforeAll
    static void setUp() {
        ds = TestPostgres.freshDatabase("introspection");
        Fixtures.exec(ds, Fixtures.SHOP);
        Fixtures.exec(ds, Fixtures.FOREIGN);
        model = PostgresDatabase.of(ds).schema();
    }

    private static TableInfo table(String name) {
        return model.table(name).orElseThrow(() -> new AssertionError("missing " + name + " in " + model.tables()));
    }

    @Test
    void readsEveryRelationKindAndFoldsPartitions() {
        assertThat(model.tables())
                .extracting(TableInfo::qualifiedName)
                .containsExactly(
                        "hidden.secret",
                        "shop.big_spenders",
                        "shop.customers",
                        "shop.events",
                        "shop.order_counts",
                        "shop.order_lines",
                        "shop.orders",
                        "shop.remote_things");
        assertThat(table("shop.customers").kind()).isEqualTo(TableKind.TABLE);
        assertThat(table("shop.events").kind()).isEqualTo(TableKind.PARTITIONED_TABLE);
        assertThat(table("shop.big_spenders").kind()).isEqualTo(TableKind.VIEW);
        assertThat(table("shop.order_counts").kind()).isEqualTo(TableKind.MATERIALIZED_VIEW);
        assertThat(table("shop.remote_things").kind()).isEqualTo(TableKind.FOREIGN_TABLE);
        assertThat(table("shop.events").partitions()).containsExactly("shop.events_2024", "shop.events_2025");
        assertThat(model.table("events_2024")).isEmpty();
    }

    @Test
    void leavesOutSystemSchemas() {
        assertThat(model.schemas()).containsExactly("hidden", "shop");
    }

    @Test
    void readsColumnsAsWrittenWithDefaultsIdentityGeneratedAndComments() {
        TableInfo c = table("customers");
        assertThat(c.columns()).extracting(ColumnInfo::name).containsExactly("id", "email", "name", "mood", "created");
        ColumnInfo id = c.column("id").orElseThrow();
        assertThat(id.type()).isEqualTo("bigint");
        assertThat(id.identity()).isEqualTo("ALWAYS");
        assertThat(id.nullable()).isFalse();
        assertThat(c.column("name").orElseThrow().type()).isEqualTo("character varying(100)");
        assertThat(c.column("name").orElseThrow().nullable()).isTrue();
        assertThat(c.column("mood").orElseThrow().type()).isEqualTo("shop.mood");
        assertThat(c.column("mood").orElseThrow().defaultValue()).isEqualTo("'ok'::shop.mood");
        assertThat(c.column("created").orElseThrow().defaultValue()).isEqualTo("now()");
        assertThat(c.column("email").orElseThrow().comment()).isEqualTo("Login e-mail");
        assertThat(c.comment()).isEqualTo("People who buy");

        TableInfo o = table("shop.orders");
        assertThat(o.column("id").orElseThrow().identity()).isEqualTo("BY DEFAULT");
        assertThat(o.column("price").orElseThrow().type()).isEqualTo("numeric(10,2)");
        ColumnInfo total = o.column("total").orElseThrow();
        assertThat(total.generated()).contains("price").contains("qty");
        assertThat(total.defaultValue()).isNull();
        assertThat(o.column("qty").orElseThrow().defaultValue()).isEqualTo("1");
    }

    @Test
    void readsKeysConstraintsAndIndexes() {
        TableInfo o = table("shop.orders");
        assertThat(o.primaryKey()).containsExactly("id", "region");
        assertThat(o.uniqueConstraints()).containsExactly(List.of("region", "customer_id"));
        assertThat(o.foreignKeys()).singleElement().satisfies(fk -> {
            assertThat(fk.columns()).containsExactly("customer_id");
            assertThat(fk.referencedQualifiedName()).isEqualTo("shop.customers");
            assertThat(fk.referencedColumns()).containsExactly("id");
        });
        assertThat(o.checkConstraints())
                .singleElement()
                .asString()
                .startsWith("CHECK")
                .contains("price >= ");
        assertThat(o.indexes())
                .extracting(IndexInfo::name)
                .containsExactlyInAnyOrder("orders_pkey", "orders_region_customer_id_key", "orders_customer_idx");
        IndexInfo pk =
                o.indexes().stream().filter(IndexInfo::primary).findFirst().orElseThrow();
        assertThat(pk.unique()).isTrue();
        assertThat(pk.definition()).startsWith("CREATE UNIQUE INDEX orders_pkey ON shop.orders");
        IndexInfo plain = o.indexes().stream()
                .filter(i -> i.name().equals("orders_customer_idx"))
                .findFirst()
                .orElseThrow();
        assertThat(plain.unique()).isFalse();
        assertThat(plain.definition()).contains("(customer_id)");
        assertThat(table("shop.order_counts").indexes())
                .extracting(IndexInfo::name)
                .containsExactly("order_counts_customer_idx");
        assertThat(table("customers").uniqueConstraints()).containsExactly(List.of("email"));
    }

    @Test
    void readsMultiColumnForeignKeysInColumnOrder() {
        ForeignKey fk = table("shop.order_lines").foreignKeys().get(0);
        assertThat(fk.name()).isEqualTo("lines_order_fk");
        assertThat(fk.columns()).containsExactly("order_region", "order_id");
        assertThat(fk.referencedColumns()).containsExactly("region", "id");
        assertThat(table("shop.order_lines").primaryKey()).containsExactly("order_id", "order_region", "line");
    }

    @Test
    void readsEnumLabelsInSortOrder() {
        assertThat(model.enums()).singleElement().satisfies(e -> {
            assertThat(e.qualifiedName()).isEqualTo("shop.mood");
            assertThat(e.labels()).containsExactly("sad", "meh", "ok", "happy");
        });
    }

    @Test
    void estimatesRowsAndSumsPartitions() {
        assertThat(table("shop.events").rowEstimate()).isEqualTo(1000);
        assertThat(table("shop.customers").rowEstimate()).isEqualTo(-1);
        assertThat(table("shop.big_spenders").rowEstimate()).isEqualTo(-1);
    }

    @Test
    void honoursIncludeAndExcludeSchemas() {
        SchemaModel onlyHidden = PostgresDatabase.builder()
                .dataSource(ds)
                .includeSchemas("hidden")
                .build()
                .schema();
        assertThat(onlyHidden.tables()).extracting(TableInfo::qualifiedName).containsExactly("hidden.secret");
        assertThat(onlyHidden.enums()).isEmpty();
        SchemaModel withoutHidden = PostgresDatabase.builder()
                .dataSource(ds)
                .excludeSchemas("hidden")
                .build()
                .schema();
        assertThat(withoutHidden.tables()).extracting(TableInfo::schema).containsOnly("shop");
        assertThat(withoutHidden.enums()).hasSize(1);
    }

    @Test
    void looksUpTablesCaseInsensitivelyAndQualified() {
        assertThat(model.table("SHOP.Orders")).map(TableInfo::name).contains("orders");
        assertThat(model.table("\"shop\".\"orders\"")).map(TableInfo::name).contains("orders");
        assertThat(model.table("nope")).isEmpty();
    }
}
