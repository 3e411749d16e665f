package dev.pgagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.llm.openai.OpenAiLlmClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real OpenAI adapter against a MockWebServer playing the model, the real agent, a real PostgreSQL. */
class OpenAiEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private MockWebServer server;
    private DataSource ds;

    @BeforeEach
    void setUp() throws Exception {
        server = new MockWebServer();
        server.start();
        ds = Shop.create("core_e2e");
    }

    @AfterEach
    void tearDown() throws Exception {
        server.shutdown();
    }

    private static MockResponse json(String body) {
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body);
    }

    @Test
    void answersThroughTheWireFormatAndAuditsEachStatement() throws Exception {
        server.enqueue(json("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1732400000,"model":"gpt-4o-mini-2024-07-18",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_q1","type":"function","function":{"name":"execute_query",
                    "arguments":"{\\"sql\\":\\"SELECT c.name, sum(o.quantity) AS items FROM orders o \
                JOIN customers c ON c.id = o.customer_id GROUP BY c.name ORDER BY items DESC\\"}"}}]},
                   "logprobs":null,"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":812,"completion_tokens":41,"total_tokens":853},
                 "system_fingerprint":"fp_test"}
                """));
        server.enqueue(json("""
                {"id":"chatcmpl-2","object":"chat.completion","created":1732400001,"model":"gpt-4o-mini-2024-07-18",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Bob ordered the most items (10).",
                   "refusal":null},"logprobs":null,"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":930,"completion_tokens":12,"total_tokens":942}}
                """));
        Path auditFile = dir.resolve("audit.jsonl");
        OpenAiLlmClient llm = OpenAiLlmClient.builder()
                .apiKey("sk-test-not-a-real-key")
                .baseUrl(server.url("/v1").toString())
                .model("gpt-4o-mini")
                .build();
        PostgresAgent agent = PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .addAuditSink(AuditSinks.jsonLines(auditFile))
                .build();

        AgentResponse r = agent.ask("Who ordered the most items?");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(r.answer()).isEqualTo("Bob ordered the most items (10).");
        assertThat(r.usage().totalTokens()).isEqualTo(853 + 942);
        assertThat(r.tables())
                .singleElement()
                .satisfies(t -> assertThat(t.rows().get(0)).containsExactly("Bob", "10"));

        RecordedRequest first = server.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest second = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(first.getPath()).isEqualTo("/v1/chat/completions");
        JsonNode firstBody = JSON.readTree(first.getBody().readUtf8());
        List<String> toolNames = new ArrayList<>();
        firstBody
                .get("tools")
                .forEach(t -> toolNames.add(t.get("function").get("name").asText()));
        assertThat(toolNames).contains("execute_query", "describe_table", "search_schema");
        assertThat(firstBody.get("messages").get(0).get("role").asText()).isEqualTo("system");
        JsonNode messages = JSON.readTree(second.getBody().readUtf8()).get("messages");
        JsonNode toolMessage = messages.get(messages.size() - 1);
        assertThat(toolMessage.get("role").asText()).isEqualTo("tool");
        assertThat(toolMessage.get("tool_call_id").asText()).isEqualTo("call_q1");
        assertThat(toolMessage.get("content").asText()).contains("Bob").contains("10");
        assertThat(messages.get(messages.size() - 2)
                        .get("tool_calls")
                        .get(0)
                        .get("id")
                        .asText())
                .isEqualTo("call_q1");

        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(auditFile)) {
            events.add(JSON.readTree(line));
        }
        assertThat(events)
                .extracting(e -> e.get("type").asText())
                .contains("ASK_STARTED", "LLM_CALL", "TOOL_CALL", "QUERY_EXECUTED", "ASK_FINISHED");
        // value sampling's statements are audited too, under the caller value-sampler; the model ran one
        assertThat(events)
                .filteredOn(e -> e.get("type").asText().equals("QUERY_EXECUTED")
                        && !"value-sampler".equals(e.path("sessionId").asText()))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.get("sql").asText()).startsWith("SELECT c.name, sum(o.quantity)");
                    assertThat(e.get("attributes").get("rows").asText()).isEqualTo("3");
                    assertThat(e.get("verdict").get("decision").asText()).isEqualTo("ALLOW");
                });
        assertThat(Files.readString(auditFile)).doesNotContain("sk-test-not-a-real-key");
    }
}
