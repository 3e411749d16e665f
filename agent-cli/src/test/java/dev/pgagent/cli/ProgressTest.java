package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private static final Verdict READ = Verdict.allow(StatementKind.READ, "A read-only query.", Set.of());

    @Test
    void drawsTheModelThinkingThenTheStatementRunningThenClearsTheLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String sql = "SELECT count(*)\n  FROM shop.orders";
        try (Progress p = Progress.on(new PrintStream(err, true, StandardCharsets.UTF_8), () -> 60)) {
            p.onEvent(new AgentEvent.ModelCallStarted("s", "a", 1));
            String thinking = err.toString(StandardCharsets.UTF_8);
            p.onEvent(new AgentEvent.ModelCallFinished("s", "a", 1, null, TokenUsage.ZERO, Duration.ZERO, null));
            p.onEvent(new AgentEvent.StatementStarted("s", "a", "default", sql, READ, false));
            String running = err.toString(StandardCharsets.UTF_8).substring(thinking.length());
            p.onEvent(new AgentEvent.StatementFinished("s", "a", "default", StatementOutcome.refused(sql, READ)));
            p.onEvent(new AgentEvent.AskFinished("s", "a", AgentStatus.COMPLETED, null, Duration.ZERO));

            // (the spinner may have turned meanwhile: the line is drawn again ten times a second)
            assertThat(thinking).matches("(?s)\r\033\\[2K[|/\\\\-] \\d+\\.\\d s  thinking \\(model turn 1\\).*");
            assertThat(running).contains("s  running: SELECT count(*) FROM shop.orders");
            assertThat(err.toString(StandardCharsets.UTF_8)).endsWith("\r\033[2K");
        }
    }

    @Test
    void cutsALongStatementToTheTerminalWidth() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Progress p = Progress.on(new PrintStream(err, true, StandardCharsets.UTF_8), () -> 40)) {
            p.onEvent(new AgentEvent.StatementStarted(
                    "s", "a", "default", "SELECT " + "x, ".repeat(50) + "y", READ, false));
            String line = err.toString(StandardCharsets.UTF_8).split("\r\033\\[2K")[1];
            assertThat(line).hasSizeLessThanOrEqualTo(39).endsWith("...");
        }
    }

    @Test
    void theDisabledProgressPrintsNothing() {
        Progress.NONE.onEvent(new AgentEvent.ModelCallStarted("s", "a", 1));
        StringBuilder printed = new StringBuilder();
        Progress.NONE.print(() -> printed.append("line"));

        assertThat(Progress.NONE.enabled()).isFalse();
        assertThat(printed).hasToString("line");
    }
}
