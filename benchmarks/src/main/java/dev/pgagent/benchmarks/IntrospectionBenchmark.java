package dev.pgagent.benchmarks;

import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.testsupport.TestPostgres;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Compares schema introspection ({@link PostgresDatabase#refreshSchema()}) with {@code pg_dump --schema-only} on a
 * database of 10,000 tables ({@link SchemaGenerator}: 10 columns each, keys, foreign keys and indexes on a share,
 * comments), in the same run, several rounds each, and reports the medians and their ratio (goal: introspection
 * takes at most a third of pg_dump). Then times the schema freshness check when nothing changed, 100 checks each
 * (median and p95; goal at most 20 ms): on an idle server (the transaction snapshot did not move) and on a busy one
 * (another session commits a transaction before every check, so the catalog aggregate runs each time). Last, the
 * refresh after one small change (another session comments a table, or adds a column; 20 times each): the check
 * finds the change and only the changed table is re-read (an unchanged one stays the same instance). Our side
 * borrows connections from a small pool ({@link BenchmarkPool}), as a host's pool would lend them.
 *
 * <p>Run:
 *
 * <pre>
 * ./mvnw -q -pl benchmarks exec:java -Dbench.main=dev.pgagent.benchmarks.IntrospectionBenchmark \
 *     [-Dbench.args="jdbc:postgresql://127.0.0.1:5432/postgres [rounds]"]
 * </pre>
 *
 * The server is the JDBC URL argument, else {@code PGAGENT_BENCH_JDBC_URL}, else the test server of
 * {@link TestPostgres} (embedded PostgreSQL when nothing else is configured). User and password come from
 * {@code PGAGENT_BENCH_USER} (default {@code postgres}) and {@code PGAGENT_BENCH_PASSWORD}. The database
 * {@code pgagent_bench_10k} is generated on first use (about half a minute) and reused afterwards. {@code pg_dump}
 * is looked up on the {@code PATH} and under {@code /usr/lib/postgresql/<version>/bin}; a binary older than the
 * server is not used. Without one, only our figures are printed, with a note.
 */
public final class IntrospectionBenchmark {
    static final String DATABASE = "pgagent_bench_10k";
    private static final PrintStream OUT = System.out;

    private IntrospectionBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args optional JDBC URL of the server's admin database, optional number of rounds (default 5)
     */
    public static void main(String[] args) throws Exception {
        String url = args.length > 0 && !args[0].isBlank() ? args[0] : System.getenv("PGAGENT_BENCH_JDBC_URL");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        SchemaGenerator.Target target;
        String adminDb;
        if (url != null && !url.isBlank()) {
            Matcher m = Pattern.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]*).*")
                    .matcher(url);
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "the JDBC URL must look like jdbc:postgresql://host:port/db but was " + url);
            }
            String user = System.getenv().getOrDefault("PGAGENT_BENCH_USER", "postgres");
            String password = System.getenv().getOrDefault("PGAGENT_BENCH_PASSWORD", "");
            target = new SchemaGenerator.Target(
                    m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)), user, password);
            adminDb = m.group(3).isEmpty() ? "postgres" : m.group(3);
        } else {
            TestPostgres.Server s = TestPostgres.server();
            target = new SchemaGenerator.Target(s.host(), s.port(), s.user(), s.password());
            adminDb = s.defaultDatabase();
        }
        OUT.printf(Locale.ROOT, "Server %s:%d, database %s%n", target.host(), target.port(), DATABASE);
        SchemaGenerator.ensure(target, adminDb, DATABASE, OUT);
        int serverMajor;
        String serverVersion;
        try (Connection c = target.connect(DATABASE)) {
            serverMajor = c.getMetaData().getDatabaseMajorVersion();
            serverVersion = c.getMetaData().getDatabaseProductVersion();
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(target.url(DATABASE));
        ds.setUser(target.user());
        if (!target.password().isEmpty()) {
            ds.setPassword(target.password());
        }
        // A pooled data source, as a host would pass; each refresh and check borrows a connection from it.
        BenchmarkPool pool = new BenchmarkPool(ds);
        PostgresDatabase db = PostgresDatabase.builder()
                .dataSource(pool)
                .schemaCheckInterval(Duration.ZERO)
                .build();

        SchemaModel model = db.refreshSchema(); // warm-up
        long columns =
                model.tables().stream().mapToLong(t -> t.columns().size()).sum();
        long fks =
                model.tables().stream().mapToLong(t -> t.foreignKeys().size()).sum();
        long indexes =
                model.tables().stream().mapToLong(t -> t.indexes().size()).sum();
        OUT.printf(
                Locale.ROOT,
                "PostgreSQL %s; model: %d relations, %d columns, %d foreign keys, %d indexes," + " %d enums%n",
                serverVersion,
                model.tables().size(),
                columns,
                fks,
                indexes,
                model.enums().size());
        check(model);

        String pgDump = findPgDump(serverMajor);
        if (pgDump == null) {
            OUT.println("pg_dump: not found on PATH or under /usr/lib/postgresql/*/bin (version >= " + serverMajor
                    + " needed); only our figures are reported.");
        } else {
            OUT.println("pg_dump: " + pgDump);
            runPgDump(pgDump, target); // warm-up
        }

        List<Double> dumpMs = new ArrayList<>();
        List<Double> ourMs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            if (pgDump != null) {
                dumpMs.add(runPgDump(pgDump, target));
            }
            long t0 = System.nanoTime();
            db.refreshSchema();
            ourMs.add(millis(t0));
        }

        // Freshness, idle server: let the snapshot settle (statistics delay), then check 100 times.
        db.refreshSchema();
        Thread.sleep(2_500);
        db.schema();
        List<Double> idle = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            long t0 = System.nanoTime();
            SchemaModel same = db.schema();
            idle.add(millis(t0));
            if (same.tables().size() != model.tables().size()) {
                throw new IllegalStateException("the schema changed during the benchmark");
            }
        }
        // Freshness, busy server: another session commits a transaction (an xid, no DDL) before each check.
        List<Double> busy = new ArrayList<>();
        try (Connection other = target.connect(DATABASE);
                Statement st = other.createStatement()) {
            for (int i = 0; i < 100; i++) {
                try (ResultSet rs = st.executeQuery("SELECT txid_current()")) {
                    rs.next();
                }
                long t0 = System.nanoTime();
                SchemaModel same = db.schema();
                busy.add(millis(t0));
                if (same.tables().size() != model.tables().size()) {
                    throw new IllegalStateException("the schema changed during the benchmark");
                }
            }
        }

        // Incremental refresh: one small DDL from another session, then schema() (the check finds the change and
        // re-reads only the changed table). 20 repetitions of each kind; the changes are undone afterwards.
        List<Double> afterComment = new ArrayList<>();
        List<Double> afterColumn = new ArrayList<>();
        incremental(db, target, afterComment, afterColumn);

        OUT.println();
        OUT.printf(
                Locale.ROOT,
                "%-58s %10s %10s%n",
                "10,000 tables x 10 columns (" + rounds + " rounds)",
                "median",
                "p95");
        double ourMedian = percentile(ourMs, 50);
        if (pgDump != null) {
            double dumpMedian = percentile(dumpMs, 50);
            OUT.printf(
                    Locale.ROOT,
                    "%-58s %8.0f ms %8.0f ms%n",
                    "pg_dump --schema-only",
                    dumpMedian,
                    percentile(dumpMs, 95));
            OUT.printf(
                    Locale.ROOT,
                    "%-58s %8.0f ms %8.0f ms%n",
                    "introspection (PostgresDatabase.refreshSchema)",
                    ourMedian,
                    percentile(ourMs, 95));
            OUT.printf(
                    Locale.ROOT,
                    "%-58s %10.2f %10s%n",
                    "ratio introspection / pg_dump (goal <= 0.33)",
                    ourMedian / dumpMedian,
                    "");
        } else {
            OUT.printf(
                    Locale.ROOT,
                    "%-58s %8.0f ms %8.0f ms%n",
                    "introspection (PostgresDatabase.refreshSchema)",
                    ourMedian,
                    percentile(ourMs, 95));
        }
        OUT.printf(
                Locale.ROOT,
                "%-58s %8.1f ms %8.1f ms%n",
                "refresh after COMMENT ON TABLE (check + incremental)",
                percentile(afterComment, 50),
                percentile(afterComment, 95));
        OUT.printf(
                Locale.ROOT,
                "%-58s %8.1f ms %8.1f ms%n",
                "refresh after ADD COLUMN (check + incremental)",
                percentile(afterColumn, 50),
                percentile(afterColumn, 95));
        pool.close();
        OUT.printf(
                Locale.ROOT,
                "%-58s %7.2f ms %7.2f ms%n",
                "freshness check, no change, idle server (goal <= 20 ms)",
                percentile(idle, 50),
                percentile(idle, 95));
        OUT.printf(
                Locale.ROOT,
                "%-58s %7.2f ms %7.2f ms%n",
                "freshness check, no change, busy server (goal <= 20 ms)",
                percentile(busy, 50),
                percentile(busy, 95));
    }

    private static final int INCREMENTAL_REPETITIONS = 20;

    /**
     * Times {@link PostgresDatabase#schema()} right after another session commented a table, and after it added a
     * column, {@link #INCREMENTAL_REPETITIONS} times each; checks each time that the model shows the change and that
     * an unchanged table is the same instance as before (the refresh was incremental). Undoes the changes.
     */
    private static void incremental(
            PostgresDatabase db, SchemaGenerator.Target target, List<Double> afterComment, List<Double> afterColumn)
            throws Exception {
        String commented = SchemaGenerator.tableName(3);
        String widened = SchemaGenerator.tableName(4);
        SchemaModel start = db.schema();
        // A table without foreign keys: one pointing at a changed table is re-read with it (it names it).
        String witness = start.tables().stream()
                .filter(t -> t.foreignKeys().isEmpty() && t.kind() == TableKind.TABLE)
                .map(TableInfo::qualifiedName)
                .filter(n -> !n.equals(commented) && !n.equals(widened))
                .findFirst()
                .orElseThrow();
        TableInfo commentedTable = start.table(commented).orElseThrow();
        String originalComment = commentedTable.comment();
        try (Connection other = target.connect(DATABASE);
                Statement st = other.createStatement()) {
            try {
                for (int i = 0; i < INCREMENTAL_REPETITIONS; i++) {
                    TableInfo before = db.schema().table(witness).orElseThrow();
                    String comment = "benchmark comment " + i;
                    st.execute("COMMENT ON TABLE " + commentedTable.qualifiedName() + " IS '" + comment + "'");
                    long t0 = System.nanoTime();
                    SchemaModel m = db.schema();
                    afterComment.add(millis(t0));
                    expect(comment.equals(m.table(commented).orElseThrow().comment()), "the new comment");
                    expect(m.table(witness).orElseThrow() == before, "an unchanged table shared");
                }
                String qualified = start.table(widened).orElseThrow().qualifiedName();
                for (int i = 0; i < INCREMENTAL_REPETITIONS; i++) {
                    TableInfo before = db.schema().table(witness).orElseThrow();
                    st.execute("ALTER TABLE " + qualified + " ADD COLUMN bench_extra_" + i + " int");
                    long t0 = System.nanoTime();
                    SchemaModel m = db.schema();
                    afterColumn.add(millis(t0));
                    expect(
                            m.table(widened)
                                    .orElseThrow()
                                    .column("bench_extra_" + i)
                                    .isPresent(),
                            "the new column");
                    expect(m.table(witness).orElseThrow() == before, "an unchanged table shared");
                }
            } finally {
                StringBuilder drop = new StringBuilder(
                        "ALTER TABLE " + start.table(widened).orElseThrow().qualifiedName());
                for (int i = 0; i < INCREMENTAL_REPETITIONS; i++) {
                    drop.append(i == 0 ? " " : ", ")
                            .append("DROP COLUMN IF EXISTS bench_extra_")
                            .append(i);
                }
                st.execute(drop.toString());
                st.execute("COMMENT ON TABLE " + commentedTable.qualifiedName() + " IS "
                        + (originalComment == null ? "NULL" : "'" + originalComment.replace("'", "''") + "'"));
            }
        }
    }

    private static void expect(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("the refreshed schema does not show " + what);
        }
    }

    private static void check(SchemaModel model) {
        int expected = SchemaGenerator.TABLES + 1; // plus the marker table
        if (model.tables().size() != expected) {
            throw new IllegalStateException("expected " + expected + " relations but read "
                    + model.tables().size());
        }
        TableInfo t = model.table(SchemaGenerator.tableName(1)).orElseThrow();
        if (t.columns().size() != 10 || t.foreignKeys().size() != 1 || t.comment() == null) {
            throw new IllegalStateException("unexpected shape of " + t);
        }
    }

    private static double runPgDump(String pgDump, SchemaGenerator.Target target)
            throws IOException, InterruptedException {
        File out = File.createTempFile("pgagent-bench-dump", ".sql");
        try {
            ProcessBuilder pb = new ProcessBuilder(
                    pgDump,
                    "--schema-only",
                    "--no-password",
                    "-h",
                    target.host(),
                    "-p",
                    Integer.toString(target.port()),
                    "-U",
                    target.user(),
                    "-d",
                    DATABASE,
                    "-f",
                    out.getAbsolutePath());
            if (!target.password().isEmpty()) {
                pb.environment().put("PGPASSWORD", target.password());
            }
            pb.redirectErrorStream(true);
            long t0 = System.nanoTime();
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("pg_dump failed: " + output);
            }
            return millis(t0);
        } finally {
            Files.deleteIfExists(out.toPath());
        }
    }

    /** Returns a pg_dump of at least the server's major version, or null. */
    static String findPgDump(int serverMajor) {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                candidates.add(Path.of(dir, "pg_dump"));
            }
        }
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> versions = Files.list(lib)) {
                versions.sorted(Collections.reverseOrder()).forEach(v -> candidates.add(v.resolve("bin/pg_dump")));
            } catch (IOException e) {
                // no versioned installations
            }
        }
        for (Path p : candidates) {
            if (Files.isExecutable(p)) {
                int major = majorVersion(p);
                if (major >= serverMajor) {
                    return p.toString();
                }
            }
        }
        return null;
    }

    private static int majorVersion(Path pgDump) {
        try {
            Process p = new ProcessBuilder(pgDump.toString(), "--version")
                    .redirectErrorStream(true)
                    .start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("(\\d+)(?:\\.\\d+)?").matcher(v);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static double millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
