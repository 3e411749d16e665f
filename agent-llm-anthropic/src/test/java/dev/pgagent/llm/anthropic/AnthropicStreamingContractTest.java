package dev.pgagent.llm.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.testkit.contract.StreamingLlmClientContract;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Runs the streaming and structured-output contract against Anthropic's Messages API wire format. */
class AnthropicStreamingContractTest extends StreamingLlmClientContract {
    private final MockWebServer server = new MockWebServer();
    private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final MockAnthropic.RecordingSleeper sleeper = new MockAnthropic.RecordingSleeper();

    @BeforeEach
    void start() throws IOException {
        server.setDispatcher(new Dispatcher() {
            private @Nullable Reply last;

            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = request.getBody().readUtf8();
                bodies.add(body);
                Reply reply = script.pollFirst();
                if (reply == null) {
                    // OkHttp itself repeats a 408, and a 503 with Retry-After: 0, once: it gets the same failure.
                    reply = last instanceof Failure ? last : new Failure(500, "unscripted request", null);
                }
                last = reply;
                JsonNode root = MockAnthropic.read(body);
                return render(reply, root.path("stream").asBoolean(false), schemaName(root));
            }
        });
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    @Override
    protected String secret() {
        return MockAnthropic.KEY;
    }

    @Override
    protected LlmClient client(int maxAttempts) {
        return MockAnthropic.client(server, sleeper).maxAttempts(maxAttempts).build();
    }

    @Override
    protected void enqueue(Reply reply) {
        script.addLast(reply);
    }

    @Override
    protected List<Duration> waits() {
        return sleeper.delays;
    }

    @Override
    protected List<SentRequest> sent() {
        List<SentRequest> out = new ArrayList<>();
        for (String body : bodies) {
            JsonNode root = MockAnthropic.read(body);
            List<ToolCall> calls = new ArrayList<>();
            Map<String, String> results = new LinkedHashMap<>();
            for (JsonNode m : root.path("messages")) {
                for (JsonNode block : m.path("content")) {
                    String type = block.path("type").asText();
                    if (type.equals("tool_use")) {
                        calls.add(new ToolCall(
                                block.path("id").asText(),
                                block.path("name").asText(),
                                block.path("input").toString()));
                    } else if (type.equals("tool_result")) {
                        results.put(
                                block.path("tool_use_id").asText(),
                                block.path("content").asText());
                    }
                }
            }
            out.add(new SentRequest(root.path("stream").asBoolean(false), calls, results, schemaName(root)));
        }
        return out;
    }

    /** The forced tool: tool_choice names it, or (with other tools) it is the one tool the model must use. */
    private static @Nullable String schemaName(JsonNode root) {
        JsonNode choice = root.path("tool_choice");
        if (choice.path("type").asText().equals("tool")) {
            return choice.path("name").asText();
        }
        return null;
    }

    private static MockResponse render(Reply reply, boolean stream, @Nullable String outputTool) {
        if (reply instanceof Failure f) {
            MockResponse r = MockAnthropic.error(f.status(), f.message());
            return f.retryAfterSeconds() == null ? r : r.setHeader("retry-after", f.retryAfterSeconds());
        }
        if (reply instanceof Text t) {
            return stream
                    ? new MockAnthropic.Events()
                            .start(t.usage())
                            .text(t.chunks())
                            .end("end_turn", t.usage().outputTokens())
                            .response()
                    : MockAnthropic.ok(
                            MockAnthropic.message(String.join("", t.chunks()), List.of(), "end_turn", t.usage()));
        }
        if (reply instanceof ToolCalls c) {
            if (!stream) {
                return MockAnthropic.ok(MockAnthropic.message(null, c.calls(), "tool_use", c.usage()));
            }
            MockAnthropic.Events events =
                    new MockAnthropic.Events().start(c.usage()).text(List.of("Let me look that up."));
            for (ToolCall call : c.calls()) {
                events.toolUse(call.id(), call.name(), call.arguments());
            }
            return events.end("tool_use", c.usage().outputTokens()).response();
        }
        if (reply instanceof Structured s) {
            if (outputTool == null) {
                throw new AssertionError("structured output was asked for without a forced tool");
            }
            ToolCall answer = new ToolCall("toolu_answer", outputTool, s.json());
            TokenUsage usage = new TokenUsage(50, 10);
            return stream
                    ? new MockAnthropic.Events()
                            .start(usage)
                            .toolUse(answer.id(), outputTool, s.json())
                            .end("tool_use", 10)
                            .response()
                    : MockAnthropic.ok(MockAnthropic.message(null, List.of(answer), "tool_use", usage));
        }
        if (reply instanceof Truncated t) {
            MockAnthropic.Events events = new MockAnthropic.Events().start(TokenUsage.ZERO);
            if (!t.chunks().isEmpty()) {
                events.textOpen(t.chunks());
            }
            return events.response().setSocketPolicy(SocketPolicy.DISCONNECT_AT_END);
        }
        if (reply instanceof Stalled s) {
            // No length and not chunked: the body lasts until the server closes the connection, which it keeps
            // open; the client has the text and waits for more.
            return new MockAnthropic.Events()
                    .start(TokenUsage.ZERO)
                    .textOpen(s.chunks())
                    .response()
                    .removeHeader("Content-Length");
        }
        throw new IllegalArgumentException("unknown reply " + reply);
    }
}
