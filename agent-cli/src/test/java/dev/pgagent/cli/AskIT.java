package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives {@code ask} and {@code chat} end to end: a scripted model (MockWebServer) and the demo shop database. */
class AskIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-test-0123456789abcdef";
    private static final String TOP_CUSTOMERS = "SELECT c.first_name, c.last_name, sum(t.total) AS revenue"
            + " FROM shop.customers c JOIN shop.order_totals t ON t.customer_id = c.customer_id"
            + " WHERE t.status <> 'cancelled' GROUP BY c.customer_id ORDER BY revenue DESC LIMIT 3";

    private MockWebServer model;

    @BeforeEach
    void startModel() throws Exception {
        model = new MockWebServer();
        model.start();
    }

    @AfterEach
    void stopModel() throws Exception {
        model.shutdown();
    }

    private Map<String, String> env() {
        return DemoData.env(Map.of(
                "OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", model.url("/v1").toString(), "PGAGENT_MODEL", "gpt-4o-mini"));
    }

    @Test
    void askJsonRunsTheModelsQueryAndReportsEverything() throws Exception {
        model.enqueue(toolCall("call_1", "execute_query", TOP_CUSTOMERS, 812, 64));
        model.enqueue(answer("The top customer is the first row.", 1020, 23));

        CliResult r =
                CliResult.run(env(), "", "ask", "--json", "--url", DemoData.url(), "Who are our three best customers?");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(doc.get("answer").asText()).isEqualTo("The top customer is the first row.");
        JsonNode query = doc.get("queries").get(0);
        assertThat(query.get("sql").asText()).isEqualTo(TOP_CUSTOMERS);
        assertThat(query.get("decision").asText()).isEqualTo("ALLOW");
        assertThat(query.get("classification").asText()).isEqualTo("READ");
        assertThat(query.get("outcome").asText()).isEqualTo("EXECUTED");
        assertThat(query.get("rows").asInt()).isEqualTo(3);
        assertThat(doc.get("steps")).hasSize(2);
        assertThat(doc.get("steps").get(0).get("toolCalls").get(0).get("name").asText())
                .isEqualTo("execute_query");
        assertThat(doc.get("usage").get("inputTokens").asLong()).isEqualTo(812 + 1020);
        assertThat(doc.get("usage").get("outputTokens").asLong()).isEqualTo(64 + 23);
        // the host gets the real values, as PostgreSQL computed them
        JsonNode table = doc.get("tables").get(0);
        assertThat(table.get("columns").findValuesAsText("name")).containsExactly("first_name", "last_name", "revenue");
        assertThat(rows(table)).isEqualTo(query(TOP_CUSTOMERS));

        RecordedRequest first = model.takeRequest(5, TimeUnit.SECONDS);
        assertThat(first.getPath()).isEqualTo("/v1/chat/completions");
        assertThat(first.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode firstBody = JSON.readTree(first.getBody().readUtf8());
        assertThat(firstBody.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(firstBody.get("tools").findValuesAsText("name")).contains("execute_query");
        JsonNode secondBody =
                JSON.readTree(model.takeRequest(5, TimeUnit.SECONDS).getBody().readUtf8());
        JsonNode toolMessage = lastMessage(secondBody);
        assertThat(toolMessage.get("role").asText()).isEqualTo("tool");
        assertThat(toolMessage.get("tool_call_id").asText()).isEqualTo("call_1");
        assertThat(r.out() + r.err()).doesNotContain(KEY);
    }

    @Test
    void askAppendsTheAuditTrailToAFileWhenAsked(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        model.enqueue(toolCall("call_1", "execute_query", "SELECT count(*) FROM shop.suppliers", 100, 10));
        model.enqueue(answer("25 suppliers.", 200, 10));
        java.nio.file.Path audit = dir.resolve("audit.jsonl");

        CliResult r = CliResult.run(
                env(), "", "ask", "--audit", audit.toString(), "--url", DemoData.url(), "How many suppliers?");

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = java.nio.file.Files.readAllLines(audit);
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            assertThat(JSON.readTree(line).isObject()).isTrue();
        }
        assertThat(String.join("\n", lines))
                .contains("SELECT count(*) FROM shop.suppliers")
                .doesNotContain(KEY);
    }

    @Test
    void askWritesAChainedAuditTrailThatVerifiesAndRefusesToChainAnUnchainedFile(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        model.enqueue(toolCall("call_1", "execute_query", "SELECT count(*) FROM shop.suppliers", 100, 10));
        model.enqueue(answer("25 suppliers.", 200, 10));
        java.nio.file.Path audit = dir.resolve("chained.jsonl");

        CliResult r = CliResult.run(
                env(),
                "",
                "ask",
                "--audit",
                audit.toString(),
                "--audit-chained",
                "--url",
                DemoData.url(),
                "How many suppliers?");

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = java.nio.file.Files.readAllLines(audit);
        assertThat(lines)
                .isNotEmpty()
                .allSatisfy(line -> assertThat(JSON.readTree(line).has("hash")).isTrue());
        assertThat(String.join("\n", lines)).contains("SELECT count(*) FROM shop.suppliers");
        CliResult verified = CliResult.run("audit", "verify", audit.toString());
        assertThat(verified.exitCode()).as(verified.err()).isZero();
        assertThat(verified.out()).contains("OK: " + lines.size() + " audit record(s)");

        java.nio.file.Path plain = dir.resolve("plain.jsonl");
        java.nio.file.Files.writeString(plain, "{\"type\":\"QUERY_EXECUTED\"}\n");
        CliResult refused = CliResult.run(
                env(), "", "ask", "--audit", plain.toString(), "--audit-chained", "--url", DemoData.url(), "Hi?");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("holds lines without hashes");
        assertThat(java.nio.file.Files.readString(plain)).isEqualTo("{\"type\":\"QUERY_EXECUTED\"}\n");
    }

    @Test
    void askTextPrintsTheAnswerTheSqlWithItsVerdictAndTheTable() throws Exception {
        model.enqueue(toolCall("call_1", "execute_query", TOP_CUSTOMERS, 100, 10));
        model.enqueue(answer("Here are the three best customers.", 200, 10));
        String topFirstName = query(TOP_CUSTOMERS).get(0).get(0);

        CliResult r =
                CliResult.run(env(), "", "ask", "--url", DemoData.url(), "Who", "are", "our", "best", "customers?");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Here are the three best customers.")
                .contains("1. ALLOW READ, executed: 3 rows")
                .contains("SELECT c.first_name, c.last_name")
                .contains(" first_name | last_name |")
                .contains(topFirstName)
                .contains("(3 rows)")
                .contains("2 steps, 300 tokens in / 20 out");
    }

    @Test
    void aDeniedStatementIsReportedAndNothingChanges() throws Exception {
        long before = count("SELECT count(*) FROM shop.orders");
        model.enqueue(
                toolCall("call_1", "execute_query", "DELETE FROM shop.orders WHERE status = 'cancelled'", 90, 12));
        model.enqueue(answer("I am not allowed to delete orders.", 150, 9));

        CliResult r = CliResult.run(env(), "", "ask", "--json", "--url", DemoData.url(), "Delete the cancelled orders");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode query = JSON.readTree(r.out()).get("queries").get(0);
        assertThat(query.get("decision").asText()).isEqualTo("DENY");
        assertThat(query.get("classification").asText()).isEqualTo("WRITE");
        assertThat(query.get("outcome").asText()).isEqualTo("REFUSED");
        assertThat(count("SELECT count(*) FROM shop.orders")).isEqualTo(before);
    }

    @Test
    void underBalancedAWriteRunsOnlyAfterTheUserSaysYes() throws Exception {
        String stock = "SELECT stock_quantity FROM shop.products WHERE product_id = 7";
        long before = count(stock);
        String update = "UPDATE shop.products SET stock_quantity = stock_quantity + 5 WHERE product_id = 7";
        model.enqueue(toolCall("call_1", "execute_query", update, 90, 12));
        model.enqueue(answer("Added five units.", 150, 9));

        CliResult r = CliResult.run(
                env(),
                "y\n",
                "ask",
                "--policy",
                "balanced",
                "--url",
                DemoData.url(),
                "Add five units of product 7 to the stock");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("The model wants to run (WRITE)")
                .contains("The dry run changed 1 row, then was rolled back.")
                .contains("sequence values")
                .contains("Run it? [y/N]")
                .contains("Added five units.");
        assertThat(count(stock)).isEqualTo(before + 5);
    }

    @Test
    void underBalancedAWriteIsDeclinedWhenNobodyAnswers() throws Exception {
        String stock = "SELECT stock_quantity FROM shop.products WHERE product_id = 8";
        long before = count(stock);
        model.enqueue(toolCall(
                "call_1", "execute_query", "UPDATE shop.products SET stock_quantity = 0 WHERE product_id = 8", 90, 12));
        model.enqueue(answer("The change was declined.", 150, 9));

        CliResult r = CliResult.run(
                env(),
                "",
                "ask",
                "--json",
                "--policy",
                "balanced",
                "--url",
                DemoData.url(),
                "Set the stock of product 8 to zero");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode query = JSON.readTree(r.out()).get("queries").get(0);
        assertThat(query.get("decision").asText()).isEqualTo("CONFIRM");
        assertThat(query.get("outcome").asText()).isEqualTo("DECLINED");
        assertThat(r.err()).contains("Run it? [y/N]");
        assertThat(count(stock)).isEqualTo(before);
    }

    @Test
    void withoutATerminalEveryConfirmationIsAnsweredNoAndTheOutputSaysSo() throws Exception {
        String stock = "SELECT stock_quantity FROM shop.products WHERE product_id = 9";
        long before = count(stock);
        model.enqueue(toolCall(
                "call_1",
                "execute_query",
                "UPDATE shop.products SET stock_quantity = stock_quantity + 1 WHERE product_id = 9",
                90,
                12));
        model.enqueue(answer("The change was declined.", 150, 9));

        // a "y" piped in must not approve anything: only a person at a terminal can
        CliResult r = CliResult.run(
                false,
                env(),
                "y\n",
                "ask",
                "--policy",
                "balanced",
                "--url",
                DemoData.url(),
                "Add one unit of product 9 to the stock");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("The model wants to run (WRITE)")
                .contains("Standard input is not a terminal, so no one can confirm: declined.")
                .doesNotContain("Run it? [y/N]");
        assertThat(count(stock)).isEqualTo(before);
    }

    @Test
    void anAskThatDoesNotCompleteExitsNonZero() throws Exception {
        for (int i = 0; i < 3; i++) {
            model.enqueue(toolCall("call_" + i, "execute_query", "SELECT count(*) FROM shop.orders", 50, 5));
        }

        CliResult r =
                CliResult.run(env(), "", "ask", "--json", "--max-steps", "1", "--url", DemoData.url(), "Count forever");

        assertThat(r.exitCode()).isEqualTo(1);
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("status").asText()).isNotEqualTo("COMPLETED");
        assertThat(r.errLines())
                .singleElement()
                .asString()
                .startsWith("pg-agent: the ask ended")
                .contains("the step limit of 1 model turn was reached");
    }

    @Test
    void aRejectedKeyIsOneLineWithoutTheKey() {
        model.enqueue(new MockResponse()
                .setResponseCode(401)
                .setHeader("Content-Type", "application/json")
                .setBody("{\"error\":{\"message\":\"Incorrect API key provided: sk-test-****cdef.\","
                        + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));

        CliResult r = CliResult.run(env(), "", "ask", "--url", DemoData.url(), "How many orders?");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain(KEY);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aModelServerThatIsDownIsReportedOnceOnStandardErrorOnly() throws Exception {
        String url = model.url("/v1").toString();
        model.shutdown();

        CliResult r = CliResult.run(
                DemoData.env(Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", url)),
                "",
                "ask",
                "--url",
                DemoData.url(),
                "How many orders?");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).singleElement().asString().startsWith("pg-agent: ");
        model = new MockWebServer();
        model.start();
    }

    @Test
    void textShowsEveryStatementsResultAndAnExplainedStatementsPlan() throws Exception {
        model.enqueue(toolCall("call_1", "execute_query", "SELECT count(*) AS suppliers FROM shop.suppliers", 100, 10));
        model.enqueue(toolCall("call_2", "explain_query", "SELECT count(*) FROM shop.orders", 100, 10));
        model.enqueue(
                toolCall("call_3", "execute_query", "SELECT count(*) AS categories FROM shop.categories", 100, 10));
        model.enqueue(answer("Counted.", 100, 10));
        String suppliers = query("SELECT count(*) FROM shop.suppliers").get(0).get(0);
        String categories = query("SELECT count(*) FROM shop.categories").get(0).get(0);

        CliResult r = CliResult.run(false, env(), "", "ask", "--url", DemoData.url(), "Count things");

        assertThat(r.exitCode()).as(r.err()).isZero();
        String out = r.out();
        assertThat(out)
                .contains("SQL run (3 statements):")
                .contains("1. ALLOW READ, executed: 1 row in")
                .contains(" suppliers ")
                .contains(" categories ")
                .contains("2. ALLOW READ, explained in")
                .contains("Plan:")
                .containsPattern("Aggregate  \\(cost [0-9.]+, rows 1\\)")
                .containsPattern("-> [A-Za-z ]*Scan on orders")
                .contains("4 steps, 400 tokens in / 40 out");
        assertThat(out.indexOf(suppliers, out.indexOf(" suppliers "))).isLessThan(out.indexOf("2. ALLOW READ"));
        assertThat(out.indexOf(categories, out.indexOf(" categories "))).isGreaterThan(out.indexOf("3. ALLOW READ"));
        // no terminal: nothing but the result, no status line
        assertThat(r.err()).isEmpty();
        assertThat(out).doesNotContain("\r").doesNotContain("\033");
    }

    @Test
    void aWrongDatabaseUrlIsReportedBeforeTheModelIsCalled() {
        CliResult r = CliResult.run(env(), "", "ask", "--url", "jdbc:postgresql://127.0.0.1:1/shop", "How many?");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().startsWith("pg-agent: cannot connect to the database");
        assertThat(model.getRequestCount()).isZero();
    }

    @Test
    void chatPrintsTheSqlAsItRunsAndKeepsGoingUntilQuit() throws Exception {
        model.enqueue(toolCall("call_1", "execute_query", "SELECT count(*) AS orders FROM shop.orders", 100, 10));
        model.enqueue(answer("There are 4000 orders.", 200, 10));
        model.enqueue(answer("Hello again.", 50, 5));

        CliResult r = CliResult.run(
                env(), "How many orders are there?\n/reset\nHi\n/quit\nnever asked\n", "chat", "--url", DemoData.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("[execute_query] SELECT count(*) AS orders FROM shop.orders")
                .contains("-> 1 row (")
                .contains("There are 4000 orders.")
                .contains("(new conversation)")
                .contains("Hello again.")
                .doesNotContain("never asked");
        assertThat(model.getRequestCount()).isEqualTo(3);
        model.takeRequest();
        model.takeRequest();
        JsonNode afterReset = JSON.readTree(model.takeRequest().getBody().readUtf8());
        // a new session: the earlier question is gone
        assertThat(afterReset.toString()).doesNotContain("How many orders are there?");
    }

    @Test
    void demoWithAModelStartsAChatOnTheDatabase() throws Exception {
        model.enqueue(toolCall("call_1", "execute_query", "SELECT count(*) FROM shop.customers", 100, 10));
        model.enqueue(answer("There are 600 customers.", 200, 10));

        CliResult r = CliResult.run(env(), "How many customers?\n/quit\n", "demo", "--url", DemoData.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Model: gpt-4o-mini at " + model.url("/v1"))
                .contains("[execute_query] SELECT count(*) FROM shop.customers")
                .contains("There are 600 customers.")
                .doesNotContain("No model is configured");
    }

    private static JsonNode lastMessage(JsonNode body) {
        JsonNode messages = body.get("messages");
        return messages.get(messages.size() - 1);
    }

    static MockResponse toolCall(String id, String tool, String sql, int in, int out) {
        return toolCall(id, tool, Map.of("sql", sql), in, out);
    }

    /** A tool call with these arguments (all strings). */
    static MockResponse toolCall(String id, String tool, Map<String, String> arguments, int in, int out) {
        ObjectNode args = JSON.createObjectNode();
        arguments.forEach(args::put);
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-" + id)
                .put("object", "chat.completion")
                .put("created", 1_700_000_000L)
                .put("model", "gpt-4o-mini-2024-07-18");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant").putNull("content");
        ObjectNode call = message.putArray("tool_calls").addObject();
        call.put("id", id).put("type", "function");
        call.putObject("function").put("name", tool).put("arguments", args.toString());
        choice.put("finish_reason", "tool_calls");
        usage(body, in, out);
        return json(body);
    }

    static MockResponse answer(String text, int in, int out) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-answer")
                .put("object", "chat.completion")
                .put("created", 1_700_000_001L)
                .put("model", "gpt-4o-mini-2024-07-18");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text);
        choice.put("finish_reason", "stop");
        usage(body, in, out);
        return json(body);
    }

    private static void usage(ObjectNode body, int in, int out) {
        body.putObject("usage")
                .put("prompt_tokens", in)
                .put("completion_tokens", out)
                .put("total_tokens", in + out);
    }

    private static MockResponse json(ObjectNode body) {
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body.toString());
    }

    private static List<List<String>> rows(JsonNode table) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode row : table.get("rows")) {
            List<String> values = new ArrayList<>();
            row.forEach(v -> values.add(v.isNull() ? null : v.asText()));
            rows.add(values);
        }
        return rows;
    }

    private static List<List<String>> query(String sql) throws Exception {
        List<List<String>> rows = new ArrayList<>();
        try (Connection c = DemoData.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static long count(String sql) throws Exception {
        return Long.parseLong(query(sql).get(0).get(0));
    }
}
