package dev.pgagent.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

    @Test
    void twentySessionsOfThreeAsksKeepEveryPromise() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit =
                LoadBenchmark.run(new String[] {"20", "3", "20"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(report);

        assertThat(exit).as(report).isZero();
        assertThat(report)
                .contains("asks: 60 in ")
                .contains("pgagent's own overhead")
                .contains("pool at the end: active 0, idle 10, total 10")
                .contains("backends after the pool closed: 0")
                .contains("threads left after closing everything: 0")
                .contains("RESULT: every promise held")
                .doesNotContain("BROKEN");
    }

    @Test
    void everyFaultEndsEachAskTypedAndInTimeAndTheNextAsksSucceed() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = FaultBenchmark.run(
                new String[] {"10", "2", "1000"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(report);

        assertThat(exit).as(report).isZero();
        assertThat(report)
                .containsPattern("database restart +\\d+ +\\d+ +\\d+ +yes")
                .containsPattern("model HTTP 500/503 +\\d+ +\\d+ +\\d+ +yes")
                .containsPattern("model stalls > read timeout +\\d+ +\\d+ +\\d+ +yes")
                .containsPattern("model malformed JSON +\\d+ +\\d+ +\\d+ +yes")
                .containsPattern("pool exhausted +\\d+ +\\d+ +\\d+ +yes")
                .containsPattern("audit sink fails +\\d+ +\\d+ +\\d+ +yes")
                .contains("accounts: total 2,000,000 (expected 2,000,000)")
                .contains("without an approved confirmation record 0")
                .contains("intact")
                .contains("RESULT: every promise held")
                .doesNotContain("BROKEN");
    }
}
