package dev.pgagent.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the load and fault benchmarks at CI size and checks that they report every promise kept. */
class LoadBenchmarksIT {
    private static String previousWait;

    @BeforeAll
    static void shortThreadWait() {
        // JVM-wide idle pools end their threads within 60 s; CI does not wait for them (the benchmark says how many).
        previousWait = System.getProperty("load.threadWaitSeconds");
        System.setProperty("load.threadWaitSeconds", "10");
    }

    @AfterAll
    static void restore() {
        if (previousWait == null) {
            System.clearProperty("load.threadWaitSeconds");
        } else {
            System.setProperty("load.threadWaitSeconds", previousWait);
        }
    }

    /** A benchmark's entry point: arguments and report stream in, exit code out. */
    private interface Benchmark {
        int run(String[] args, PrintStream out) throws Exception;
    }

    /** Runs {@code benchmark}, prints its report and checks that it exited 0 and broke no promise. */
    private static String cleanReport(Benchmark benchmark, String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = benchmark.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(report);
        assertThat(exit).as(report).isZero();
        assertThat(report).contains("RESULT: every promise held").doesNotContain("BROKEN");
        return report;
    }

    @Test
    void twentySessionsOfThreeAsksKeepEveryPromise() throws Exception {
        String report = cleanReport(LoadBenchmark::run, "20", "3", "20");

        assertThat(report)
                .contains("asks: 60 in ")
                .contains("pgagent's own overhead")
                .contains("pool at the end: active 0, idle 10, total 10")
                .contains("backends after the pool closed: 0")
                .contains("threads left after closing everything: 0");
    }

    @Test
    void everyFaultEndsEachAskTypedAndInTimeAndTheNextAsksSucceed() throws Exception {
        String report = cleanReport(FaultBenchmark::run, "10", "2", "1000");

        for (String fault : List.of(
                "database restart",
                "model HTTP 500/503",
                "model stalls > read timeout",
                "model malformed JSON",
                "pool exhausted",
                "audit sink fails")) {
            assertThat(report).containsPattern(Pattern.quote(fault) + " +\\d+ +\\d+ +\\d+ +yes");
        }
        assertThat(report)
                .contains("accounts: total 2,000,000 (expected 2,000,000)")
                .contains("without an approved confirmation record 0")
                .contains("intact")
                .contains("backends after the pool closed: 0");
    }
}
