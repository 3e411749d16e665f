package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the client in a real terminal (tmux): line editing, history, Ctrl-C, and the status line. */
class TmuxIT {
    @TempDir
    Path dir;

    private Map<String, String> env(ScriptedModel model) {
        Map<String, String> env = new HashMap<>(DemoData.env(Map.of(
                "OPENAI_API_KEY",
                "sk-test-0123456789abcdef",
                "OPENAI_BASE_URL",
                model.baseUrl(),
                "PGAGENT_MODEL",
                "gpt-4o-mini")));
        env.put("XDG_STATE_HOME", dir.resolve("state").toString());
        env.put("HOME", dir.toString());
        env.put("TERM", "xterm-256color");
        return env;
    }

    @Test
    void chatCtrlCCancelsTheRunningQuestionKeepsTheConversationAndASecondOneLeaves() throws Exception {
        String marker = SlowQueries.marker();
        try (ScriptedModel model = new ScriptedModel()) {
            model.then(AskIT.toolCall("call_1", "execute_query", "SELECT count(*) AS orders FROM shop.orders", 100, 10))
                    .then(AskIT.answer("There are 4000 orders.", 100, 5))
                    .then(AskIT.toolCall("call_2", "execute_query", SlowQueries.sql(marker), 100, 10))
                    .then(AskIT.answer("You asked about orders.", 100, 5));
            try (Tmux t = Tmux.start(PgAgentProcess.script(dir, env(model), "chat", "--url", DemoData.url()))) {
                t.waitFor("pg-agent> ");
                t.type("How many orders are there?").send("Enter");
                t.waitFor("There are 4000 orders.");
                t.waitForCount("pg-agent> ", 2);

                t.type("How many pairs of numbers are there?").send("Enter");
                SlowQueries.await(marker, true, Tmux.DEADLINE);
                // the status line: spinner, elapsed time, the SQL running
                t.waitForMatch("[|/\\\\-] \\d+\\.\\d s  running: SELECT count\\(\\*\\) AS " + marker);
                t.send("C-c");
                String screen = t.waitFor("(cancelled; Ctrl-C again or Ctrl-D to leave)");
                SlowQueries.await(marker, false, SlowQueries.CANCELLED_WITHIN);
                assertThat(screen).doesNotContain("[exit");

                t.type("What did I ask first?").send("Enter");
                t.waitFor("You asked about orders.");
                assertThat(model.requests().get(model.requests().size() - 1))
                        .as("the conversation is kept")
                        .contains("How many orders are there?");

                t.waitForCount("pg-agent> ", 4);
                t.send("C-c");
                t.waitFor("(Ctrl-C again or Ctrl-D to leave)");
                t.send("C-c");
                t.waitFor("[exit 0]");
            }
        }
    }

    @Test
    void chatRecallsQuestionsAcrossRunsAndTakesQuestionsOverSeveralLines() throws Exception {
        try (ScriptedModel model = new ScriptedModel()) {
            model.then(AskIT.answer("First answer.", 100, 5))
                    .then(AskIT.answer("Second answer.", 100, 5))
                    .then(AskIT.answer("Third answer.", 100, 5))
                    .then(AskIT.answer("Fourth answer.", 100, 5));
            Path script = PgAgentProcess.script(dir, env(model), "chat", "--url", DemoData.url());
            try (Tmux t = Tmux.start(script)) {
                t.waitFor("pg-agent> ");
                t.type("How many orders \\").send("Enter");
                t.waitFor("...> ");
                t.type("were shipped?").send("Enter");
                t.waitFor("First answer.");
                t.waitForCount("pg-agent> ", 2);
                t.type("Which customer").send("M-Enter").type("spent most?").send("Enter");
                t.waitFor("Second answer.");
                t.waitForCount("pg-agent> ", 3);
                t.type("How many customers are there?").send("Enter");
                t.waitFor("Third answer.");
                t.waitForCount("pg-agent> ", 4);
                t.send("C-d");
                t.waitFor("[exit 0]");
            }
            assertThat(model.requests().get(0)).contains("How many orders \\nwere shipped?");
            assertThat(model.requests().get(1)).contains("Which customer\\nspent most?");
            Path history = dir.resolve("state").resolve("pgagent").resolve("history");
            assertThat(Files.readString(history)).contains("were shipped?").contains("How many customers are there?");

            // a new run recalls the last question with the up arrow
            try (Tmux t = Tmux.start(script)) {
                t.waitFor("pg-agent> ");
                t.send("Up");
                t.waitFor("pg-agent> How many customers are there?");
                t.send("Enter");
                t.waitFor("Fourth answer.");
                t.send("C-d");
                t.waitFor("[exit 0]");
            }
            assertThat(model.requests().get(3))
                    .contains("How many customers are there?")
                    .as("a new run starts a new conversation")
                    .doesNotContain("Which customer");
        }
    }

    @Test
    void askShowsTheModelThinkingThenTheStatementRunningAndCtrlCCancelsIt() throws Exception {
        String marker = SlowQueries.marker();
        try (ScriptedModel model = new ScriptedModel()) {
            CountDownLatch thinking =
                    model.thenWhenReleased(AskIT.toolCall("call_1", "execute_query", SlowQueries.sql(marker), 100, 10));
            model.then(AskIT.answer("Cancelled.", 100, 5));
            try (Tmux t = Tmux.start(PgAgentProcess.script(
                    dir, env(model), "ask", "--url", DemoData.url(), "How many pairs are there?"))) {
                t.waitForMatch("[|/\\\\-] \\d+\\.\\d s  thinking \\(model turn 1\\)");
                thinking.countDown();
                t.waitForMatch("\\d+\\.\\d s  running: SELECT count\\(\\*\\) AS " + marker);
                SlowQueries.await(marker, true, Tmux.DEADLINE);

                t.send("C-c");

                String screen = t.waitFor("[exit 130]");
                SlowQueries.await(marker, false, SlowQueries.CANCELLED_WITHIN);
                assertThat(screen).contains("pg-agent: the ask was cancelled (Ctrl-C)");
            }
        }
    }
}
