package dev.pgagent.llm.openai;

import static dev.pgagent.llm.openai.MockOpenAi.body;
import static dev.pgagent.llm.openai.MockOpenAi.client;
import static dev.pgagent.llm.openai.MockOpenAi.ok;
import static dev.pgagent.llm.openai.MockOpenAi.take;
import static dev.pgagent.llm.openai.MockOpenAi.textCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.llm.Capability;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.llm.ReasoningEffort;
import dev.pgagent.api.llm.ResponseSchema;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.llm.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiReasoningAndStructuredTest {
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

    private static ChatRequest.Builder request() {
        return ChatRequest.builder()
                .addMessage(new SystemMessage("You are careful."))
                .addMessage(new UserMessage("q"))
                .addTool(new ToolSpec("run_sql", "Runs SQL.", ToolSpec.NO_PARAMETERS))
                .options(ModelOptions.builder()
                        .temperature(0.1)
                        .topP(0.9)
                        .maxTokens(500)
                        .parallelToolCalls(true)
                        .reasoningEffort(ReasoningEffort.HIGH)
                        .build());
    }

    @Test
    void talksToReasoningModelsTheirWay() throws Exception {
        server.enqueue(ok(textCompletion("ok")));
        OpenAiLlmClient o3 = client(server, sleeper).model("o3-mini").build();

        o3.chat(request().build());

        JsonNode body = body(take(server));
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("developer");
        assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(500);
        assertThat(body.has("max_tokens")).isFalse();
        assertThat(body.path("reasoning_effort").asText()).isEqualTo("high");
        assertThat(body.has("temperature")).isFalse();
        assertThat(body.has("top_p")).isFalse();
        assertThat(body.has("parallel_tool_calls")).isFalse();
        assertThat(o3.info().capabilities())
                .contains(Capability.REASONING)
                .doesNotContain(Capability.PARALLEL_TOOL_CALLS);
        assertThat(o3.info().contextWindow()).hasValue(200_000);
    }

    @Test
    void talksToOtherModelsAsBefore() throws Exception {
        server.enqueue(ok(textCompletion("ok")));
        OpenAiLlmClient gpt = client(server, sleeper).build();

        gpt.chat(request().build());

        JsonNode body = body(take(server));
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(500);
        assertThat(body.has("reasoning_effort")).isFalse();
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.1);
        assertThat(gpt.info().capabilities())
                .contains(Capability.PARALLEL_TOOL_CALLS, Capability.STREAMING, Capability.STRUCTURED_OUTPUT);
        assertThat(client(server, sleeper)
                        .capabilities(Set.of(Capability.TOOLS))
                        .build()
                        .info()
                        .capabilities())
                .containsExactly(Capability.TOOLS);
    }

    @Test
    void sendsTheResponseSchemaAsStrictJsonSchema() throws Exception {
        server.enqueue(ok(textCompletion("{\"n\":1}")));
        String schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"],"
                + "\"additionalProperties\":false}";

        ChatResponse r = client(server, sleeper)
                .build()
                .chat(ChatRequest.builder()
                        .addMessage(new UserMessage("q"))
                        .responseSchema(ResponseSchema.of("count", schema))
                        .build());

        JsonNode format = body(take(server)).path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.path("json_schema").path("name").asText()).isEqualTo("count");
        assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
        assertThat(format.path("json_schema")
                        .path("schema")
                        .path("required")
                        .get(0)
                        .asText())
                .isEqualTo("n");
        assertThat(r.message().text()).isEqualTo("{\"n\":1}");
    }

    @Test
    void reportsCachedPromptTokensPlainAndStreamed() throws Exception {
        server.enqueue(ok("""
                {"id":"c","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,
                 "message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
                          "prompt_tokens_details":{"cached_tokens":1920}}}
                """));
        server.enqueue(new MockResponse()
                .setHeader("Content-Type", "text/event-stream")
                .setBody("""
                data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"h"},"finish_reason":null}]}

                data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"i"},"finish_reason":"stop"}]}

                data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,"prompt_tokens_details":{"cached_tokens":1920}}}

                data: [DONE]

                """));
        OpenAiLlmClient c = client(server, sleeper).build();
        List<String> deltas = new ArrayList<>();

        ChatResponse plain = c.chat(request().build());
        ChatResponse streamed = c.chat(request().build(), deltas::add);

        assertThat(plain.usage()).isEqualTo(new TokenUsage(2006, 300, 1920, 0));
        assertThat(streamed.usage()).isEqualTo(new TokenUsage(2006, 300, 1920, 0));
        assertThat(deltas).containsExactly("h", "i");
        take(server);
        JsonNode streamBody = body(take(server));
        assertThat(streamBody.path("stream").asBoolean()).isTrue();
        assertThat(streamBody.path("stream_options").path("include_usage").asBoolean())
                .isTrue();
    }

    @Test
    void makesAPlainCallWhenStreamingIsOff() throws Exception {
        server.enqueue(ok(textCompletion("plain")));
        List<String> deltas = new ArrayList<>();
        OpenAiLlmClient c = client(server, sleeper).streaming(false).build();

        ChatResponse r = c.chat(request().build(), deltas::add);

        assertThat(r.message().text()).isEqualTo("plain");
        assertThat(deltas).containsExactly("plain");
        assertThat(body(take(server)).has("stream")).isFalse();
        assertThat(c.info().capabilities()).doesNotContain(Capability.STREAMING);
    }

    @Test
    void understandsAServerThatIgnoresTheStreamFlag() {
        server.enqueue(ok(textCompletion("whole at once")));
        List<String> deltas = new ArrayList<>();

        ChatResponse r = client(server, sleeper).build().chat(request().build(), deltas::add);

        assertThat(r.message().text()).isEqualTo("whole at once");
        assertThat(deltas).containsExactly("whole at once");
    }
}
