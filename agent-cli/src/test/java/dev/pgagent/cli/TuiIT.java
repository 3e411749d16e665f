package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the full-screen UI in a real terminal (tmux) against the demo shop and a scripted model: a result larger
 * than the screen, a refused statement, confirmations declined (y/n and typed), the schema browser, the palette
 * switching profile, Ctrl-C during a slow statement, and a resize.
 */
class TuiIT {
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

    private Tmux open(ScriptedModel model, int width, int height, String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "tui";
        System.arraycopy(args, 0, all, 1, args.length);
        Tmux t = Tmux.start(PgAgentProcess.script(dir, env(model), all), width, height);
        t.waitFor("F1 help");
        return t;
    }

    @Test
    void aResultLargerThanTheScreenPagesAndARefusalIsShownWithItsReason() throws Exception {
        try (ScriptedModel model = new ScriptedModel()) {
            model.then(AskIT.toolCall(
                            "c1",
                            "execute_query",
                            "SELECT order_id, status FROM shop.orders ORDER BY order_id LIMIT 200",
                            100,
                            10))
                    .then(AskIT.answer("Here are 200 orders.", 100, 5))
                    .then(AskIT.toolCall("c2", "execute_query", "DELETE FROM shop.orders", 100, 10))
                    .then(AskIT.answer("I may not delete.", 100, 5));
            try (Tmux t = open(model, 100, 30, "--url", DemoData.url())) {
                t.type("Show the first 200 orders").send("Enter");
                t.waitFor("Here are 200 orders.");
                t.waitFor("-> 200 rows");
                t.send("F3");
                List<String> first = t.waitForVisible(
                        l -> l.stream().anyMatch(x -> x.startsWith("order_id")), "the result's header");
                assertThat(String.join("\n", first)).contains("Result 1 of 1").contains("row 1 of 200");
                assertThat(first.stream().anyMatch(l -> l.matches("1\\s+\\|.*")))
                        .isTrue();
                t.send("PageDown").send("PageDown");
                // 30 lines leave 25 for rows: two pages down selects row 51, and the screen shows rows 27 to 51
                List<String> later =
                        t.waitForVisible(l -> String.join("\n", l).contains("row 51 of 200"), "the third page");
                assertThat(later.stream().anyMatch(l -> l.matches("1\\s+\\|.*")))
                        .as("row 1 scrolled away")
                        .isFalse();
                assertThat(later.stream().anyMatch(l -> l.matches("51\\s+\\|.*")))
                        .isTrue();

                t.send("F2");
                t.type("Delete every order").send("Enter");
                t.waitFor("I may not delete.");
                String screen = String.join("\n", t.visible());
                assertThat(screen).contains("-> refused:").contains("DELETE FROM shop.orders");
            }
        }
        assertThat(count("SELECT count(*) FROM shop.orders")).isEqualTo(4000);
    }

    @Test
    void confirmationsAreDialogsAndDecliningChangesNothing() throws Exception {
        try (Connection c = DemoData.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS shop.tui_scratch (id int)");
        }
        String status = "SELECT status FROM shop.orders WHERE order_id = 1";
        String before = text(status);
        try (ScriptedModel model = new ScriptedModel()) {
            model.then(AskIT.toolCall(
                            "c1",
                            "execute_query",
                            "UPDATE shop.orders SET status = '" + ("refunded".equals(before) ? "cancelled" : "refunded")
                                    + "' WHERE order_id = 1",
                            100,
                            10))
                    .then(AskIT.answer("Not updated.", 100, 5))
                    .then(AskIT.toolCall("c2", "execute_query", "DROP TABLE shop.tui_scratch", 100, 10))
                    .then(AskIT.answer("Not dropped.", 100, 5));
            try (Tmux t = open(model, 100, 30, "--url", DemoData.url(), "--policy", "permissive")) {
                t.type("Mark order 1").send("Enter");
                t.waitFor("Run it? y = yes");
                assertThat(String.join("\n", t.visible())).contains("The dry run changed 1 row");
                t.type("n");
                t.waitFor("Not updated.");
                assertThat(String.join("\n", t.visible())).contains("-> declined");

                t.type("Drop the scratch table").send("Enter");
                t.waitFor("Type '");
                t.type("not the name").send("Enter");
                t.waitFor("Not dropped.");
            }
        }
        assertThat(text(status)).isEqualTo(before);
        assertThat(count("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'shop' AND table_name"
                        + " = 'tui_scratch'"))
                .isEqualTo(1);
    }

    @Test
    void theSchemaBrowserFiltersAndShowsForeignKeysBothWays() throws Exception {
        try (ScriptedModel model = new ScriptedModel();
                Tmux t = open(model, 120, 40, "--url", DemoData.url())) {
            t.send("F4");
            t.waitFor("Filter: _");
            t.type("shop.orders");
            List<String> lines = t.waitForVisible(
                    l -> String.join("\n", l).contains("Filter: shop.orders_")
                            && String.join("\n", l).contains("References ("),
                    "the table's details");
            String screen = String.join("\n", lines);
            assertThat(screen)
                    .contains("shop.orders  (table")
                    .contains("PK ")
                    .contains("customer_id")
                    .contains("Indexes:")
                    .contains("[orders]")
                    .contains("shop.customers")
                    .contains("shop.order_lines");
        }
    }

    @Test
    void thePaletteSwitchesProfileAndTheScreenFollowsAResize() throws Exception {
        DataSource other = TestPostgres.freshDatabase("tui_other");
        try (Connection c = other.getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE other_things (id int PRIMARY KEY, label text)");
        }
        Path config = dir.resolve("pgagent.yaml");
        Files.writeString(
                config,
                "databases:\n"
                        + "  - name: shop\n    description: The demo shop.\n    url: " + DemoData.url() + "\n"
                        + "  - name: other\n    description: Other things.\n    url: " + DemoData.urlOf(other) + "\n");
        try (ScriptedModel model = new ScriptedModel();
                Tmux t = open(model, 100, 30, "--config", config.toString())) {
            t.waitFor(" shop: ");
            t.send("C-p");
            t.waitFor("Command palette");
            t.type("profile");
            t.waitFor("Switch profile: other");
            t.send("Enter");
            t.waitFor("(profile other: 1 tables");
            t.waitFor(" other: ");
            t.send("F4");
            t.waitFor("public.other_things");

            t.resize(80, 24);
            List<String> small = t.waitForVisible(
                    l -> l.size() == 24 && l.get(23).startsWith(" other: "), "the status bar on the last line of 24");
            assertThat(small).allMatch(l -> l.length() <= 80);
            t.send("C-q");
            t.waitFor("[exit 0]");
        }
    }

    @Test
    void sigtermLeavesTheAlternateScreenAndRestoresTheTerminal() throws Exception {
        try (ScriptedModel model = new ScriptedModel();
                Tmux t = open(model, 100, 30, "--url", DemoData.url())) {
            t.send("F4");
            t.waitFor("Filter: _");
            Process pgrep = new ProcessBuilder("pgrep", "-f", "pg-agent.jar tui").start();
            List<String> pids =
                    new String(pgrep.getInputStream().readAllBytes()).lines().toList();
            pgrep.waitFor();
            assertThat(pids).as("the one UI process of this test").hasSize(1);
            new ProcessBuilder("kill", "-TERM", pids.get(0)).start().waitFor();
            List<String> after = t.waitForVisible(l -> String.join("\n", l).contains("[exit 143]"), "the exit");
            // the shell's screen again: the UI's status bar and views are gone with the alternate screen
            assertThat(String.join("\n", after)).doesNotContain("F1 help").doesNotContain("Filter: _");
        }
    }

    @Test
    void ctrlCCancelsASlowStatementOnTheServerAndTheUiStays() throws Exception {
        String marker = SlowQueries.marker();
        try (ScriptedModel model = new ScriptedModel()) {
            model.then(AskIT.toolCall("c1", "execute_query", SlowQueries.sql(marker), 100, 10))
                    .then(AskIT.answer("Still here.", 100, 5));
            try (Tmux t = open(model, 100, 30, "--url", DemoData.url())) {
                t.type("Count the pairs").send("Enter");
                SlowQueries.await(marker, true, Tmux.DEADLINE);
                t.waitFor("[default] SELECT count(*) AS " + marker);
                t.waitFor("running: SELECT count(*) AS " + marker);
                t.send("C-c");
                t.waitFor("(cancelled; the conversation is kept)");
                SlowQueries.await(marker, false, SlowQueries.CANCELLED_WITHIN);
                t.type("Are you there?").send("Enter");
                t.waitFor("Still here.");
                assertThat(model.requests().get(model.requests().size() - 1)).contains("Count the pairs");
            }
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DemoData.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String text(String sql) throws Exception {
        try (Connection c = DemoData.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
