package dev.pgagent.llm.openai;

import static dev.pgagent.llm.openai.MockOpenAi.KEY;
import static dev.pgagent.llm.openai.MockOpenAi.ask;
import static dev.pgagent.llm.openai.MockOpenAi.body;
import static dev.pgagent.llm.openai.MockOpenAi.client;
import static dev.pgagent.llm.openai.MockOpenAi.ok;
import static dev.pgagent.llm.openai.MockOpenAi.take;
import static dev.pgagent.llm.openai.MockOpenAi.textCompletion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolChoice;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.llm.UserMessage;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiRequestMappingTest {
    private static final ToolSpec RUN_SQL = new ToolSpec(
            "run_sql",
            "Runs one read-only SQL query.",
            "{\"type\":\"object\",\"properties\":{\"sql\":{\"type\":\"string\"}},\"required\":[\"sql\"]}");

    private final MockWebServer server = new MockWebServer();
    private final MockOpenAi.RecordingSleeper sleeper = new MockOpenAi.RecordingSleeper();

    @BeforeEach
    void start() throws Exception {
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private RecordedRequest send(OpenAiLlmClient client, ChatRequest request) throws Exception {
        server.enqueue(ok(textCompletion("ok")));
        client.chat(request);
        return take(server);
    }

    @Test
    void postsSystemAndUserMessagesToChatCompletionsAsJson() throws Exception {
        RecordedRequest r = send(
                client(server, sleeper).build(),
                ChatRequest.builder()
                        .addMessage(new SystemMessage("You answer questions about a database."))
                        .addMessage(new UserMessage("How many customers?"))
                        .build());

        assertThat(r.getMethod()).isEqualTo("POST");
        assertThat(r.getPath()).isEqualTo("/v1/chat/completions");
        assertThat(r.getHeader("Content-Type")).startsWith("application/json");
        JsonNode json = body(r);
        assertThat(json.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(json.get("messages").toString())
                .isEqualTo("[{\"role\":\"system\",\"content\":\"You answer questions about a database.\"},"
                        + "{\"role\":\"user\",\"content\":\"How many customers?\"}]");
        assertThat(json.has("stream")).isFalse();
    }

    @Test
    void sendsTheKeyAsBearerAuthorization() throws Exception {
        RecordedRequest r = send(client(server, sleeper).build(), ask("hi"));

        assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(r.getHeader("api-key")).isNull();
    }

    @Test
    void sendsNoCredentialsWithoutAKeyAsLocalServersExpect() throws Exception {
        RecordedRequest r = send(client(server, sleeper).apiKey(null).build(), ask("hi"));

        assertThat(r.getHeader("Authorization")).isNull();
        assertThat(r.getHeader("api-key")).isNull();
    }

    @Test
    void sendsOrganizationProjectAndExtraHeaders() throws Exception {
        OpenAiLlmClient client = client(server, sleeper)
                .organization("org-123")
                .project("proj_456")
                .header("HTTP-Referer", "https://example.org")
                .headers(Map.of("X-Title", "pgagent"))
                .build();

        RecordedRequest r = send(client, ask("hi"));

        assertThat(r.getHeader("OpenAI-Organization")).isEqualTo("org-123");
        assertThat(r.getHeader("OpenAI-Project")).isEqualTo("proj_456");
        assertThat(r.getHeader("HTTP-Referer")).isEqualTo("https://example.org");
        assertThat(r.getHeader("X-Title")).isEqualTo("pgagent");
        assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
    }

    @Test
    void azureStyleSendsApiKeyHeaderAndApiVersionQuery() throws Exception {
        OpenAiLlmClient client = client(server, sleeper)
                .baseUrl(server.url("/openai/deployments/my-gpt4o/").toString())
                .azure("2024-10-21")
                .build();

        RecordedRequest r = send(client, ask("hi"));

        assertThat(r.getRequestUrl().encodedPath()).isEqualTo("/openai/deployments/my-gpt4o/chat/completions");
        assertThat(r.getRequestUrl().queryParameter("api-version")).isEqualTo("2024-10-21");
        assertThat(r.getHeader("api-key")).isEqualTo(KEY);
        assertThat(r.getHeader("Authorization")).isNull();
        assertThat(client.endpoint()).doesNotContain("api-version");
    }

    @Test
    void describesToolsWithTheirSchemaAsAJsonObject() throws Exception {
        RecordedRequest r = send(
                client(server, sleeper).build(),
                ChatRequest.builder()
                        .addMessage(new UserMessage("count customers"))
                        .addTool(RUN_SQL)
                        .addTool(new ToolSpec("list_tables", "Lists tables.", ToolSpec.NO_PARAMETERS))
                        .build());

        JsonNode tools = body(r).get("tools");
        assertThat(tools).hasSize(2);
        assertThat(tools.get(0).get("type").asText()).isEqualTo("function");
        JsonNode fn = tools.get(0).get("function");
        assertThat(fn.get("name").asText()).isEqualTo("run_sql");
        assertThat(fn.get("description").asText()).isEqualTo("Runs one read-only SQL query.");
        assertThat(fn.get("parameters").isObject()).isTrue();
        assertThat(fn.get("parameters").toString()).isEqualTo(RUN_SQL.parametersSchema());
        assertThat(tools.get(1).get("function").get("parameters").get("type").asText())
                .isEqualTo("object");
    }

    @Test
    void echoesAssistantToolCallsWithNullContentAndToolResultsWithTheirIds() throws Exception {
        ToolCall first = new ToolCall("call_abc", "run_sql", "{\"sql\":\"select count(*) from customers\"}");
        ToolCall second = new ToolCall("call_def", "list_tables", "{}");
        RecordedRequest r = send(
                client(server, sleeper).build(),
                ChatRequest.builder()
                        .addMessage(new UserMessage("count customers"))
                        .addMessage(AssistantMessage.ofToolCalls(List.of(first, second)))
                        .addMessage(new ToolResultMessage("call_abc", "run_sql", "[{\"count\":42}]", false))
                        .addMessage(new ToolResultMessage("call_def", "list_tables", "customers, orders", false))
                        .addTool(RUN_SQL)
                        .build());

        JsonNode messages = body(r).get("messages");
        JsonNode assistant = messages.get(1);
        assertThat(assistant.get("role").asText()).isEqualTo("assistant");
        assertThat(assistant.has("content")).isTrue();
        assertThat(assistant.get("content").isNull()).isTrue();
        assertThat(assistant.get("tool_calls").toString())
                .isEqualTo("[{\"id\":\"call_abc\",\"type\":\"function\",\"function\":{\"name\":\"run_sql\","
                        + "\"arguments\":\"{\\\"sql\\\":\\\"select count(*) from customers\\\"}\"}},"
                        + "{\"id\":\"call_def\",\"type\":\"function\",\"function\":{\"name\":\"list_tables\","
                        + "\"arguments\":\"{}\"}}]");
        assertThat(messages.get(2).toString())
                .isEqualTo("{\"role\":\"tool\",\"content\":\"[{\\\"count\\\":42}]\",\"tool_call_id\":\"call_abc\"}");
        assertThat(messages.get(3).get("tool_call_id").asText()).isEqualTo("call_def");
        assertThat(messages.get(3).get("content").asText()).isEqualTo("customers, orders");
    }

    @Test
    void echoesAssistantTextTogetherWithToolCalls() throws Exception {
        RecordedRequest r = send(
                client(server, sleeper).build(),
                ChatRequest.builder()
                        .addMessage(new UserMessage("q"))
                        .addMessage(new AssistantMessage("Let me look.", List.of(new ToolCall("c1", "run_sql", "{}"))))
                        .addMessage(new ToolResultMessage("c1", "run_sql", "x", false))
                        .addMessage(AssistantMessage.of("There are 42."))
                        .build());

        JsonNode messages = body(r).get("messages");
        assertThat(messages.get(1).get("content").asText()).isEqualTo("Let me look.");
        assertThat(messages.get(1).get("tool_calls")).hasSize(1);
        assertThat(messages.get(3).toString()).isEqualTo("{\"role\":\"assistant\",\"content\":\"There are 42.\"}");
    }

    @Test
    void sendsEveryModelOption() throws Exception {
        RecordedRequest r = send(
                client(server, sleeper).build(),
                ChatRequest.builder()
                        .addMessage(new UserMessage("q"))
                        .addTool(RUN_SQL)
                        .options(ModelOptions.builder()
                                .temperature(0.2)
                                .topP(0.9)
                                .maxTokens(512)
                                .seed(7L)
                                .stop(List.of("END", "STOP"))
                                .parallelToolCalls(false)
                                .toolChoice(ToolChoice.REQUIRED)
                                .build())
                        .build());

        JsonNode json = body(r);
        assertThat(json.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(json.get("top_p").asDouble()).isEqualTo(0.9);
        assertThat(json.get("max_tokens").asInt()).isEqualTo(512);
        assertThat(json.has("max_completion_tokens")).isFalse();
        assertThat(json.get("seed").asLong()).isEqualTo(7L);
        assertThat(json.get("stop").toString()).isEqualTo("[\"END\",\"STOP\"]");
        assertThat(json.get("parallel_tool_calls").asBoolean()).isFalse();
        assertThat(json.get("tool_choice").asText()).isEqualTo("required");
    }

    @Test
    void omitsUnsetOptions() throws Exception {
        RecordedRequest r = send(client(server, sleeper).build(), ask("q"));

        JsonNode json = body(r);
        assertThat(json.fieldNames()).toIterable().containsExactly("model", "messages");
    }

    @Test
    void omitsToolChoiceAndParallelToolCallsWhenNoToolsAreOffered() throws Exception {
        RecordedRequest r = send(
                client(server, sleeper).build(),
                ChatRequest.builder()
                        .addMessage(new UserMessage("q"))
                        .options(ModelOptions.builder()
                                .toolChoice(ToolChoice.AUTO)
                                .parallelToolCalls(true)
                                .build())
                        .build());

        JsonNode json = body(r);
        assertThat(json.has("tool_choice")).isFalse();
        assertThat(json.has("parallel_tool_calls")).isFalse();
        assertThat(json.has("tools")).isFalse();
    }

    @Test
    void sendsMaxCompletionTokensWhenSwitchedOn() throws Exception {
        RecordedRequest r = send(
                client(server, sleeper).useMaxCompletionTokens(true).build(),
                ChatRequest.builder()
                        .addMessage(new UserMessage("q"))
                        .options(ModelOptions.builder().maxTokens(100).build())
                        .build());

        JsonNode json = body(r);
        assertThat(json.get("max_completion_tokens").asInt()).isEqualTo(100);
        assertThat(json.has("max_tokens")).isFalse();
    }

    @Test
    void requestModelOverridesTheClientModel() throws Exception {
        RecordedRequest r = send(
                client(server, sleeper).build(),
                ChatRequest.builder()
                        .addMessage(new UserMessage("q"))
                        .options(ModelOptions.builder().model("gpt-4.1").build())
                        .build());

        assertThat(body(r).get("model").asText()).isEqualTo("gpt-4.1");
    }

    @Test
    void defaultOptionsApplyUnlessTheRequestSetsTheSameOption() throws Exception {
        OpenAiLlmClient client = client(server, sleeper)
                .defaultOptions(ModelOptions.builder().temperature(0.0).seed(1L).build())
                .build();

        RecordedRequest r = send(
                client,
                ChatRequest.builder()
                        .addMessage(new UserMessage("q"))
                        .options(ModelOptions.builder().seed(99L).build())
                        .build());

        JsonNode json = body(r);
        assertThat(json.get("temperature").asDouble()).isEqualTo(0.0);
        assertThat(json.get("seed").asLong()).isEqualTo(99L);
    }

    @Test
    void rejectsAToolSchemaThatIsNotJsonWithoutCallingTheServer() {
        OpenAiLlmClient client = client(server, sleeper).build();
        ChatRequest request = ChatRequest.builder()
                .addMessage(new UserMessage("q"))
                .addTool(new ToolSpec("broken", "d", "{not json"))
                .build();

        assertThatThrownBy(() -> client.chat(request))
                .isInstanceOfSatisfying(LlmException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LlmException.Reason.BAD_REQUEST);
                    assertThat(e.isRetryable()).isFalse();
                })
                .hasMessageContaining("broken")
                .hasMessageContaining("parametersSchema");
        assertThat(server.getRequestCount()).isZero();
    }
}
