package dev.pgagent.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.ConfigurationException;
import dev.pgagent.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class DemoDatabaseIT {
    @Test
    void loadsTheShopWithThousandsOfRows() {
        DataSource ds = TestPostgres.freshDatabase("demo_load");

        DemoDatabase.Report report = DemoDatabase.load(ds);

        assertThat(report.rowsByTable())
                .containsOnlyKeys(
                        "categories",
                        "suppliers",
                        "products",
                        "customers",
                        "employees",
                        "orders",
                        "order_lines",
                        "payments",
                        "shipments",
                        "reviews");
        assertThat(report.rowsByTable().get("orders")).isEqualTo(4000);
        assertThat(report.rowsByTable().get("customers")).isEqualTo(600);
        assertThat(report.rowsByTable().get("order_lines")).isGreaterThan(8000);
        assertThat(report.rows()).isGreaterThan(20_000);
        assertThat(DemoDatabase.isLoaded(ds)).isTrue();
    }

    @Test
    void commentsEveryTableViewAndType() throws SQLException {
        DataSource ds = TestPostgres.freshDatabase("demo_comments");
        DemoDatabase.load(ds);

        List<String> uncommented = strings(
                ds,
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n"
                        + " ON n.oid = c.relnamespace WHERE n.nspname = 'shop' AND c.relkind IN ('r', 'v')"
                        + " AND obj_description(c.oid, 'pg_class') IS NULL");
        List<String> relations = strings(
                ds,
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n"
                        + " ON n.oid = c.relnamespace WHERE n.nspname = 'shop' AND c.relkind IN ('r', 'v') ORDER BY 1");
        List<String> uncommentedTypes = strings(
                ds,
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n"
                        + " ON n.oid = t.typnamespace WHERE n.nspname = 'shop' AND t.typtype = 'e'"
                        + " AND obj_description(t.oid, 'pg_type') IS NULL");

        List<String> uncommentedKeys = strings(
                ds,
                "SELECT c.relname || '.' || a.attname FROM pg_attribute a"
                        + " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = 'shop' AND c.relkind = 'r' AND a.attnum > 0"
                        + " AND col_description(c.oid, a.attnum) IS NULL AND EXISTS (SELECT 1 FROM pg_constraint k"
                        + " WHERE k.conrelid = c.oid AND k.contype IN ('p', 'f') AND a.attnum = ANY (k.conkey))");

        assertThat(relations)
                .contains("orders", "order_totals", "monthly_revenue")
                .hasSize(12);
        assertThat(uncommentedKeys).as("key columns without a comment").isEmpty();
        assertThat(uncommented).isEmpty();
        assertThat(uncommentedTypes).isEmpty();
        assertThat(strings(ds, "SELECT unnest(enum_range(NULL::shop.order_status))::text"))
                .containsExactly("pending", "paid", "shipped", "delivered", "cancelled", "refunded");
    }

    @Test
    void generatesTheSameDataEveryTime() throws SQLException {
        DataSource first = TestPostgres.freshDatabase("demo_det_a");
        DataSource second = TestPostgres.freshDatabase("demo_det_b");
        DemoDatabase.load(first);
        DemoDatabase.load(second);
        String digest = "SELECT md5(string_agg(t::text, ',' ORDER BY t.order_id, t.line_no)) FROM shop.order_lines t";
        String reviews = "SELECT md5(string_agg(r::text, ',' ORDER BY r.review_id)) FROM shop.reviews r";

        assertThat(strings(first, digest)).isEqualTo(strings(second, digest));
        assertThat(strings(first, reviews)).isEqualTo(strings(second, reviews));
    }

    @Test
    void keepsItsNumbersConsistent() throws SQLException {
        DataSource ds = TestPostgres.freshDatabase("demo_consistent");
        DemoDatabase.load(ds);

        // every paid order's payment equals its total after discount
        assertThat(strings(
                        ds,
                        "SELECT count(*) FROM shop.order_totals t JOIN shop.payments p"
                                + " ON p.order_id = t.order_id AND p.amount > 0 WHERE p.amount <> t.total"))
                .containsExactly("0");
        assertThat(strings(
                        ds,
                        "SELECT count(*) FROM shop.shipments s JOIN shop.orders o USING (order_id)"
                                + " WHERE o.status NOT IN ('shipped', 'delivered', 'refunded')"))
                .containsExactly("0");
    }

    @Test
    void replacesAnEarlierLoadButNeverAForeignSchema() throws SQLException {
        DataSource ds = TestPostgres.freshDatabase("demo_reload");
        DemoDatabase.load(ds);
        DemoDatabase.Report again = DemoDatabase.load(ds);
        assertThat(again.rowsByTable().get("orders")).isEqualTo(4000);

        DataSource other = TestPostgres.freshDatabase("demo_foreign");
        execute(other, "CREATE SCHEMA shop; CREATE TABLE shop.precious (id int); INSERT INTO shop.precious VALUES (1)");

        assertThatThrownBy(() -> DemoDatabase.load(other))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("schema 'shop' that pg-agent did not create");
        assertThat(strings(other, "SELECT count(*) FROM shop.precious")).containsExactly("1");
        assertThat(DemoDatabase.isLoaded(other)).isFalse();
    }

    private static List<String> strings(DataSource ds, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
