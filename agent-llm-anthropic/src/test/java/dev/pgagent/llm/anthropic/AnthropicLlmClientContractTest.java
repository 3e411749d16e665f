package dev.pgagent.llm.anthropic;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.testkit.contract.LlmClientContract;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link AnthropicLlmClient} keeps the {@link LlmClient} contract, against a MockWebServer speaking Anthropic's
 * Messages API wire format. Retries stay on, with no waiting between attempts.
 */
class AnthropicLlmClientContractTest extends LlmClientContract {
    private final MockWebServer server = new MockWebServer();

    @BeforeEach
    void start() throws IOException {
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private AnthropicLlmClient client(Function<RecordedRequest, MockResponse> answer) {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer.apply(request);
            }
        });
        return MockAnthropic.client(server, new MockAnthropic.RecordingSleeper())
                .build();
    }

    @Override
    protected String secret() {
        return MockAnthropic.KEY;
    }

    @Override
    protected LlmClient clientAnsweringText(String text, TokenUsage usage) {
        return client(r -> MockAnthropic.ok(MockAnthropic.message(text, List.of(), "end_turn", usage)));
    }

    @Override
    protected LlmClient clientAnsweringToolCalls(List<ToolCall> calls) {
        return client(r -> MockAnthropic.ok(MockAnthropic.message(null, calls, "tool_use", new TokenUsage(80, 20))));
    }

    @Override
    protected LlmClient clientEchoingTheLastUserMessage() {
        return client(r -> {
            var messages = MockAnthropic.read(r.getBody().readUtf8()).path("messages");
            String last = messages.get(messages.size() - 1).path("content").asText();
            return MockAnthropic.ok(MockAnthropic.message(last, List.of(), "end_turn", new TokenUsage(5, 5)));
        });
    }

    @Override
    protected LlmClient clientFailingWith(int status, String message) {
        return client(r -> MockAnthropic.error(status, message));
    }

    @Override
    protected LlmClient clientWhoseServerDisconnects() {
        return client(r -> new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));
    }

    @Override
    protected LlmClient clientGettingAMalformedReply() {
        return client(r -> MockAnthropic.ok("<html>this is not a message</html>"));
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
