package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pg-agent export}, {@code ask --export}, {@code history} and {@code chat --resume} on the demo shop. */
class ExportHistoryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String historyUrl;

    @TempDir
    Path dir;

    private MockWebServer model;

    @BeforeAll
    static void history() {
        DataSource ds = TestPostgres.freshDatabase("cli_history");
        historyUrl = DemoData.urlOf(ds);
    }

    @BeforeEach
    void startModel() throws Exception {
        model = new MockWebServer();
        model.start();
    }

    @AfterEach
    void stopModel() throws Exception {
        model.shutdown();
    }

    private Map<String, String> env(String schema) {
        Map<String, String> more = new HashMap<>(Map.of(
                "OPENAI_API_KEY",
                "sk-test-0123456789abcdef",
                "OPENAI_BASE_URL",
                model.url("/v1").toString(),
                "PGAGENT_USER",
                "carol"));
        if (schema != null) {
            more.put("PGAGENT_HISTORY_URL", historyUrl);
            more.put("PGAGENT_HISTORY_SCHEMA", schema);
        }
        return DemoData.env(more);
    }

    @Test
    void exportWritesEveryRowInTheFormatOfTheExtension() throws Exception {
        Path csv = dir.resolve("suppliers.csv");
        Path jsonl = dir.resolve("suppliers.jsonl");
        Path md = dir.resolve("suppliers.md");
        String sql = "SELECT supplier_id, name FROM shop.suppliers ORDER BY supplier_id";

        CliResult a = CliResult.run(env(null), "", "export", "--url", DemoData.url(), "--sql", sql, csv.toString());
        CliResult b = CliResult.run(env(null), "", "export", "--url", DemoData.url(), "--sql", sql, jsonl.toString());
        CliResult c = CliResult.run(env(null), "", "export", "--url", DemoData.url(), "--sql", sql, md.toString());

        assertThat(a.exitCode()).as(a.err()).isZero();
        assertThat(a.out())
                .startsWith("Exported 25 rows (")
                .contains(", csv) to " + csv)
                .contains("written by PostgreSQL's COPY");
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(26).first().isEqualTo("supplier_id,name");
        assertThat(b.exitCode()).as(b.err()).isZero();
        List<String> objects = Files.readAllLines(jsonl);
        assertThat(objects).hasSize(25);
        assertThat(JSON.readTree(objects.get(0)).get("supplier_id").isInt())
                .as(objects.get(0))
                .isTrue();
        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(Files.readAllLines(md)).hasSize(27).first().isEqualTo("| supplier_id | name |");
        assertThat(dir.toFile().list()).doesNotContain("suppliers.csv.part");
    }

    @Test
    void exportToStandardOutputWithAnotherDelimiterAndJsonSummary() throws Exception {
        CliResult r = CliResult.run(
                env(null),
                "",
                "export",
                "--url",
                DemoData.url(),
                "--delimiter",
                ";",
                "--sql",
                "SELECT 1 AS a, 'x,y' AS b",
                "-");
        Path file = dir.resolve("one.json");
        CliResult j = CliResult.run(
                env(null), "", "export", "--json", "--url", DemoData.url(), "--sql", "SELECT 1 AS a", file.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("a;b\n1;x,y\n");
        assertThat(r.err()).contains("Exported 1 row");
        JsonNode summary = JSON.readTree(j.out());
        assertThat(summary.get("rows").asInt()).isEqualTo(1);
        assertThat(summary.get("format").asText()).isEqualTo("json");
        assertThat(JSON.readTree(file.toFile()).get(0).get("a").asInt()).isEqualTo(1);
    }

    @Test
    void aRefusedExportLeavesNoFileAndExitsNonZero() {
        Path file = dir.resolve("gone.csv");

        CliResult r = CliResult.run(
                env(null),
                "",
                "export",
                "--url",
                DemoData.url(),
                "--sql",
                "DELETE FROM shop.orders RETURNING *",
                file.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("pg-agent: ").contains("rejected");
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void aLimitStopsTheExportAndSaysSo() throws Exception {
        Path file = dir.resolve("cut.csv");

        CliResult r = CliResult.run(
                env(null),
                "",
                "export",
                "--url",
                DemoData.url(),
                "--max-rows",
                "10",
                "--sql",
                "SELECT * FROM shop.orders",
                file.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("row limit (10 rows; --max-rows)");
        assertThat(Files.readAllLines(file)).hasSize(11);
    }

    @Test
    void anUnknownExtensionNeedsAFormat() {
        CliResult r = CliResult.run(
                env(null),
                "",
                "export",
                "--url",
                DemoData.url(),
                "--sql",
                "SELECT 1",
                dir.resolve("x.txt").toString());

        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("--format");
    }

    @Test
    void askExportWritesTheFinalStatementsResultInFull() throws Exception {
        model.enqueue(toolCall("call_1", "SELECT order_id, status FROM shop.orders ORDER BY order_id"));
        model.enqueue(answer("Here are the orders."));
        Path file = dir.resolve("orders.csv");

        CliResult r = CliResult.run(
                env(null), "", "ask", "--url", DemoData.url(), "--export", file.toString(), "List", "every", "order");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Here are the orders.").contains("Exported 4000 rows");
        assertThat(Files.readAllLines(file)).hasSize(4001).first().isEqualTo("order_id,status");
    }

    @Test
    void historyRecordsAsksAndShowsSearchesAndRerunsThem() throws Exception {
        String sql = "SELECT count(*) AS suppliers FROM shop.suppliers";
        model.enqueue(toolCall("call_1", sql));
        model.enqueue(answer("There are 25 suppliers."));
        CliResult ask = CliResult.run(env("cli_hist_a"), "", "ask", "--url", DemoData.url(), "How many suppliers?");
        assertThat(ask.exitCode()).as(ask.err()).isZero();

        CliResult list = CliResult.run(env("cli_hist_a"), "", "history");
        CliResult json = CliResult.run(env("cli_hist_a"), "", "history", "--json");
        CliResult search = CliResult.run(env("cli_hist_a"), "", "history", "search", "SUPPLIERS");
        CliResult none = CliResult.run(env("cli_hist_a"), "", "history", "search", "nothing like this");
        String id = JSON.readTree(json.out()).get(0).get("id").asText();
        CliResult show = CliResult.run(env("cli_hist_a"), "", "history", "show", id.substring(0, 8));
        CliResult rerun = CliResult.run(env("cli_hist_a"), "", "history", "rerun", id, "--url", DemoData.url());

        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out())
                .contains("completed")
                .contains("How many suppliers?")
                .contains(id.substring(0, 8));
        JsonNode first = JSON.readTree(json.out()).get(0);
        assertThat(first.get("principal").asText()).isEqualTo("carol");
        assertThat(first.get("answer").asText()).isEqualTo("There are 25 suppliers.");
        assertThat(search.out()).contains("How many suppliers?");
        assertThat(none.out()).contains("no ask matches");
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out())
                .contains("Ask " + id)
                .contains("Who:      carol")
                .contains("ALLOW READ, executed: 1 row")
                .contains(sql)
                .contains("pg-agent chat --resume");
        assertThat(rerun.exitCode()).as(rerun.err()).isZero();
        assertThat(rerun.out()).contains("ALLOW READ, executed").contains("25");
    }

    @Test
    void aRerunIsValidatedUnderTodaysPolicy() throws Exception {
        model.enqueue(toolCall("call_1", "SELECT count(*) FROM shop.suppliers"));
        model.enqueue(answer("25."));
        CliResult.run(env("cli_hist_b"), "", "ask", "--url", DemoData.url(), "How many suppliers?");
        String id = JSON.readTree(CliResult.run(env("cli_hist_b"), "", "history", "--json")
                        .out())
                .get(0)
                .get("id")
                .asText();
        Path audit = dir.resolve("audit.jsonl");

        CliResult r = CliResult.run(
                env("cli_hist_b"),
                "",
                "history",
                "rerun",
                id,
                "--json",
                "--audit",
                audit.toString(),
                "--url",
                DemoData.url());

        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("outcome").asText()).isEqualTo("EXECUTED");
        assertThat(doc.get("table").get("rows").get(0).get(0).asText()).isEqualTo("25");
        assertThat(Files.readString(audit)).contains("QUERY_EXECUTED").contains("pg-agent:carol");
    }

    @Test
    void historyWithoutAStoreSaysHowToConfigureOne() {
        CliResult r = CliResult.run(env(null), "", "history");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--history").contains("PGAGENT_HISTORY_URL");
    }

    @Test
    void goldenExamplesAreAddedShownToTheModelListedAndForgotten() throws Exception {
        String golden = "SELECT s.name, count(*) AS products FROM shop.suppliers s"
                + " JOIN shop.products p ON p.supplier_id = s.supplier_id GROUP BY s.name";
        CliResult add = CliResult.run(
                env("cli_hist_d"),
                "",
                "history",
                "example",
                "--url",
                DemoData.url(),
                "--sql",
                golden,
                "How many products does each supplier sell?");
        assertThat(add.exitCode()).as(add.err()).isZero();
        String exampleId = add.out().replaceAll("(?s).*added (example-[0-9a-f-]+).*", "$1");
        assertThat(exampleId).startsWith("example-");

        CliResult refused = CliResult.run(
                env("cli_hist_d"),
                "",
                "history",
                "example",
                "--url",
                DemoData.url(),
                "--sql",
                "DELETE FROM shop.products",
                "Remove every product");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("must be a read");

        CliResult list = CliResult.run(env("cli_hist_d"), "", "history", "examples", "--url", DemoData.url());
        assertThat(list.out())
                .contains(exampleId)
                .contains("each supplier sell")
                .contains("JOIN shop.products");

        model.enqueue(answer("Noted."));
        CliResult ask = CliResult.run(
                env("cli_hist_d"), "", "ask", "--url", DemoData.url(), "Which supplier sells the most products?");
        assertThat(ask.exitCode()).as(ask.err()).isZero();
        String prompt = model.takeRequest().getBody().readUtf8();
        assertThat(prompt)
                .contains("How many products does each supplier sell?")
                .contains("GROUP BY s.name");

        CliResult forget = CliResult.run(env("cli_hist_d"), "", "history", "forget", exampleId);
        assertThat(forget.exitCode()).as(forget.err()).isZero();
        assertThat(forget.out()).contains("deleted " + exampleId);
        CliResult after =
                CliResult.run(env("cli_hist_d"), "", "history", "examples", "--url", DemoData.url(), "--json");
        assertThat(JSON.readTree(after.out())).isEmpty();
        CliResult again = CliResult.run(env("cli_hist_d"), "", "history", "forget", exampleId);
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("nothing has the id");

        model.enqueue(answer("Noted again."));
        CliResult later = CliResult.run(
                env("cli_hist_d"), "", "ask", "--url", DemoData.url(), "Which supplier sells the most products?");
        assertThat(later.exitCode()).as(later.err()).isZero();
        assertThat(model.takeRequest().getBody().readUtf8()).doesNotContain("GROUP BY s.name");
    }

    @Test
    void aForgottenAskIsNeverShownAsAnExampleAgain() throws Exception {
        String sql = "SELECT count(*) AS suppliers FROM shop.suppliers";
        model.enqueue(toolCall("call_1", sql));
        model.enqueue(answer("There are 25 suppliers."));
        assertThat(CliResult.run(
                                env("cli_hist_e"),
                                "",
                                "ask",
                                "--url",
                                DemoData.url(),
                                "How many suppliers are" + " there?")
                        .exitCode())
                .isZero();
        model.takeRequest();
        model.takeRequest();
        model.enqueue(answer("Still 25."));
        assertThat(CliResult.run(
                                env("cli_hist_e"),
                                "",
                                "ask",
                                "--url",
                                DemoData.url(),
                                "How many suppliers do we" + " have?")
                        .exitCode())
                .isZero();
        assertThat(model.takeRequest().getBody().readUtf8()).contains(sql);

        String id = JSON.readTree(CliResult.run(env("cli_hist_e"), "", "history", "--json")
                        .out())
                .get(1)
                .get("id")
                .asText();
        CliResult forget = CliResult.run(env("cli_hist_e"), "", "history", "forget", id.substring(0, 8));
        assertThat(forget.exitCode()).as(forget.err()).isZero();
        assertThat(forget.out()).contains("never shown as an example again");

        model.enqueue(answer("Yes, 25."));
        assertThat(CliResult.run(
                                env("cli_hist_e"),
                                "",
                                "ask",
                                "--url",
                                DemoData.url(),
                                "How many suppliers are" + " listed?")
                        .exitCode())
                .isZero();
        assertThat(model.takeRequest().getBody().readUtf8()).doesNotContain(sql);
    }

    @Test
    void chatResumeContinuesTheLatestConversation() throws Exception {
        model.enqueue(toolCall("call_1", "SELECT count(*) FROM shop.suppliers"));
        model.enqueue(answer("There are 25 suppliers."));
        CliResult first =
                CliResult.run(env("cli_hist_c"), "How many suppliers?\n/quit\n", "chat", "--url", DemoData.url());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("Conversation ").contains("pg-agent chat --resume ");
        model.takeRequest();
        model.takeRequest();
        model.enqueue(answer("And 600 customers."));

        CliResult second = CliResult.run(
                env("cli_hist_c"), "And customers?\n/quit\n", "chat", "--resume", "--url", DemoData.url());

        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.out())
                .contains("Continuing conversation ")
                .contains("(1 earlier questions)")
                .contains("And 600 customers.");
        String body = model.takeRequest().getBody().readUtf8();
        assertThat(body)
                .contains("How many suppliers?")
                .contains("There are 25 suppliers.")
                .contains("And customers?");
    }

    private static MockResponse toolCall(String id, String sql) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-" + id)
                .put("object", "chat.completion")
                .put("created", 1_700_000_000L)
                .put("model", "gpt-4o-mini");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant").putNull("content");
        ObjectNode call = message.putArray("tool_calls").addObject();
        call.put("id", id).put("type", "function");
        call.putObject("function")
                .put("name", "execute_query")
                .put("arguments", JSON.createObjectNode().put("sql", sql).toString());
        choice.put("finish_reason", "tool_calls");
        body.putObject("usage")
                .put("prompt_tokens", 100)
                .put("completion_tokens", 10)
                .put("total_tokens", 110);
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body.toString());
    }

    private static MockResponse answer(String text) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-a")
                .put("object", "chat.completion")
                .put("created", 1_700_000_001L)
                .put("model", "gpt-4o-mini");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text);
        choice.put("finish_reason", "stop");
        body.putObject("usage")
                .put("prompt_tokens", 100)
                .put("completion_tokens", 10)
                .put("total_tokens", 110);
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body.toString());
    }

    @SuppressWarnings("unused")
    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
