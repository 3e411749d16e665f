package dev.pgagent.benchmarks;

import dev.pgagent.testsupport.TestPostgres;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times {@code pg-agent schema --json} as a whole process (start-up, introspection, JSON out) next to
 * {@code pg_dump --schema-only} on the generated 10,000-table database, in the same run, each writing to a file.
 * The client runs as {@code java -jar pg-agent.jar} and, when the launcher is given, as {@code bin/pg-agent} (which
 * uses a class-data-sharing archive). Goal: the client at most half of pg_dump's time.
 *
 * <p>Run with {@code benchmarks/cli-startup [rounds]}; the database is the one {@link IntrospectionBenchmark} uses
 * ({@value IntrospectionBenchmark#DATABASE}, generated on first use), on {@code PGAGENT_BENCH_JDBC_URL} when set,
 * else the PostgreSQL the tests find.
 */
public final class CliStartupBenchmark {
    private static final PrintStream OUT = System.out;

    private CliStartupBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args the path of pg-agent.jar, optionally the launcher script, optionally the number of rounds (5)
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: CliStartupBenchmark PG_AGENT_JAR [LAUNCHER [ROUNDS]]");
        }
        Path jar = Path.of(args[0]);
        Path launcher = args.length > 1 && !args[1].isBlank() ? Path.of(args[1]) : null;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        SchemaGenerator.Target target;
        String adminDb;
        String url = System.getenv("PGAGENT_BENCH_JDBC_URL");
        if (url != null && !url.isBlank()) {
            Matcher m = Pattern.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]*).*")
                    .matcher(url);
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "the JDBC URL must look like jdbc:postgresql://host:port/db but was " + url);
            }
            target = new SchemaGenerator.Target(
                    m.group(1),
                    m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)),
                    System.getenv().getOrDefault("PGAGENT_BENCH_USER", "postgres"),
                    System.getenv().getOrDefault("PGAGENT_BENCH_PASSWORD", ""));
            adminDb = m.group(3).isEmpty() ? "postgres" : m.group(3);
        } else {
            TestPostgres.Server s = TestPostgres.server();
            target = new SchemaGenerator.Target(s.host(), s.port(), s.user(), s.password());
            adminDb = s.defaultDatabase();
        }
        String database = IntrospectionBenchmark.DATABASE;
        OUT.printf(Locale.ROOT, "Server %s:%d, database %s%n", target.host(), target.port(), database);
        SchemaGenerator.ensure(target, adminDb, database, OUT);
        int serverMajor;
        try (var c = target.connect(database)) {
            serverMajor = c.getMetaData().getDatabaseMajorVersion();
        }
        String pgDump = IntrospectionBenchmark.findPgDump(serverMajor);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        OUT.println("java: " + java + " (" + System.getProperty("java.version") + ")");

        List<Variant> variants = new ArrayList<>();
        if (pgDump != null) {
            OUT.println("pg_dump: " + pgDump);
            variants.add(new Variant(
                    "pg_dump --schema-only",
                    List.of(
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
                            database),
                    false));
        } else {
            OUT.println("pg_dump: not found (version >= " + serverMajor + " needed); only our figures are reported");
        }
        variants.add(new Variant(
                "java -jar pg-agent.jar schema --json",
                List.of(java, "-jar", jar.toString(), "schema", "--json"),
                true));
        if (launcher != null) {
            variants.add(new Variant(
                    "bin/pg-agent schema --json (CDS archive)",
                    List.of(launcher.toString(), "schema", "--json"),
                    true));
        }
        Map<String, String> env = Map.of(
                "PGHOST",
                target.host(),
                "PGPORT",
                Integer.toString(target.port()),
                "PGUSER",
                target.user(),
                "PGPASSWORD",
                target.password(),
                "PGDATABASE",
                database);

        // warm-up: the server's caches, the page cache, and the launcher's archive (made on its first run)
        for (Variant v : variants) {
            run(v, env);
            run(v, env);
        }
        List<List<Double>> times = new ArrayList<>();
        variants.forEach(v -> times.add(new ArrayList<>()));
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < variants.size(); i++) {
                times.get(i).add(run(variants.get(i), env));
            }
        }
        OUT.println();
        OUT.printf(
                Locale.ROOT, "%-46s %10s %10s %10s%n", "whole process, " + rounds + " rounds", "median", "min", "max");
        double dump = Double.NaN;
        for (int i = 0; i < variants.size(); i++) {
            List<Double> t = times.get(i);
            double median = median(t);
            if (i == 0 && pgDump != null) {
                dump = median;
            }
            OUT.printf(
                    Locale.ROOT,
                    "%-46s %7.0f ms %7.0f ms %7.0f ms%n",
                    variants.get(i).name,
                    median,
                    Collections.min(t),
                    Collections.max(t));
        }
        if (!Double.isNaN(dump)) {
            for (int i = 1; i < variants.size(); i++) {
                OUT.printf(
                        Locale.ROOT,
                        "%-46s %10.2f   (goal <= 0.50)%n",
                        "ratio " + variants.get(i).name.replaceFirst(" schema --json.*", "") + " / pg_dump",
                        median(times.get(i)) / dump);
            }
        }
    }

    private record Variant(String name, List<String> command, boolean json) {}

    private static double run(Variant v, Map<String, String> env) throws IOException, InterruptedException {
        File out = File.createTempFile("pgagent-bench-cli", ".out");
        File err = File.createTempFile("pgagent-bench-cli", ".err");
        try {
            ProcessBuilder pb =
                    new ProcessBuilder(v.command).redirectOutput(out).redirectError(err);
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(v.name + " did not finish in 10 minutes");
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (p.exitValue() != 0) {
                throw new IllegalStateException(v.name + " failed (exit " + p.exitValue() + "): "
                        + Files.readString(err.toPath(), StandardCharsets.UTF_8));
            }
            if (v.json) {
                String head = new String(readHead(out.toPath()), StandardCharsets.UTF_8).stripLeading();
                if (!head.startsWith("{") || Files.size(out.toPath()) < 1_000_000) {
                    throw new IllegalStateException(v.name + " printed no schema document: " + head);
                }
            }
            return ms;
        } finally {
            Files.deleteIfExists(out.toPath());
            Files.deleteIfExists(err.toPath());
        }
    }

    private static byte[] readHead(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return in.readNBytes(200);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
