package dev.pgagent.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.llm.anthropic.AnthropicLlmClient;
import dev.pgagent.llm.openai.OpenAiLlmClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent over each provider's real wire format (MockWebServer): a streamed tool call, its result sent back by id,
 * a streamed structured answer that does not match, the repair, and the typed value; text reaches the listener in
 * the pieces the provider sent.
 */
class ProvidersThroughTheAgentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Count(String table, long rows) {}

    private final MockWebServer server = new MockWebServer();

    @BeforeEach
    void start() throws IOException {
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic"})
    void streamsCallsToolsAndReturnsTheRepairedTypedValue(String provider) throws Exception {
        boolean openai = provider.equals("openai");
        LlmClient llm = openai
                ? OpenAiLlmClient.builder()
                        .baseUrl(server.url("/v1").toString())
                        .apiKey("sk-test-123456")
                        .model("gpt-4o-mini")
                        .build()
                : AnthropicLlmClient.builder()
                        .baseUrl(server.url("/").toString())
                        .apiKey("sk-ant-test-123456")
                        .model("claude-sonnet-4-5")
                        .build();
        String toolArgs = "{\"sql\":\"select 1\"}";
        String invalid = "{\"table\":\"items\"}";
        String valid = "{\"table\":\"items\",\"rows\":1}";
        server.enqueue(openai ? openAiToolCall("call_7", toolArgs) : anthropicToolUse("toolu_7", toolArgs));
        server.enqueue(openai ? openAiText(invalid) : anthropicForced("Count", invalid));
        server.enqueue(openai ? openAiText(valid) : anthropicForced("Count", valid));
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        ((TestEngines.FakeDb) setup.db).results.put("select 1", TestEngines.table("x", "1"));
        setup.listener = events::add;

        SessionEngine.Answer a = setup.session().ask("How many rows in items?", OutputSpec.of(Count.class));

        assertThat(a.response().status())
                .as(String.valueOf(a.response().error()))
                .isEqualTo(AgentStatus.COMPLETED);
        assertThat(a.value()).isEqualTo(new Count("items", 1));
        List<String> pieces = new ArrayList<>();
        events.stream()
                .filter(AgentEvent.TextDelta.class::isInstance)
                .forEach(e -> pieces.add(((AgentEvent.TextDelta) e).text()));
        assertThat(String.join("", pieces)).endsWith(invalid + valid);
        assertThat(pieces.size()).isGreaterThanOrEqualTo(4);

        JsonNode first = body(take());
        JsonNode second = body(take());
        JsonNode repair = body(take());
        assertThat(first.path("stream").asBoolean()).isTrue();
        if (openai) {
            assertThat(first.path("response_format")
                            .path("json_schema")
                            .path("name")
                            .asText())
                    .isEqualTo("Count");
            JsonNode toolMessage =
                    second.path("messages").get(second.path("messages").size() - 1);
            assertThat(toolMessage.path("tool_call_id").asText()).isEqualTo("call_7");
        } else {
            assertThat(first.path("tool_choice").path("type").asText()).isEqualTo("any");
            JsonNode results = second.path("messages")
                    .get(second.path("messages").size() - 1)
                    .path("content");
            assertThat(results.get(0).path("tool_use_id").asText()).isEqualTo("toolu_7");
        }
        assertThat(repair.toString()).contains("$.rows is required but missing");
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        return r;
    }

    private static JsonNode body(RecordedRequest r) throws IOException {
        return JSON.readTree(r.getBody().readUtf8());
    }

    private static MockResponse sse(StringBuilder body) {
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body.toString());
    }

    private static String chunk(ObjectNode delta, String finish) {
        ObjectNode c = JSON.createObjectNode()
                .put("id", "chatcmpl-1")
                .put("object", "chat.completion.chunk")
                .put("model", "gpt-4o-mini");
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return "data: " + c + "\n\n";
    }

    private static String usage() {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":10,\"total_tokens\":110}}\n\n";
    }

    private static MockResponse openAiToolCall(String id, String args) {
        StringBuilder b = new StringBuilder();
        ObjectNode start = JSON.createObjectNode();
        ObjectNode tc = start.putArray("tool_calls")
                .addObject()
                .put("index", 0)
                .put("id", id)
                .put("type", "function");
        tc.putObject("function").put("name", "execute_query").put("arguments", "");
        b.append(chunk(start, null));
        for (String part : halves(args)) {
            ObjectNode d = JSON.createObjectNode();
            d.putArray("tool_calls")
                    .addObject()
                    .put("index", 0)
                    .putObject("function")
                    .put("arguments", part);
            b.append(chunk(d, null));
        }
        b.append(chunk(JSON.createObjectNode(), "tool_calls")).append(usage()).append("data: [DONE]\n\n");
        return sse(b);
    }

    private static MockResponse openAiText(String text) {
        StringBuilder b = new StringBuilder();
        for (String part : halves(text)) {
            b.append(chunk(JSON.createObjectNode().put("content", part), null));
        }
        b.append(chunk(JSON.createObjectNode(), "stop")).append(usage()).append("data: [DONE]\n\n");
        return sse(b);
    }

    private static String event(ObjectNode e) {
        return "event: " + e.path("type").asText() + "\ndata: " + e + "\n\n";
    }

    private static StringBuilder anthropicStart() {
        ObjectNode e = JSON.createObjectNode().put("type", "message_start");
        ObjectNode m = e.putObject("message").put("id", "msg_1").put("model", "claude-sonnet-4-5");
        m.putObject("usage").put("input_tokens", 100).put("output_tokens", 1);
        return new StringBuilder(event(e));
    }

    private static MockResponse anthropicTool(String id, String name, String json, String stop) {
        StringBuilder b = anthropicStart();
        ObjectNode s =
                JSON.createObjectNode().put("type", "content_block_start").put("index", 0);
        s.putObject("content_block")
                .put("type", "tool_use")
                .put("id", id)
                .put("name", name)
                .putObject("input");
        b.append(event(s));
        for (String part : halves(json)) {
            ObjectNode d =
                    JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
            d.putObject("delta").put("type", "input_json_delta").put("partial_json", part);
            b.append(event(d));
        }
        b.append(event(JSON.createObjectNode().put("type", "content_block_stop").put("index", 0)));
        ObjectNode md = JSON.createObjectNode().put("type", "message_delta");
        md.putObject("delta").put("stop_reason", stop);
        md.putObject("usage").put("output_tokens", 10);
        b.append(event(md)).append(event(JSON.createObjectNode().put("type", "message_stop")));
        return sse(b);
    }

    private static MockResponse anthropicToolUse(String id, String args) {
        return anthropicTool(id, "execute_query", args, "tool_use");
    }

    private static MockResponse anthropicForced(String name, String json) {
        return anthropicTool("toolu_answer", name, json, "tool_use");
    }

    private static List<String> halves(String s) {
        int half = s.length() / 2;
        return List.of(s.substring(0, half), s.substring(half));
    }
}
