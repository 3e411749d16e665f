package dev.pgagent.llm.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.Capability;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.llm.ReasoningEffort;
import dev.pgagent.api.llm.ResponseSchema;
import dev.pgagent.api.llm.StreamListener;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.Thinking;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolChoice;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.llm.UserMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnthropicLlmClientTest {
    private static final ToolSpec SQL = new ToolSpec(
            "run_sql",
            "Runs SQL.",
            "{\"type\":\"object\",\"properties\":{\"sql\":{\"type\":\"string\"}},\"required\":[\"sql\"]}");
    private static final ToolSpec TABLES = new ToolSpec("list_tables", "Lists tables.", ToolSpec.NO_PARAMETERS);

    private final MockWebServer server = new MockWebServer();
    private final MockAnthropic.RecordingSleeper sleeper = new MockAnthropic.RecordingSleeper();
    private AnthropicLlmClient client;

    @BeforeEach
    void start() throws IOException {
        server.start();
        client = MockAnthropic.client(server, sleeper).build();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).as("a request arrived").isNotNull();
        return r;
    }

    private JsonNode sentBody() throws InterruptedException {
        return MockAnthropic.read(take().getBody().readUtf8());
    }

    private void answerText(String text) {
        server.enqueue(MockAnthropic.ok(MockAnthropic.message(text, List.of(), "end_turn", new TokenUsage(10, 2))));
    }

    private static ChatRequest.Builder conversation() {
        return ChatRequest.builder()
                .addMessage(new SystemMessage("You are a careful analyst."))
                .addMessage(new UserMessage("How many orders?"));
    }

    @Test
    void sendsTheKeyAndVersionHeadersToTheMessagesEndpoint() throws InterruptedException {
        answerText("ok");

        client.chat(conversation().build());

        RecordedRequest r = take();
        assertThat(r.getPath()).isEqualTo("/v1/messages");
        assertThat(r.getHeader("x-api-key")).isEqualTo(MockAnthropic.KEY);
        assertThat(r.getHeader("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(r.getHeader("Authorization")).isNull();
        assertThat(client.endpoint()).endsWith("/v1/messages");
        assertThat(AnthropicLlmClient.builder()
                        .baseUrl("https://gw.example/anthropic/v1")
                        .model("m")
                        .build()
                        .endpoint())
                .isEqualTo("https://gw.example/anthropic/v1/messages");
    }

    @Test
    void putsTheSystemPromptOnTopAndMarksTheStablePrefixForCaching() throws InterruptedException {
        answerText("ok");

        client.chat(conversation().addTool(SQL).addTool(TABLES).build());

        JsonNode body = sentBody();
        assertThat(body.path("system").get(0).path("text").asText()).isEqualTo("You are a careful analyst.");
        assertThat(body.path("system").get(0).path("cache_control").path("type").asText())
                .isEqualTo("ephemeral");
        assertThat(body.path("tools").get(0).has("cache_control")).isFalse();
        assertThat(body.path("tools").get(1).path("cache_control").path("type").asText())
                .isEqualTo("ephemeral");
        assertThat(body.path("messages")).hasSize(1);
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("user");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(4096);
        assertThat(body.has("tool_choice")).isFalse();
    }

    @Test
    void leavesCachingOffWhenAsked() throws InterruptedException {
        answerText("ok");

        MockAnthropic.client(server, sleeper)
                .promptCaching(false)
                .build()
                .chat(conversation().addTool(SQL).build());

        assertThat(sentBody().toString()).doesNotContain("cache_control");
    }

    @Test
    void sendsToolUsesAndAllTheirResultsInOneUserTurnWithThinkingFirst() throws InterruptedException {
        answerText("ok");
        ToolCall a = new ToolCall("toolu_a", "run_sql", "{\"sql\":\"select 1\"}");
        ToolCall b = new ToolCall("toolu_b", "list_tables", "{}");
        AssistantMessage turn = new AssistantMessage(
                "Checking.",
                List.of(a, b),
                List.of(new Thinking("I should count.", "sig-1", false), new Thinking("ENCRYPTED", null, true)));

        client.chat(conversation()
                .addTool(SQL)
                .addTool(TABLES)
                .addMessage(turn)
                .addMessage(new ToolResultMessage("toolu_a", "run_sql", "1", false))
                .addMessage(new ToolResultMessage("toolu_b", "list_tables", "denied", true))
                .build());

        JsonNode messages = sentBody().path("messages");
        assertThat(messages).hasSize(3);
        JsonNode assistant = messages.get(1).path("content");
        assertThat(assistant.get(0).path("type").asText()).isEqualTo("thinking");
        assertThat(assistant.get(0).path("signature").asText()).isEqualTo("sig-1");
        assertThat(assistant.get(1).path("type").asText()).isEqualTo("redacted_thinking");
        assertThat(assistant.get(1).path("data").asText()).isEqualTo("ENCRYPTED");
        assertThat(assistant.get(2).path("text").asText()).isEqualTo("Checking.");
        assertThat(assistant.get(3).path("input").path("sql").asText()).isEqualTo("select 1");
        JsonNode results = messages.get(2).path("content");
        assertThat(messages.get(2).path("role").asText()).isEqualTo("user");
        assertThat(results).hasSize(2);
        assertThat(results.get(0).path("tool_use_id").asText()).isEqualTo("toolu_a");
        assertThat(results.get(0).has("is_error")).isFalse();
        assertThat(results.get(1).path("is_error").asBoolean()).isTrue();
    }

    @Test
    void mapsToolChoiceAndParallelism() throws InterruptedException {
        answerText("a");
        answerText("b");
        answerText("c");

        client.chat(conversation()
                .addTool(SQL)
                .options(ModelOptions.builder().toolChoice(ToolChoice.REQUIRED).build())
                .build());
        client.chat(conversation()
                .addTool(SQL)
                .options(ModelOptions.builder().toolChoice(ToolChoice.NONE).build())
                .build());
        client.chat(conversation()
                .addTool(SQL)
                .options(ModelOptions.builder().parallelToolCalls(false).build())
                .build());

        assertThat(sentBody().path("tool_choice").path("type").asText()).isEqualTo("any");
        assertThat(sentBody().path("tool_choice").path("type").asText()).isEqualTo("none");
        JsonNode third = sentBody().path("tool_choice");
        assertThat(third.path("type").asText()).isEqualTo("auto");
        assertThat(third.path("disable_parallel_tool_use").asBoolean()).isTrue();
    }

    @Test
    void turnsReasoningEffortIntoAThinkingBudgetAndLeavesSamplingOut() throws InterruptedException {
        answerText("ok");

        client.chat(conversation()
                .options(ModelOptions.builder()
                        .reasoningEffort(ReasoningEffort.MEDIUM)
                        .temperature(0.2)
                        .maxTokens(1000)
                        .build())
                .build());

        JsonNode body = sentBody();
        assertThat(body.path("thinking").path("type").asText()).isEqualTo("enabled");
        assertThat(body.path("thinking").path("budget_tokens").asInt()).isEqualTo(8192);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(9192);
        assertThat(body.has("temperature")).isFalse();
    }

    @Test
    void asksForStructuredOutputThroughTheAnyChoiceWhenOtherToolsAreOffered() throws InterruptedException {
        answerText("ok");
        answerText("ok");
        ResponseSchema schema = ResponseSchema.of("answer", "{\"type\":\"object\",\"properties\":{}}");

        client.chat(conversation().addTool(SQL).responseSchema(schema).build());
        client.chat(conversation()
                .addTool(SQL)
                .responseSchema(schema)
                .options(ModelOptions.builder()
                        .reasoningEffort(ReasoningEffort.LOW)
                        .build())
                .build());

        JsonNode first = sentBody();
        assertThat(first.path("tool_choice").path("type").asText()).isEqualTo("any");
        assertThat(first.path("tools")).extracting(t -> t.path("name").asText()).containsExactly("run_sql", "answer");
        JsonNode thinking = sentBody();
        assertThat(thinking.has("tool_choice")).isFalse();
        assertThat(thinking.path("system").get(0).path("text").asText()).contains("calling the tool 'answer'");
        assertThatThrownBy(() -> client.chat(conversation()
                        .addTool(SQL)
                        .responseSchema(ResponseSchema.of("run_sql", "{}"))
                        .build()))
                .isInstanceOf(LlmException.class)
                .hasMessageContaining("must differ");
    }

    @Test
    void readsUsageWithCacheReadsAndWritesAndStopReasons() {
        server.enqueue(MockAnthropic.ok(
                MockAnthropic.message("cut", List.of(), "max_tokens", new TokenUsage(1500, 20, 1200, 200))));
        server.enqueue(MockAnthropic.ok(MockAnthropic.message("no", List.of(), "refusal", TokenUsage.ZERO)));

        ChatResponse cut = client.chat(conversation().build());
        ChatResponse refused = client.chat(conversation().build());

        assertThat(cut.usage()).isEqualTo(new TokenUsage(1500, 20, 1200, 200));
        assertThat(cut.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(cut.model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(refused.finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
    }

    @Test
    void streamsThinkingAndKeepsItsSignedBlockForTheNextTurn() {
        server.enqueue(new MockAnthropic.Events()
                .start(new TokenUsage(100, 0, 80, 0))
                .thinking("Count the rows first.", "sig-xyz")
                .toolUse("toolu_1", "run_sql", "{\"sql\":\"select count(*) from orders\"}")
                .end("tool_use", 30)
                .response());
        List<String> thoughts = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();

        ChatResponse r = client.chat(conversation().addTool(SQL).build(), new StreamListener() {
            @Override
            public void onText(String delta) {}

            @Override
            public void onThinking(String delta) {
                thoughts.add(delta);
            }

            @Override
            public void onToolCall(ToolCall call) {
                calls.add(call);
            }
        });

        assertThat(thoughts).containsExactly("Count the rows first.");
        assertThat(calls).extracting(ToolCall::id).containsExactly("toolu_1");
        assertThat(r.message().thinking()).containsExactly(new Thinking("Count the rows first.", "sig-xyz", false));
        assertThat(r.usage()).isEqualTo(new TokenUsage(100, 30, 80, 0));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void mapsAnErrorEventInsideTheStream() {
        server.enqueue(new okhttp3.mockwebserver.MockResponse()
                .setHeader("Content-Type", "text/event-stream")
                .setBody("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                        + "\"message\":\"Overloaded\"}}\n\n"));
        server.enqueue(
                MockAnthropic.ok(MockAnthropic.message("after the storm", List.of(), "end_turn", TokenUsage.ZERO)));

        ChatResponse r = client.chat(conversation().build(), delta -> {});

        assertThat(r.message().text()).isEqualTo("after the storm");
        assertThat(sleeper.delays).hasSize(1);
    }

    @Test
    void saysWhatItCanDoAndMasksTheKey() {
        assertThat(client.info().name()).isEqualTo("anthropic");
        assertThat(client.info().model()).isEqualTo("claude-sonnet-4-5");
        assertThat(client.info().capabilities())
                .contains(Capability.STREAMING, Capability.STRUCTURED_OUTPUT, Capability.PARALLEL_TOOL_CALLS);
        assertThat(client.info().contextWindow()).hasValue(200_000);
        assertThat(client.toString()).doesNotContain(MockAnthropic.KEY).contains("apiKey=****");
        assertThat(client.toBuilder().toString()).doesNotContain(MockAnthropic.KEY);
        assertThatThrownBy(() -> AnthropicLlmClient.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AnthropicLlmClient.builder().apiKey("bad\nkey"))
                .hasMessage("apiKey must not contain control characters");
    }
}
