package dev.pgagent.benchmarks;

import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.safety.JSqlParserSafetyValidator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Measures the throughput of {@link JSqlParserSafetyValidator} over the labelled SQL corpus of agent-safety
 * ({@code agent-safety/src/test/resources/corpus/*.tsv}): every statement under the read-only, balanced and
 * permissive policies, warm-up rounds first, then measured rounds on one thread and on several threads sharing one
 * validator per policy. Prints statements per second per round, the median, and per-statement latency percentiles.
 *
 * <p>Run:
 *
 * <pre>
 * ./mvnw -q -pl benchmarks exec:java -Dbench.main=dev.pgagent.benchmarks.ValidatorBenchmark \
 *     [-Dbench.args="[rounds] [threads]"]
 * </pre>
 *
 * The repository root is the system property {@code bench.repo}, else the first directory upward from the working
 * directory that holds the corpus.
 */
public final class ValidatorBenchmark {
    private static final PrintStream OUT = System.out;
    private static final String CORPUS = "agent-safety/src/test/resources/corpus";
    private static final int WARMUP_ROUNDS = 3;

    private ValidatorBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args optional number of measured rounds (default 5), optional number of threads (default the number of
     *     processors)
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int threads = args.length > 1
                ? Integer.parseInt(args[1])
                : Runtime.getRuntime().availableProcessors();
        Path corpus = findCorpus();
        List<String> statements = load(corpus);
        List<JSqlParserSafetyValidator> validators = List.of(
                JSqlParserSafetyValidator.readOnly(),
                JSqlParserSafetyValidator.of(
                        SafetyPolicy.builder().level(PolicyLevel.BALANCED).build()),
                JSqlParserSafetyValidator.of(
                        SafetyPolicy.builder().level(PolicyLevel.PERMISSIVE).build()));
        int perRound = statements.size() * validators.size();
        OUT.printf(
                Locale.ROOT,
                "corpus: %d statements from %s; %d validations per round (3 levels)%n",
                statements.size(),
                corpus,
                perRound);

        long[] latencies = new long[perRound];
        for (int r = 0; r < WARMUP_ROUNDS; r++) {
            double rate = singleThreaded(statements, validators, latencies);
            OUT.printf(Locale.ROOT, "warm-up %d: %,.0f statements/s%n", r + 1, rate);
        }
        double[] single = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            single[r] = singleThreaded(statements, validators, latencies);
            OUT.printf(Locale.ROOT, "round %d (1 thread): %,.0f statements/s%n", r + 1, single[r]);
        }
        Arrays.sort(latencies);
        OUT.printf(
                Locale.ROOT,
                "per statement (last round): p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                ms(latencies[latencies.length / 2]),
                ms(latencies[(int) (latencies.length * 0.9)]),
                ms(latencies[(int) (latencies.length * 0.99)]),
                ms(latencies[latencies.length - 1]));

        double[] multi = new double[rounds];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int r = 0; r < rounds; r++) {
                multi[r] = multiThreaded(statements, validators, pool, threads);
                OUT.printf(Locale.ROOT, "round %d (%d threads): %,.0f statements/s%n", r + 1, threads, multi[r]);
            }
        } finally {
            pool.shutdownNow();
        }
        OUT.printf(
                Locale.ROOT,
                "median: %,.0f statements/s on 1 thread, %,.0f statements/s on %d threads%n",
                median(single),
                median(multi),
                threads);
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    private static double median(double[] values) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }

    private static double singleThreaded(
            List<String> statements, List<JSqlParserSafetyValidator> validators, long[] latencies) {
        int k = 0;
        int denied = 0;
        long start = System.nanoTime();
        for (JSqlParserSafetyValidator v : validators) {
            for (String sql : statements) {
                long t0 = System.nanoTime();
                Verdict verdict = v.validate(sql);
                latencies[k++] = System.nanoTime() - t0;
                if (verdict.isDenied()) {
                    denied++;
                }
            }
        }
        long elapsed = System.nanoTime() - start;
        if (denied == 0) {
            throw new IllegalStateException("no statement was denied; the corpus did not load as expected");
        }
        return k * 1e9 / elapsed;
    }

    private static double multiThreaded(
            List<String> statements, List<JSqlParserSafetyValidator> validators, ExecutorService pool, int threads)
            throws Exception {
        long start = System.nanoTime();
        List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                int n = 0;
                for (JSqlParserSafetyValidator v : validators) {
                    for (String sql : statements) {
                        v.validate(sql);
                        n++;
                    }
                }
                return n;
            }));
        }
        int total = 0;
        for (Future<Integer> f : futures) {
            total += f.get();
        }
        return total * 1e9 / (System.nanoTime() - start);
    }

    private static Path findCorpus() {
        String repo = System.getProperty("bench.repo");
        if (repo != null) {
            Path p = Path.of(repo).resolve(CORPUS);
            if (!Files.isDirectory(p)) {
                throw new IllegalStateException("bench.repo has no corpus at " + p);
            }
            return p;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve(CORPUS);
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find " + CORPUS + " above "
                + Path.of("").toAbsolutePath() + "; run from the repository or set -Dbench.repo=<repository root>");
    }

    /** Reads the SQL column of every corpus line (format: see agent-safety's corpus files). */
    static List<String> load(Path corpus) throws IOException {
        List<String> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(corpus)) {
            files = s.filter(p -> p.toString().endsWith(".tsv")).sorted().toList();
        }
        for (Path f : files) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t", 4);
                if (cols.length == 4) {
                    out.add(cols[3].replace("⏎", "\n").replace("⇥", "\t"));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no statements in " + corpus);
        }
        return out;
    }
}
