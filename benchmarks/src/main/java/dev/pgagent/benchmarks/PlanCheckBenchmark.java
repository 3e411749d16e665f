package dev.pgagent.benchmarks;

import dev.pgagent.db.postgres.DeniedData;
import dev.pgagent.db.postgres.ExecutionLimits;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.db.postgres.QueryCancellation;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the plan check of denied data costs a read: the same guarded reads with no host rules, then with a denied
 * column (every statement planned with {@code EXPLAIN (VERBOSE)} first and its relations looked up). Reports the
 * median and 95th percentile per query and overall. Run with {@code benchmarks/run PlanCheckBenchmark [rounds]}.
 */
public final class PlanCheckBenchmark {
    private static final PrintStream OUT = System.out;
    private static final String DB = "pgagent_plancheck_bench";

    private static final List<String> QUERIES = List.of(
            "SELECT count(*) FROM customers",
            "SELECT region, count(*), sum(total) FROM orders GROUP BY region ORDER BY 3 DESC",
            "SELECT c.name, sum(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id"
                    + " GROUP BY c.name ORDER BY 2 DESC LIMIT 10",
            "SELECT * FROM customer_directory WHERE region = 'north' LIMIT 50",
            "WITH big AS (SELECT customer_id FROM orders WHERE total > 900)"
                    + " SELECT count(DISTINCT customer_id) FROM big",
            "SELECT p.name, sum(i.qty) FROM order_items i JOIN products p ON p.id = i.product_id"
                    + " JOIN orders o ON o.id = i.order_id WHERE o.region = 'east' GROUP BY p.name ORDER BY 2 DESC",
            "SELECT month, sum(amount) FROM payments GROUP BY month ORDER BY month",
            "SELECT id, name FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE total < 5)");

    private PlanCheckBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        ContextBenchmark.Server server = ContextBenchmark.server();
        create(server);
        // pooled, as in a host: a fresh backend's catalog caches are cold, which would count against both columns
        BenchmarkPool pool = new BenchmarkPool(server.dataSource(DB));
        PostgresDatabase db = PostgresDatabase.of(pool);
        ExecutionLimits plain = ExecutionLimits.defaults();
        ExecutionLimits checked = plain.withDenied(new DeniedData(Set.of("audit_log"), Set.of("customers.ssn")));
        OUT.printf(
                "Plan check of denied data: %d queries, %d rounds each, alternating without and with rules%n",
                QUERIES.size(), rounds);
        OUT.printf("%-60s %14s %14s %14s%n", "query", "plain p50/p95", "checked p50/p95", "added p50");
        long[] allPlain = new long[QUERIES.size() * rounds];
        long[] allChecked = new long[QUERIES.size() * rounds];
        int k = 0;
        for (String sql : QUERIES) {
            for (int w = 0; w < 30; w++) {
                time(db, sql, plain);
                time(db, sql, checked);
            }
            long[] p = new long[rounds];
            long[] c = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                p[r] = time(db, sql, plain);
                c[r] = time(db, sql, checked);
                allPlain[k] = p[r];
                allChecked[k++] = c[r];
            }
            OUT.printf(
                    "%-60s %14s %14s %11.3f ms%n", abbreviate(sql), pair(p), pair(c), (pct(c, 50) - pct(p, 50)) / 1e6);
        }
        OUT.printf(
                "%-60s %14s %14s %11.3f ms%n",
                "all", pair(allPlain), pair(allChecked), (pct(allChecked, 50) - pct(allPlain, 50)) / 1e6);
        pool.close();
    }

    private static long time(PostgresDatabase db, String sql, ExecutionLimits limits) {
        long t0 = System.nanoTime();
        db.read(sql, limits, new QueryCancellation());
        return System.nanoTime() - t0;
    }

    private static double pct(long[] values, int p) {
        long[] s = values.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }

    private static String pair(long[] v) {
        return String.format(Locale.ROOT, "%.2f/%.2f", pct(v, 50) / 1e6, pct(v, 95) / 1e6);
    }

    private static String abbreviate(String sql) {
        return sql.length() <= 58 ? sql : sql.substring(0, 55) + "...";
    }

    private static void create(ContextBenchmark.Server server) throws SQLException {
        try (Connection admin = server.connect(server.adminDb());
                Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + DB);
        }
        try (Connection c = server.connect(DB);
                Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE customers (id int PRIMARY KEY, name text, region text, ssn text);
                    CREATE TABLE products (id int PRIMARY KEY, name text, price numeric);
                    CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers, region text,
                      total numeric, placed date);
                    CREATE TABLE order_items (order_id int REFERENCES orders, product_id int REFERENCES products,
                      qty int);
                    CREATE TABLE payments (id int, amount numeric, month int) PARTITION BY RANGE (month);
                    CREATE TABLE payments_h1 PARTITION OF payments FOR VALUES FROM (1) TO (7);
                    CREATE TABLE payments_h2 PARTITION OF payments FOR VALUES FROM (7) TO (13);
                    CREATE TABLE audit_log (id int, entry text);
                    CREATE VIEW customer_directory AS SELECT id, name, region FROM customers;
                    INSERT INTO customers SELECT g, 'customer ' || g,
                      (ARRAY['north','south','east','west'])[1 + g % 4], lpad(g::text, 9, '0')
                      FROM generate_series(1, 20000) g;
                    INSERT INTO products SELECT g, 'product ' || g, g % 100 FROM generate_series(1, 500) g;
                    INSERT INTO orders SELECT g, 1 + g % 20000, (ARRAY['north','south','east','west'])[1 + g % 4],
                      (g * 37) % 1000, date '2026-01-01' + g % 300 FROM generate_series(1, 100000) g;
                    INSERT INTO order_items SELECT 1 + g % 100000, 1 + g % 500, 1 + g % 5
                      FROM generate_series(1, 200000) g;
                    INSERT INTO payments SELECT g, g % 500, 1 + g % 12 FROM generate_series(1, 50000) g;
                    CREATE INDEX ON orders (customer_id);
                    CREATE INDEX ON order_items (order_id);
                    ANALYZE;
                    """);
        }
    }
}
