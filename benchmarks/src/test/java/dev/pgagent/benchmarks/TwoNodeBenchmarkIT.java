package dev.pgagent.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The two-node benchmark, small: two node JVMs, a scripted model on loopback, the real PostgreSQL stores. */
class TwoNodeBenchmarkIT {
    private static final int CONVERSATIONS = 6;
    private static final int TURNS = 4;
    private static final int KILLED = 3;

    @Test
    void twoNodesKeepEveryPromise() throws Exception {
        TwoNodeBenchmark.Report report = TwoNodeBenchmark.run(
                new TwoNodeBenchmark.Settings(CONVERSATIONS, TURNS, 3, "twonode_it", KILLED, false), System.out);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        report.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
        System.out.print(printed.toString(StandardCharsets.UTF_8));

        assertThat(report.broken).isEmpty();
        assertThat(report.clean()).isTrue();
        // the killed node's conversations: three reads each
        assertThat(report.killedConversations).isEqualTo(KILLED);
        int twice = report.askedTwice.size();
        assertThat(report.asks).isEqualTo(CONVERSATIONS * (TURNS + 4L) + KILLED * 3L + twice);
        assertThat(report.resumes).isEqualTo(CONVERSATIONS * 3L);
        // each race: exactly one winner, the other refused
        assertThat(report.wins).isEqualTo(CONVERSATIONS);
        assertThat(report.conflicts + report.lateLosers).isEqualTo(CONVERSATIONS);
        // each read asked on both nodes at once: one ran, the other refused (or ran after it, not at once)
        assertThat(report.askConflicts + twice).isEqualTo(CONVERSATIONS);
        assertThat(report.verification.intact()).isTrue();
        assertThat(report.perChain).containsOnlyKeys("node-a", "node-b", "node-c");
        assertThat(report.auditRows).isEqualTo(report.verification.records());
        assertThat(report.historyAsks).isEqualTo(CONVERSATIONS * (TURNS + 4L) + KILLED * 3L + twice);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("all promises held");
    }

    @Test
    void aLostAuditRecordIsABrokenPromise() throws Exception {
        TwoNodeBenchmark.Report report =
                TwoNodeBenchmark.run(new TwoNodeBenchmark.Settings(2, 2, 2, "twonode_it_lost", 0, true), System.out);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        report.print(new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(report.clean()).isFalse();
        assertThat(report.verification.intact()).isFalse();
        assertThat(report.broken)
                .anySatisfy(b -> assertThat(b).startsWith("chain node-b: the node recorded"))
                .anySatisfy(b -> assertThat(b).contains("statements executed per step"));
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("BROKEN PROMISES");
    }
}
