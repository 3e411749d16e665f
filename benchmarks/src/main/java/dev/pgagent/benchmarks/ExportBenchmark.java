package dev.pgagent.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.sql.ExportFormat;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.ExportResult;
import dev.pgagent.core.PostgresAgent;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Export at COPY speed, measured: a table of mixed types (about 100 bytes a CSV row) exported to CSV through the
 * agent's guarded path ({@code GuardedPath.export}), next to {@code psql -c "\copy (SELECT ...) TO 'file' CSV
 * HEADER"} in the same run, alternating, with the two files compared byte for byte; then the same export as JSON
 * Lines (the cursor path). The JVM's heap while exporting is measured in child JVMs: the live heap after each
 * garbage collection and the peak of the heap pools, against an idle agent in the same JVM; and the export is run
 * once more in a JVM whose heap is capped at the idle agent's heap plus 64 MB, which must finish.
 *
 * <p>Run: {@code benchmarks/run ExportBenchmark [rows [rounds]]} (default 1,000,000 rows, 3 rounds);
 * {@code benchmarks/run ExportBenchmark 10000000 1} for ten million. The server is {@code PGAGENT_BENCH_JDBC_URL}
 * (or the test server); psql must be on the PATH.
 */
public final class ExportBenchmark {
    private static final PrintStream OUT = System.out;
    private static final String SQL = "SELECT * FROM bench_rows ORDER BY id";
    private static final long GOAL_MB = 64;

    private ExportBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args);
            return;
        }
        long rows = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000L;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ContextBenchmark.Server server = ContextBenchmark.server();
        String db = "pgagent_export_bench_" + rows;
        ensure(server, db, rows);
        Path dir = Files.createTempDirectory("pgagent-export-bench");
        Path mine = dir.resolve("agent.csv");
        Path theirs = dir.resolve("psql.csv");
        OUT.printf(
                Locale.ROOT,
                "Export of %,d rows (%s) on %s; JVM %s, %d cores%n",
                rows,
                SQL,
                server.describe(),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        BenchmarkPool pool = new BenchmarkPool(server.dataSource(db));
        long[] agentNs = new long[rounds];
        long[] psqlNs = new long[rounds];
        long[] jsonNs = new long[rounds];
        ExportResult last = null;
        ExportResult json = null;
        try (PostgresAgent agent = agent(pool)) {
            export(
                    agent,
                    dir.resolve("warm.csv"),
                    ExportOptions.builder().maxRows(1000).build()); // warm up
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                last = export(
                        agent,
                        mine,
                        ExportOptions.builder()
                                .maxRows(Long.MAX_VALUE)
                                .maxBytes(Long.MAX_VALUE)
                                .build());
                agentNs[r] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                psql(server, db, theirs);
                psqlNs[r] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                json = export(
                        agent,
                        dir.resolve("agent.jsonl"),
                        ExportOptions.builder()
                                .format(ExportFormat.JSONL)
                                .maxRows(Long.MAX_VALUE)
                                .maxBytes(Long.MAX_VALUE)
                                .build());
                jsonNs[r] = System.nanoTime() - t0;
            }
        }
        pool.close();
        boolean same = sha256(mine).equals(sha256(theirs));
        double ratio = median(agentNs) / median(psqlNs);
        OUT.printf(Locale.ROOT, "%-44s %10s %12s %14s%n", "", "median", "rows/s", "bytes");
        OUT.printf(
                Locale.ROOT,
                "%-44s %8.2f s %,12.0f %,14d%n",
                "psql \\copy ... CSV HEADER",
                median(psqlNs) / 1e9,
                rows / (median(psqlNs) / 1e9),
                Files.size(theirs));
        OUT.printf(
                Locale.ROOT,
                "%-44s %8.2f s %,12.0f %,14d%n",
                "GuardedPath.export CSV (COPY, " + (last.serverCopy() ? "server copy" : "cursor") + ")",
                median(agentNs) / 1e9,
                rows / (median(agentNs) / 1e9),
                last.byteCount());
        OUT.printf(
                Locale.ROOT,
                "%-44s %8.2f s %,12.0f %,14d%n",
                "GuardedPath.export JSON Lines (cursor)",
                median(jsonNs) / 1e9,
                rows / (median(jsonNs) / 1e9),
                json.byteCount());
        OUT.printf(
                Locale.ROOT,
                "CSV time / psql time: %.2f (goal <= 1.20: %s); files byte-for-byte equal: %s%n",
                ratio,
                ratio <= 1.2 ? "met" : "NOT met",
                same);
        OUT.printf(Locale.ROOT, "rounds (agent / psql, s): %s / %s%n", seconds(agentNs), seconds(psqlNs));
        heap(server, db, dir);
        for (File f : dir.toFile().listFiles()) {
            Files.deleteIfExists(f.toPath());
        }
        Files.deleteIfExists(dir);
    }

    private static PostgresAgent agent(javax.sql.DataSource ds) {
        return PostgresAgent.builder()
                .llm(request -> {
                    throw new LlmException("no model in this benchmark", LlmException.Reason.OTHER, false, null);
                })
                .dataSource(ds)
                .valueGrounding(false)
                .build();
    }

    private static ExportResult export(PostgresAgent agent, Path file, ExportOptions options) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            return agent.guardedPath("export-benchmark").export(SQL, out, options);
        }
    }

    private static void psql(ContextBenchmark.Server server, String db, Path file) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        "psql",
                        "-X",
                        "-q",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-h",
                        server.host(),
                        "-p",
                        Integer.toString(server.port()),
                        "-U",
                        server.user(),
                        "-d",
                        db,
                        "-c",
                        "\\copy (" + SQL + ") TO '" + file + "' CSV HEADER")
                .redirectErrorStream(true);
        pb.environment().put("PGTZ", TimeZone.getDefault().getID()); // the time zone pgjdbc gives its sessions
        pb.environment().put("PGCLIENTENCODING", "UTF8");
        pb.environment().put("PGDATESTYLE", "ISO");
        if (!server.password().isEmpty()) {
            pb.environment().put("PGPASSWORD", server.password());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("psql failed: " + out);
        }
    }

    /** Creates the table unless one of the right size is there: mixed types, about 100 bytes a CSV row. */
    private static void ensure(ContextBenchmark.Server server, String db, long rows) throws SQLException {
        try (Connection admin = server.connect(server.adminDb());
                Statement st = admin.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + db + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + db);
                }
            }
        }
        try (Connection c = server.connect(db);
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_class WHERE relname = 'bench_rows'")) {
                rs.next();
                if (rs.getLong(1) == 1) {
                    try (ResultSet n = st.executeQuery("SELECT obj_description('bench_rows'::regclass)")) {
                        n.next();
                        if (Long.toString(rows).equals(n.getString(1))) {
                            return;
                        }
                    }
                    st.execute("DROP TABLE bench_rows");
                }
            }
            OUT.printf(Locale.ROOT, "creating bench_rows with %,d rows ...%n", rows);
            st.execute("CREATE TABLE bench_rows AS SELECT g AS id, (g * 7919) % 1000003 AS n,"
                    + " round(((g % 100000) / 7.0)::numeric, 4) AS amount, 'customer ' || g AS name,"
                    + " g % 3 = 0 AS flag, timestamptz '2024-01-01 00:00:00+00' + g * interval '1.25 second' AS at,"
                    + " date '2020-01-01' + (g % 3000)::int AS day, md5(g::text)::uuid AS ref"
                    + " FROM generate_series(1, " + rows + ") g");
            st.execute("ALTER TABLE bench_rows ADD PRIMARY KEY (id)");
            st.execute("VACUUM ANALYZE bench_rows");
            st.execute("COMMENT ON TABLE bench_rows IS '" + rows + "'");
        }
    }

    /**
     * Measures the heap in child JVMs (a clean heap, not this one's): the idle agent and the export, then the export
     * again with the heap capped at the idle agent's heap plus the goal.
     */
    private static void heap(ContextBenchmark.Server server, String db, Path dir) throws Exception {
        List<String> free = child(server, db, dir, 512);
        OUT.println("heap (child JVM, -Xmx512m, G1):");
        free.forEach(line -> OUT.println("  " + line));
        long idleMb = free.stream()
                .filter(l -> l.startsWith("idle agent"))
                .map(l -> Long.parseLong(l.replaceAll(".*: ([0-9]+) MB.*", "$1")))
                .findFirst()
                .orElse(32L);
        long cap = idleMb + GOAL_MB;
        List<String> capped = child(server, db, dir, cap);
        OUT.printf(
                Locale.ROOT,
                "export in a child JVM capped at -Xmx%dm (idle agent %d MB + %d MB): %s%n",
                cap,
                idleMb,
                GOAL_MB,
                capped.stream()
                        .filter(l -> l.startsWith("export"))
                        .findFirst()
                        .orElse("FAILED: " + String.join(" | ", capped)));
    }

    private static List<String> child(ContextBenchmark.Server server, String db, Path dir, long xmxMb)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + xmxMb + "m",
                "-XX:+UseG1GC",
                "-cp",
                classPath(),
                ExportBenchmark.class.getName(),
                "--child",
                server.url(db),
                server.user(),
                server.password().isEmpty() ? "-" : server.password(),
                dir.resolve("child.csv").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (InputStream in = p.getInputStream()) {
            new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().forEach(lines::add);
        }
        p.waitFor(30, TimeUnit.MINUTES);
        return lines.stream().filter(l -> !l.contains(" INFO ") && !l.isBlank()).toList();
    }

    private static String classPath() {
        ClassLoader cl = ExportBenchmark.class.getClassLoader();
        if (cl instanceof URLClassLoader u) {
            List<String> entries = new ArrayList<>();
            for (URL url : u.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }

    /** The child: builds an idle agent, measures its heap, exports, reports the heap it took. */
    private static void child(String[] args) throws Exception {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setUrl(args[1]);
        ds.setUser(args[2]);
        if (!args[3].equals("-")) {
            ds.setPassword(args[3]);
        }
        Path file = Path.of(args[4]);
        try (PostgresAgent agent = agent(ds)) {
            export(agent, file, ExportOptions.builder().maxRows(1000).build()); // load every class on the path
            long idle = settledHeap();
            AtomicLong peakAfterGc = new AtomicLong(idle);
            List<Runnable> stop = watchGc(peakAfterGc);
            resetPeaks();
            long t0 = System.nanoTime();
            ExportResult r = export(
                    agent,
                    file,
                    ExportOptions.builder()
                            .maxRows(Long.MAX_VALUE)
                            .maxBytes(Long.MAX_VALUE)
                            .build());
            long took = System.nanoTime() - t0;
            long peakUsed = peakPools();
            stop.forEach(Runnable::run);
            System.out.printf(Locale.ROOT, "idle agent (after GC): %d MB%n", mb(idle));
            System.out.printf(
                    Locale.ROOT,
                    "export: %,d rows, %,d bytes in %.2f s; live heap after each GC at most"
                            + " %d MB (%+d MB over idle); heap pools' peak, garbage included, %d MB (%+d MB over idle);"
                            + " %d GCs%n",
                    r.rowCount(),
                    r.byteCount(),
                    took / 1e9,
                    mb(peakAfterGc.get()),
                    mb(peakAfterGc.get() - idle),
                    mb(peakUsed),
                    mb(peakUsed - idle),
                    gcCount());
        } catch (OutOfMemoryError e) {
            System.out.println("export: OUT OF MEMORY " + e.getMessage());
        }
    }

    private static long settledHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static List<Runnable> watchGc(AtomicLong peakAfterGc) {
        List<Runnable> stops = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!(gc instanceof NotificationEmitter emitter)) {
                continue;
            }
            javax.management.NotificationListener l = (n, handback) -> {
                if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    return;
                }
                GarbageCollectionNotificationInfo info =
                        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                long after = info.getGcInfo().getMemoryUsageAfterGc().values().stream()
                        .mapToLong(MemoryUsage::getUsed)
                        .sum();
                peakAfterGc.accumulateAndGet(after, Math::max);
            };
            emitter.addNotificationListener(l, null, null);
            stops.add(() -> {
                try {
                    emitter.removeNotificationListener(l);
                } catch (javax.management.ListenerNotFoundException e) {
                    // already gone
                }
            });
        }
        return stops;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    private static long peakPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed())
                .sum();
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .sum();
    }

    private static long mb(long bytes) {
        return Math.round(bytes / (1024.0 * 1024.0));
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static double median(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    private static String seconds(long[] ns) {
        StringBuilder sb = new StringBuilder();
        for (long n : ns) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", n / 1e9));
        }
        return sb.toString();
    }
}
