package dev.pgagent.benchmarks;

import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.db.postgres.IndexAdvice;
import dev.pgagent.db.postgres.IndexAdvisor;
import dev.pgagent.db.postgres.IndexRecommendation;
import dev.pgagent.db.postgres.PlanAnalysis;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.safety.JSqlParserSafetyValidator;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The index advisor on a generated TPC-H-like database: region, nation, supplier, customer, part, partsupp, orders
 * and lineitem with primary and foreign keys and no secondary index (at scale 1: 150,000 customers, 1,500,000
 * orders, about 6,000,000 line items), and a workload of 17 selective reads (lookups by foreign key, date ranges,
 * joins, ORDER BY ... LIMIT). It prints what {@link PlanAnalysis} finds in the workload's plans, runs the advisor
 * with hypopg under a size budget and prints its recommendations, the planner's estimated workload cost before and
 * after and the advice time, then times the workload (the median of some runs) before and after creating the
 * recommended indexes for real with their {@code CREATE INDEX CONCURRENTLY} statements, and prints the speed-up. It
 * exits non-zero when the speed-up is under 2x. The database ({@value #DB}) is created on the bench server
 * (PGAGENT_BENCH_JDBC_URL, else the test server), which must have hypopg, and dropped at the end.
 *
 * <pre>{@code benchmarks/run IndexAdvisorBenchmark [scale [budgetMb [runs]]]}</pre>
 */
public final class IndexAdvisorBenchmark {
    static final String DB = "pgagent_bench_advisor";
    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    /** The workload: reads an application would run, each selective. */
    static final List<String> WORKLOAD = List.of(
            "SELECT o_orderkey, o_orderdate, o_totalprice FROM orders WHERE o_custkey = 12345 ORDER BY o_orderdate DESC",
            "SELECT o.o_orderkey, sum(l.l_extendedprice * (1 - l.l_discount)) AS revenue FROM orders o JOIN lineitem l"
                    + " ON l.l_orderkey = o.o_orderkey WHERE o.o_custkey = 4242 GROUP BY o.o_orderkey",
            "SELECT l_orderkey, l_quantity, l_extendedprice FROM lineitem WHERE l_partkey = 777",
            "SELECT count(*) FROM lineitem WHERE l_suppkey = 55 AND l_shipdate BETWEEN DATE '1995-03-01' AND"
                    + " DATE '1995-03-31'",
            "SELECT count(*), sum(o_totalprice) FROM orders WHERE o_orderdate = DATE '1996-06-01'",
            "SELECT l_orderkey, l_extendedprice FROM lineitem WHERE l_shipdate = DATE '1997-01-15' AND"
                    + " l_shipmode = 'AIR'",
            "SELECT o_orderkey, o_totalprice FROM orders WHERE o_orderstatus = 'O' ORDER BY o_totalprice DESC LIMIT 10",
            "SELECT c_custkey, c_name, c_acctbal FROM customer WHERE c_phone = '17-555-0133'",
            "SELECT c_custkey, c_acctbal FROM customer WHERE c_nationkey = 7 ORDER BY c_acctbal DESC LIMIT 20",
            "SELECT ps_partkey, ps_availqty, ps_supplycost FROM partsupp WHERE ps_suppkey = 123",
            "SELECT p_partkey, p_name, p_retailprice FROM part WHERE p_brand = 'Brand#23' AND p_size = 15",
            "SELECT o_orderkey, o_orderdate, o_custkey FROM orders ORDER BY o_orderdate DESC LIMIT 20",
            "SELECT l_orderkey, l_linenumber FROM lineitem WHERE l_receiptdate = DATE '1994-05-05' AND"
                    + " l_returnflag = 'R'",
            "SELECT c.c_name, o.o_orderkey, o.o_totalprice FROM customer c JOIN orders o ON o.o_custkey = c.c_custkey"
                    + " WHERE c.c_phone = '20-555-0199'",
            "SELECT s.s_name, ps.ps_supplycost FROM partsupp ps JOIN supplier s ON s.s_suppkey = ps.ps_suppkey"
                    + " WHERE ps.ps_partkey = 4711",
            "SELECT o.o_orderdate, l.l_quantity FROM lineitem l JOIN orders o ON o.o_orderkey = l.l_orderkey"
                    + " WHERE l.l_partkey = 1234 AND l.l_shipdate >= DATE '1996-01-01'",
            "SELECT count(*) FROM orders WHERE o_clerk = 'Clerk#000000123' AND o_orderdate >= DATE '1997-01-01'");

    private IndexAdvisorBenchmark() {}

    public static void main(String[] args) throws Exception {
        double scale = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        long budgetMb = args.length > 1 ? Long.parseLong(args[1]) : 1024;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        if (!(scale > 0) || budgetMb < 1 || runs < 1) {
            throw new IllegalArgumentException(
                    "scale must be > 0, budgetMb >= 1 and runs >= 1 but were " + scale + ", " + budgetMb + ", " + runs);
        }
        ContextBenchmark.Server server = ContextBenchmark.server();
        OUT.printf(
                Locale.ROOT,
                "IndexAdvisorBenchmark: scale %.2f, budget %d MB, %d timed runs, server %s%n",
                scale,
                budgetMb,
                runs,
                server.describe());
        try (Connection admin = server.connect(server.adminDb());
                Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + DB);
        }
        boolean ok;
        try {
            ok = run(server, scale, budgetMb, runs);
        } finally {
            try (Connection admin = server.connect(server.adminDb());
                    Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
            }
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean run(ContextBenchmark.Server server, double scale, long budgetMb, int runs) throws Exception {
        DataSource ds = server.dataSource(DB);
        long t0 = System.nanoTime();
        generate(ds, scale);
        OUT.printf(Locale.ROOT, "generated in %.1f s:%n", (System.nanoTime() - t0) / 1e9);
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT relname, reltuples::bigint, pg_size_pretty(pg_table_size(oid))"
                        + " FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
                        + " ORDER BY reltuples DESC")) {
            while (rs.next()) {
                OUT.printf(Locale.ROOT, "  %-10s %,12d rows  %s%n", rs.getString(1), rs.getLong(2), rs.getString(3));
            }
        }

        findings(ds);

        IndexAdvisor advisor = IndexAdvisor.builder()
                .validator(JSqlParserSafetyValidator.readOnly())
                .budgetBytes(budgetMb << 20)
                .build();
        IndexAdvice advice = advisor.advise(ds, WORKLOAD);
        if (advice.method() != IndexAdvice.Method.HYPOPG) {
            throw new IllegalStateException("the bench server must have hypopg but the advice was costed "
                    + advice.method() + ": " + advice.notes());
        }
        OUT.println();
        OUT.println(advice.toText(100_000));

        List<Double> before = time(ds, runs, "before");
        long created = System.nanoTime();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("SET maintenance_work_mem = '256MB'");
            for (IndexRecommendation r : advice.recommendations()) {
                long t = System.nanoTime();
                st.execute(r.createStatement());
                OUT.printf(Locale.ROOT, "  created %s in %.1f s%n", r.indexName(), (System.nanoTime() - t) / 1e9);
            }
            st.execute("ANALYZE");
        }
        double buildSeconds = (System.nanoTime() - created) / 1e9;
        List<Double> after = time(ds, runs, "after");

        double mb = median(before);
        double ma = median(after);
        double speedUp = mb / ma;
        OUT.println();
        OUT.println("| measure | value |");
        OUT.println("|---|---|");
        OUT.printf(Locale.ROOT, "| statements in the workload | %d |%n", WORKLOAD.size());
        OUT.printf(Locale.ROOT, "| lineitem rows | %,d |%n", count(ds, "SELECT count(*) FROM lineitem"));
        OUT.printf(
                Locale.ROOT,
                "| indexes recommended (budget %d MB) | %d, %s |%n",
                budgetMb,
                advice.recommendations().size(),
                mbText(advice.totalSizeBytes()));
        OUT.printf(
                Locale.ROOT,
                "| estimated workload cost | %,.0f -> %,.0f (%.1fx) |%n",
                advice.totalCostBefore(),
                advice.totalCostAfter(),
                advice.totalCostBefore() / Math.max(1e-9, advice.totalCostAfter()));
        OUT.printf(
                Locale.ROOT, "| advice time | %.2f s |%n", advice.adviceTime().toMillis() / 1000.0);
        OUT.printf(Locale.ROOT, "| workload time, median of %d | %.3f s -> %.3f s |%n", runs, mb, ma);
        OUT.printf(Locale.ROOT, "| speed-up | %.1fx (goal >= 2x) |%n", speedUp);
        OUT.printf(
                Locale.ROOT,
                "| building the recommended indexes (CONCURRENTLY) and ANALYZE | %.1f s |%n",
                buildSeconds);
        if (speedUp < 2) {
            OUT.println("FAIL: the speed-up is under 2x");
            return false;
        }
        return true;
    }

    private static String mbText(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1048576.0);
    }

    /** Prints how many findings {@link PlanAnalysis} gives on each statement's plan before the advice. */
    private static void findings(DataSource ds) throws SQLException {
        SchemaModel model = PostgresDatabase.of(ds).schema();
        int total = 0;
        OUT.println();
        OUT.println("PlanAnalysis findings on the workload's plans (no secondary indexes):");
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            for (int i = 0; i < WORKLOAD.size(); i++) {
                String json;
                try (ResultSet rs = st.executeQuery("EXPLAIN (FORMAT JSON) " + WORKLOAD.get(i))) {
                    rs.next();
                    json = rs.getString(1);
                }
                List<PlanAnalysis.Finding> f = PlanAnalysis.of(json, model).findings();
                total += f.size();
                OUT.printf(Locale.ROOT, "  #%d: %d finding%s%n", i + 1, f.size(), f.size() == 1 ? "" : "s");
                for (PlanAnalysis.Finding x : f) {
                    OUT.println("      " + x.kind() + ": " + x.message() + " Fix: " + x.fix());
                }
            }
        }
        OUT.println("  total: " + total + " findings on " + WORKLOAD.size() + " statements");
    }

    /** Runs the workload {@code runs} times on one connection; returns each run's seconds. */
    private static List<Double> time(DataSource ds, int runs, String label) throws SQLException {
        List<Double> out = new ArrayList<>();
        long[] rows = new long[WORKLOAD.size()];
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            for (int r = 0; r < runs; r++) {
                long t = System.nanoTime();
                for (int i = 0; i < WORKLOAD.size(); i++) {
                    long n = 0;
                    try (ResultSet rs = st.executeQuery(WORKLOAD.get(i))) {
                        while (rs.next()) {
                            n++;
                        }
                    }
                    rows[i] = n;
                }
                double s = (System.nanoTime() - t) / 1e9;
                out.add(s);
                OUT.printf(Locale.ROOT, "workload %s, run %d: %.3f s%n", label, r + 1, s);
            }
        }
        OUT.println("  rows per statement " + label + ": " + Arrays.toString(rows));
        return out;
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static long count(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Creates and fills the TPC-H-like tables at {@code scale}, with keys and foreign keys, then analyzes them. */
    static void generate(DataSource ds, double scale) throws SQLException {
        long customers = Math.max(1000, Math.round(150_000 * scale));
        long orders = customers * 10;
        long parts = Math.max(1000, Math.round(200_000 * scale));
        long suppliers = Math.max(100, Math.round(10_000 * scale));
        String[] ddl = {
            "CREATE EXTENSION IF NOT EXISTS hypopg",
            "CREATE TABLE region (r_regionkey int NOT NULL, r_name text NOT NULL)",
            "CREATE TABLE nation (n_nationkey int NOT NULL, n_name text NOT NULL, n_regionkey int NOT NULL)",
            "CREATE TABLE supplier (s_suppkey int NOT NULL, s_name text NOT NULL, s_nationkey int NOT NULL,"
                    + " s_acctbal numeric(12,2) NOT NULL)",
            "CREATE TABLE customer (c_custkey int NOT NULL, c_name text NOT NULL, c_nationkey int NOT NULL,"
                    + " c_phone text NOT NULL, c_acctbal numeric(12,2) NOT NULL, c_mktsegment text NOT NULL)",
            "CREATE TABLE part (p_partkey int NOT NULL, p_name text NOT NULL, p_brand text NOT NULL,"
                    + " p_type text NOT NULL, p_size int NOT NULL, p_retailprice numeric(12,2) NOT NULL)",
            "CREATE TABLE partsupp (ps_partkey int NOT NULL, ps_suppkey int NOT NULL, ps_availqty int NOT NULL,"
                    + " ps_supplycost numeric(12,2) NOT NULL)",
            "CREATE TABLE orders (o_orderkey int NOT NULL, o_custkey int NOT NULL, o_orderstatus char(1) NOT NULL,"
                    + " o_totalprice numeric(12,2) NOT NULL, o_orderdate date NOT NULL, o_orderpriority text NOT NULL,"
                    + " o_clerk text NOT NULL)",
            "CREATE TABLE lineitem (l_orderkey int NOT NULL, l_linenumber int NOT NULL, l_partkey int NOT NULL,"
                    + " l_suppkey int NOT NULL, l_quantity int NOT NULL, l_extendedprice numeric(12,2) NOT NULL,"
                    + " l_discount numeric(4,2) NOT NULL, l_returnflag char(1) NOT NULL, l_linestatus char(1) NOT NULL,"
                    + " l_shipdate date NOT NULL, l_commitdate date NOT NULL, l_receiptdate date NOT NULL,"
                    + " l_shipmode text NOT NULL)",
            "INSERT INTO region SELECT g, (ARRAY['AFRICA','AMERICA','ASIA','EUROPE','MIDDLE EAST'])[g + 1]"
                    + " FROM generate_series(0, 4) g",
            "INSERT INTO nation SELECT g, 'NATION ' || g, g % 5 FROM generate_series(0, 24) g",
            "INSERT INTO supplier SELECT g, 'Supplier#' || lpad(g::text, 9, '0'), g % 25,"
                    + " ((g * 7919) % 1100000) / 100.0 - 999.99 FROM generate_series(1, " + suppliers + ") g",
            "INSERT INTO customer SELECT g, 'Customer#' || lpad(g::text, 9, '0'), (g * 31) % 25,"
                    + " lpad((10 + (g * 31) % 25)::text, 2, '0') || '-555-' || lpad((g % 10000)::text, 4, '0')"
                    + " || CASE WHEN g > 10000 THEN '-' || (g / 10000) ELSE '' END,"
                    + " ((g::bigint * 7919) % 1100000) / 100.0 - 999.99,"
                    + " (ARRAY['AUTOMOBILE','BUILDING','FURNITURE','HOUSEHOLD','MACHINERY'])[1 + g % 5]"
                    + " FROM generate_series(1, " + customers + ") g",
            "INSERT INTO part SELECT g, 'part ' || md5(g::text), 'Brand#' || (1 + g % 5) || (1 + (g / 5) % 5),"
                    + " (ARRAY['STANDARD','SMALL','MEDIUM','LARGE','ECONOMY','PROMO'])[1 + g % 6] || ' BRUSHED TIN',"
                    + " 1 + (g * 13) % 50, 900 + (g % 20001) / 100.0 FROM generate_series(1, " + parts + ") g",
            "INSERT INTO partsupp SELECT p, 1 + (p + s * (" + suppliers + " / 4 + (p - 1) / " + suppliers + ")) % "
                    + suppliers + ", 1 + (p * s * 17) % 9999, 1 + ((p * 7 + s) % 100000) / 100.0"
                    + " FROM generate_series(1, " + parts + ") p, generate_series(0, 3) s",
            "INSERT INTO orders SELECT g, 1 + (g::bigint * 7919) % " + customers + ","
                    + " CASE WHEN g % 50 = 0 THEN 'P' WHEN (g * 7) % 2400 < 1200 THEN 'F' ELSE 'O' END,"
                    + " 850 + ((g::bigint * 104729) % 50000000) / 100.0, DATE '1992-01-01' + (g * 7) % 2400,"
                    + " (ARRAY['1-URGENT','2-HIGH','3-MEDIUM','4-NOT SPECIFIED','5-LOW'])[1 + g % 5],"
                    + " 'Clerk#' || lpad((1 + (g * 13) % 1000)::text, 9, '0') FROM generate_series(1, " + orders
                    + ") g",
            // (l_partkey, l_suppkey) is one of the part's four partsupp rows, as the foreign key requires
            "INSERT INTO lineitem SELECT o, l, x.p, 1 + (x.p + ((o + l) % 4) * (" + suppliers + " / 4 + (x.p - 1) / "
                    + suppliers + ")) % " + suppliers + ","
                    + " 1 + (o + l) % 50, 900 + ((o * l) % 100000) / 10.0, ((o + l) % 11) / 100.0,"
                    + " CASE WHEN (o * 7) % 2400 < 1200 THEN (ARRAY['R','A'])[1 + (o + l) % 2] ELSE 'N' END,"
                    + " CASE WHEN (o * 7) % 2400 < 1200 THEN 'F' ELSE 'O' END,"
                    + " DATE '1992-01-01' + (o * 7) % 2400 + 1 + (o + l) % 121,"
                    + " DATE '1992-01-01' + (o * 7) % 2400 + 30 + (o * l) % 61,"
                    + " DATE '1992-01-01' + (o * 7) % 2400 + 2 + (o + l) % 121 + (o + 2 * l) % 30,"
                    + " (ARRAY['AIR','FOB','MAIL','RAIL','REG AIR','SHIP','TRUCK'])[1 + (o + l) % 7]"
                    + " FROM generate_series(1, " + orders + ") o, LATERAL generate_series(1, 1 + o % 7) l,"
                    + " LATERAL (SELECT 1 + (o * 31 + l * 7919) % " + parts + " AS p) x",
            "ALTER TABLE region ADD PRIMARY KEY (r_regionkey)",
            "ALTER TABLE nation ADD PRIMARY KEY (n_nationkey)",
            "ALTER TABLE supplier ADD PRIMARY KEY (s_suppkey)",
            "ALTER TABLE customer ADD PRIMARY KEY (c_custkey)",
            "ALTER TABLE part ADD PRIMARY KEY (p_partkey)",
            "ALTER TABLE partsupp ADD PRIMARY KEY (ps_partkey, ps_suppkey)",
            "ALTER TABLE orders ADD PRIMARY KEY (o_orderkey)",
            "ALTER TABLE lineitem ADD PRIMARY KEY (l_orderkey, l_linenumber)",
            "ALTER TABLE nation ADD FOREIGN KEY (n_regionkey) REFERENCES region",
            "ALTER TABLE supplier ADD FOREIGN KEY (s_nationkey) REFERENCES nation",
            "ALTER TABLE customer ADD FOREIGN KEY (c_nationkey) REFERENCES nation",
            "ALTER TABLE partsupp ADD FOREIGN KEY (ps_partkey) REFERENCES part",
            "ALTER TABLE partsupp ADD FOREIGN KEY (ps_suppkey) REFERENCES supplier",
            "ALTER TABLE orders ADD FOREIGN KEY (o_custkey) REFERENCES customer",
            "ALTER TABLE lineitem ADD FOREIGN KEY (l_orderkey) REFERENCES orders",
            "ALTER TABLE lineitem ADD FOREIGN KEY (l_partkey, l_suppkey) REFERENCES partsupp",
        };
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("SET maintenance_work_mem = '256MB'");
            for (String sql : ddl) {
                long t = System.nanoTime();
                st.execute(sql);
                if (sql.startsWith("INSERT") || sql.startsWith("ALTER TABLE lineitem")) {
                    OUT.printf(
                            Locale.ROOT,
                            "  %.1f s  %s%n",
                            (System.nanoTime() - t) / 1e9,
                            sql.length() > 60 ? sql.substring(0, 60) + "..." : sql);
                }
            }
            st.execute("VACUUM ANALYZE");
        }
    }
}
