package dev.pgagent.db.postgres;

import dev.pgagent.api.schema.ColumnRef;
import dev.pgagent.api.schema.ValueSampler;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PgValueSamplerIT {
    private static DataSource ds;
    private static PostgresDatabase db;

    @BeforeAll
    static void createTables() throws SQLException {
        ds = TestPostgres.freshDatabase("ctx_sampler");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA shop");
            st.execute("CREATE TABLE shop.orders (id bigint PRIMARY KEY, status text, note text)");
            // 600 shipped, 300 pending, 100 cancelled: most common first in pg_stats.
            st.execute("INSERT INTO shop.orders SELECT g, CASE WHEN g % 10 < 6 THEN 'shipped' WHEN g % 10 < 9"
                    + " THEN 'pending' ELSE 'cancelled' END, 'n' || g FROM generate_series(1, 1000) g");
            st.execute("ANALYZE shop.orders");
            // No statistics here: autovacuum is off and nobody runs ANALYZE, so the sampler must query the table.
            st.execute("CREATE TABLE shop.\"Odd \"\"Name\"\"\" (id int, \"Kind Of\" varchar(20))"
                    + " WITH (autovacuum_enabled = false)");
            st.execute("INSERT INTO shop.\"Odd \"\"Name\"\"\" VALUES (1, 'beta'), (2, 'alpha'), (3, 'beta'),"
                    + " (4, NULL), (5, 'it''s')");
        }
        db = PostgresDatabase.of(ds);
    }

    @Test
    void readsMostCommonValuesFromPgStatsAfterAnalyze() {
        ColumnRef status = new ColumnRef("shop", "orders", "status");
        Map<ColumnRef, List<String>> values = PgValueSampler.of(db).sample(List.of(status));
        assertThat(values.get(status)).containsExactly("shipped", "pending", "cancelled");
    }

    @Test
    void fallsBackToABoundedDistinctQueryWithQuotedIdentifiersAndCachesTheResult() throws SQLException {
        PgValueSampler sampler = PgValueSampler.builder().database(db).maxValues(10).build();
        ColumnRef kind = new ColumnRef("shop", "Odd \"Name\"", "Kind Of");
        assertThat(sampler.sample(List.of(kind)).get(kind)).containsExactly("alpha", "beta", "it's");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE shop.\"Odd \"\"Name\"\"\" SET \"Kind Of\" = 'gamma'");
        }
        assertThat(sampler.sample(List.of(kind)).get(kind)).containsExactly("alpha", "beta", "it's");
        assertThat(PgValueSampler.of(db).sample(List.of(kind)).get(kind)).containsExactly("gamma");
    }

    @Test
    void leavesOutColumnsThatCannotBeSampled() {
        ColumnRef missing = new ColumnRef("shop", "no_such_table", "x");
        ColumnRef status = new ColumnRef("shop", "orders", "status");
        Map<ColumnRef, List<String>> values = PgValueSampler.of(db).sample(List.of(missing, status));
        assertThat(values).doesNotContainKey(missing).containsKey(status);
    }
}
