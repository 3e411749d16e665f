package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pg-agent eval} end to end: a question file, a scripted model (OpenAI's wire format), the demo database. */
class EvalCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-test-0123456789abcdef";

    @TempDir
    Path dir;

    private ScriptedModel model;
    private Path questions;

    @BeforeEach
    void setUp() throws Exception {
        model = new ScriptedModel();
        questions = dir.resolve("questions.jsonl");
        // Spider's shape: db_id names the schema, the gold SQL does not qualify its tables
        Files.writeString(
                questions,
                String.join(
                        "\n",
                        "{\"db_id\": \"shop\", \"question\": \"How many suppliers are there?\","
                                + " \"query\": \"SELECT count(*) FROM suppliers\", \"difficulty\": \"easy\"}",
                        "{\"db_id\": \"shop\", \"question\": \"How many categories are there?\","
                                + " \"query\": \"SELECT count(*) FROM categories\", \"difficulty\": \"easy\"}",
                        "{\"db_id\": \"shop\", \"question\": \"Which supplier is the oldest?\","
                                + " \"query\": \"SELECT name FROM suppliers ORDER BY supplier_id LIMIT 1\","
                                + " \"difficulty\": \"hard\"}"));
    }

    @AfterEach
    void tearDown() throws Exception {
        model.close();
    }

    private Map<String, String> env() {
        return DemoData.env(
                Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", model.baseUrl(), "PGAGENT_MODEL", "gpt-4o-mini"));
    }

    private static MockResponse modelError() {
        return new MockResponse()
                .setResponseCode(400)
                .setHeader("Content-Type", "application/json")
                .setBody("{\"error\":{\"message\":\"scripted failure\",\"type\":\"invalid_request_error\"}}");
    }

    @Test
    void scoresARightAWrongAndAFailingAnswerAsJson() throws Exception {
        model.then(AskIT.toolCall("call_1", "execute_query", "SELECT count(*) FROM shop.suppliers", 100, 10))
                .then(AskIT.answer("There are that many.", 50, 5))
                .then(AskIT.toolCall("call_2", "execute_query", "SELECT count(*) FROM shop.suppliers", 100, 10))
                .then(AskIT.answer("There are that many.", 50, 5))
                .then(modelError());

        CliResult r = CliResult.run(
                env(),
                "",
                "eval",
                questions.toString(),
                "--url",
                DemoData.url(),
                "--db-mapping",
                "schema",
                "--json",
                "--price-in",
                "0.15",
                "--price-out",
                "0.60");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode doc = JSON.readTree(r.out());
        JsonNode summary = doc.get("summary");
        assertThat(summary.get("questions").asInt()).isEqualTo(3);
        assertThat(summary.get("correct").asInt()).isEqualTo(1);
        assertThat(summary.get("wrong").asInt()).isEqualTo(1);
        assertThat(summary.get("failed").asInt()).isEqualTo(1);
        assertThat(summary.get("inputTokens").asLong()).isEqualTo(300);
        assertThat(summary.get("estimatedCost").asDouble()).isPositive();
        assertThat(doc.get("byDifficulty").get("easy").get("accuracy").asDouble())
                .isEqualTo(0.5);
        assertThat(doc.get("results").get(0).get("status").asText()).isEqualTo("CORRECT");
        assertThat(doc.get("results").get(0).get("predictedSql").asText())
                .isEqualTo("SELECT count(*) FROM shop.suppliers");
        assertThat(doc.get("results").get(2).get("error").asText()).startsWith("the ask ended FAILED");
        assertThat(model.requests().get(0)).contains("(The question is about the tables of schema shop.)");
        assertThat(r.out() + r.err()).doesNotContain(KEY);
    }

    @Test
    void resumesFromTheResultsFileWithLimitAndOffset() throws Exception {
        Path results = dir.resolve("results.jsonl");
        model.then(AskIT.toolCall("call_1", "execute_query", "SELECT count(*) FROM shop.suppliers", 100, 10))
                .then(AskIT.answer("Counted.", 50, 5));

        CliResult first = CliResult.run(
                env(),
                "",
                "eval",
                questions.toString(),
                "--url",
                DemoData.url(),
                "--db-mapping",
                "schema",
                "--limit",
                "1",
                "--results",
                results.toString());

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("Execution accuracy: 100.0% (1 of 1 questions)");
        assertThat(Files.readAllLines(results)).hasSize(1);

        model.then(AskIT.toolCall("call_2", "execute_query", "SELECT count(*) FROM shop.categories", 100, 10))
                .then(AskIT.answer("Counted.", 50, 5));
        CliResult second = CliResult.run(
                env(),
                "",
                "eval",
                questions.toString(),
                "--url",
                DemoData.url(),
                "--db-mapping",
                "schema",
                "--offset",
                "0",
                "--limit",
                "2",
                "--results",
                results.toString());

        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.out()).startsWith("Execution accuracy: 100.0% (2 of 2 questions)");
        assertThat(second.outLines())
                .anySatisfy(l -> assertThat(l).startsWith("easy").contains("100.0%"));
        assertThat(model.requests()).hasSize(4); // the first question was not asked again
        assertThat(Files.readAllLines(results)).hasSize(2);

        CliResult third = CliResult.run(
                env(),
                "",
                "eval",
                questions.toString(),
                "--url",
                DemoData.url(),
                "--db-mapping",
                "schema",
                "--offset",
                "2",
                "--context-only");
        assertThat(third.exitCode()).as(third.err()).isZero();
        assertThat(third.out()).startsWith("Schema-context recall at 2000 tokens: 100.0% (1 of 1 questions)");
    }

    @Test
    void scoresContextRecallWithoutAModel() throws Exception {
        CliResult r = CliResult.run(
                DemoData.env(Map.of()),
                "",
                "eval",
                questions.toString(),
                "--url",
                DemoData.url(),
                "--db-mapping",
                "schema",
                "--context-only",
                "--budget",
                "1000",
                "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("mode").asText()).isEqualTo("context");
        assertThat(doc.get("budget").asInt()).isEqualTo(1000);
        assertThat(doc.get("summary").get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(doc.get("results").get(0).get("goldTables").get(0).asText()).isEqualTo("shop.suppliers");
        assertThat(doc.get("results").get(0).get("contextTokens").asInt()).isBetween(1, 1000);
        assertThat(model.requests()).isEmpty();
    }

    @Test
    void reportsUsageErrors() throws Exception {
        assertThat(CliResult.run(env(), "", "eval", questions.toString(), "--limit", "0")
                        .exitCode())
                .isEqualTo(2);
        assertThat(CliResult.run(env(), "", "eval", questions.toString(), "--db-mapping", "odd")
                        .err())
                .contains("--db-mapping must be none or schema but was odd");
        assertThat(CliResult.run(env(), "", "eval", questions.toString(), "--price-in", "1")
                        .err())
                .contains("--price-in and --price-out go together");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[{\"question\": \"no gold\"}]");
        CliResult r = CliResult.run(env(), "", "eval", bad.toString(), "--url", DemoData.url());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("entry 0: no gold SQL");
        assertThat(model.requests()).isEmpty();
    }

    @Test
    void contextAnswersAOneMegabyteQuestion() throws Exception {
        String question = "suppliers of products " + "x".repeat(1_000_000);

        CliResult r = CliResult.run(
                DemoData.env(Map.of()),
                JSON.writeValueAsString(question) + "\n",
                "context",
                "--input-jsonl",
                "--url",
                DemoData.url(),
                "--budget",
                "1000");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode line = JSON.readTree(r.out());
        assertThat(line.get("tokens").asInt()).isBetween(1, 1000);
        assertThat(line.toString()).contains("shop.suppliers");
    }
}
