package dev.pgagent.llm.openai;

import static dev.pgagent.llm.openai.MockOpenAi.JSON;
import static dev.pgagent.llm.openai.MockOpenAi.quote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.testkit.contract.LlmClientContract;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link OpenAiLlmClient} keeps the {@link LlmClient} contract, against a MockWebServer speaking OpenAI's Chat
 * Completions wire format. Retries stay on, with no waiting between attempts.
 */
class OpenAiLlmClientContractTest extends LlmClientContract {
    private final MockWebServer server = new MockWebServer();

    @BeforeEach
    void start() throws IOException {
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private OpenAiLlmClient client(Function<RecordedRequest, MockResponse> answer) {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer.apply(request);
            }
        });
        return OpenAiLlmClient.builder()
                .baseUrl(server.url("/v1").toString())
                .apiKey(secret())
                .model("gpt-4o-mini")
                .sleeper(d -> {})
                .jitter(() -> 0.5)
                .build();
    }

    private static String completion(String message, String finishReason, TokenUsage usage) {
        return """
                {"id":"chatcmpl-contract","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":%s,"logprobs":null,"finish_reason":"%s"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}
                """.formatted(message, finishReason, usage.inputTokens(), usage.outputTokens(), usage.totalTokens());
    }

    private static String textMessage(String text) {
        return "{\"role\":\"assistant\",\"content\":" + quote(text) + ",\"refusal\":null}";
    }

    @Override
    protected String secret() {
        return MockOpenAi.KEY;
    }

    @Override
    protected LlmClient clientAnsweringText(String text, TokenUsage usage) {
        return client(r -> MockOpenAi.ok(completion(textMessage(text), "stop", usage)));
    }

    @Override
    protected LlmClient clientAnsweringToolCalls(List<ToolCall> calls) {
        String toolCalls = calls.stream()
                .map(c -> "{\"id\":" + quote(c.id()) + ",\"type\":\"function\",\"function\":{\"name\":"
                        + quote(c.name()) + ",\"arguments\":" + quote(c.arguments()) + "}}")
                .collect(Collectors.joining(",", "[", "]"));
        String message = "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":" + toolCalls + "}";
        return client(r -> MockOpenAi.ok(completion(message, "tool_calls", new TokenUsage(80, 20))));
    }

    @Override
    protected LlmClient clientEchoingTheLastUserMessage() {
        return client(r -> {
            try {
                JsonNode messages = JSON.readTree(r.getBody().readUtf8()).path("messages");
                String last = messages.get(messages.size() - 1).path("content").asText();
                return MockOpenAi.ok(completion(textMessage(last), "stop", new TokenUsage(5, 5)));
            } catch (IOException e) {
                return MockOpenAi.error(400, "unreadable request");
            }
        });
    }

    @Override
    protected LlmClient clientFailingWith(int status, String message) {
        return client(r -> MockOpenAi.error(status, message));
    }

    @Override
    protected LlmClient clientWhoseServerDisconnects() {
        return client(r -> new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));
    }

    @Override
    protected LlmClient clientGettingAMalformedReply() {
        return client(r -> MockOpenAi.ok("<html>this is not a chat completion</html>"));
    }

    @Override
    protected LlmClient clientWhoseServerStalls(Runnable requestArrived) {
        // The client's read timeout (120 s by default) is far above the suite's bound (30 s).
        return client(r -> {
            requestArrived.run();
            return new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE);
        });
    }
}
