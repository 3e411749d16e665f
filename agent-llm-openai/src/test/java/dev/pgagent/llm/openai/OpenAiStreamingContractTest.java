package dev.pgagent.llm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.testkit.contract.StreamingLlmClientContract;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Runs the streaming and structured-output contract against OpenAI's Chat Completions wire format. */
class OpenAiStreamingContractTest extends StreamingLlmClientContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MockWebServer server = new MockWebServer();
    private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final MockOpenAi.RecordingSleeper sleeper = new MockOpenAi.RecordingSleeper();

    @BeforeEach
    void start() throws IOException {
        server.setDispatcher(new Dispatcher() {
            private @org.jspecify.annotations.Nullable Reply last;

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
                return render(reply, body.contains("\"stream\":true"));
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
        return MockOpenAi.KEY;
    }

    @Override
    protected LlmClient client(int maxAttempts) {
        return MockOpenAi.client(server, sleeper).maxAttempts(maxAttempts).build();
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
            JsonNode root = read(body);
            List<ToolCall> calls = new ArrayList<>();
            Map<String, String> results = new LinkedHashMap<>();
            for (JsonNode m : root.path("messages")) {
                for (JsonNode tc : m.path("tool_calls")) {
                    calls.add(new ToolCall(
                            tc.path("id").asText(),
                            tc.path("function").path("name").asText(),
                            tc.path("function").path("arguments").asText()));
                }
                if (m.path("role").asText().equals("tool")) {
                    results.put(
                            m.path("tool_call_id").asText(), m.path("content").asText());
                }
            }
            JsonNode format = root.path("response_format");
            String schema = format.path("type").asText().equals("json_schema")
                    ? format.path("json_schema").path("name").asText()
                    : null;
            out.add(new SentRequest(root.path("stream").asBoolean(false), calls, results, schema));
        }
        return out;
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- rendering in the wire format ---

    private static MockResponse render(Reply reply, boolean stream) {
        if (reply instanceof Failure f) {
            MockResponse r = MockOpenAi.error(f.status(), f.message());
            return f.retryAfterSeconds() == null ? r : r.setHeader("Retry-After", f.retryAfterSeconds());
        }
        if (reply instanceof Text t) {
            return stream
                    ? sse(textEvents(t.chunks(), "stop", t.usage()), true)
                    : MockOpenAi.ok(completion(message(String.join("", t.chunks()), List.of()), "stop", t.usage()));
        }
        if (reply instanceof ToolCalls c) {
            return stream
                    ? sse(toolEvents(c.calls(), c.usage()), true)
                    : MockOpenAi.ok(completion(message(null, c.calls()), "tool_calls", c.usage()));
        }
        if (reply instanceof Structured s) {
            String json = s.json();
            int half = json.length() / 2;
            return stream
                    ? sse(
                            textEvents(
                                    List.of(json.substring(0, half), json.substring(half)),
                                    "stop",
                                    new TokenUsage(50, 10)),
                            true)
                    : MockOpenAi.ok(completion(message(json, List.of()), "stop", new TokenUsage(50, 10)));
        }
        if (reply instanceof Truncated t) {
            List<String> events = textEvents(t.chunks(), null, null);
            return sse(events, false).setSocketPolicy(SocketPolicy.DISCONNECT_AT_END);
        }
        if (reply instanceof Stalled s) {
            // No length and not chunked: the body lasts until the server closes the connection, which it keeps
            // open; the client has the text and waits for more.
            return sse(textEvents(s.chunks(), null, null), false).removeHeader("Content-Length");
        }
        throw new IllegalArgumentException("unknown reply " + reply);
    }

    private static MockResponse sse(List<String> events, boolean done) {
        StringBuilder body = new StringBuilder();
        for (String e : events) {
            body.append("data: ").append(e).append("\n\n");
        }
        if (done) {
            body.append("data: [DONE]\n\n");
        }
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body.toString());
    }

    private static ObjectNode chunk() {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", "chatcmpl-contract")
                .put("object", "chat.completion.chunk")
                .put("created", 1_700_000_000)
                .put("model", "gpt-4o-mini-2024-07-18")
                .put("system_fingerprint", "fp_1");
        return c;
    }

    private static ObjectNode choiceChunk(ObjectNode delta, @org.jspecify.annotations.Nullable String finish) {
        ObjectNode c = chunk();
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0).set("delta", delta);
        choice.putNull("logprobs");
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return c;
    }

    private static List<String> textEvents(
            List<String> chunks,
            @org.jspecify.annotations.Nullable String finish,
            @org.jspecify.annotations.Nullable TokenUsage usage) {
        List<String> out = new ArrayList<>();
        out.add(choiceChunk(
                        JSON.createObjectNode()
                                .put("role", "assistant")
                                .put("content", "")
                                .putNull("refusal"),
                        null)
                .toString());
        for (String c : chunks) {
            out.add(choiceChunk(JSON.createObjectNode().put("content", c), null).toString());
        }
        if (finish != null) {
            out.add(choiceChunk(JSON.createObjectNode(), finish).toString());
        }
        if (usage != null) {
            out.add(usageChunk(usage));
        }
        return out;
    }

    private static List<String> toolEvents(List<ToolCall> calls, TokenUsage usage) {
        List<String> out = new ArrayList<>();
        out.add(choiceChunk(JSON.createObjectNode().put("role", "assistant").putNull("content"), null)
                .toString());
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = calls.get(i);
            ObjectNode first = JSON.createObjectNode();
            ObjectNode tc = first.putArray("tool_calls").addObject();
            tc.put("index", i).put("id", call.id()).put("type", "function");
            tc.putObject("function").put("name", call.name()).put("arguments", "");
            out.add(choiceChunk(first, null).toString());
            String args = call.arguments();
            int third = Math.max(1, args.length() / 3);
            for (int from = 0; from < args.length(); from += third) {
                ObjectNode d = JSON.createObjectNode();
                ArrayNode arr = d.putArray("tool_calls");
                arr.addObject()
                        .put("index", i)
                        .putObject("function")
                        .put("arguments", args.substring(from, Math.min(args.length(), from + third)));
                out.add(choiceChunk(d, null).toString());
            }
        }
        out.add(choiceChunk(JSON.createObjectNode(), "tool_calls").toString());
        out.add(usageChunk(usage));
        return out;
    }

    private static String usageChunk(TokenUsage usage) {
        ObjectNode c = chunk();
        c.putArray("choices");
        ObjectNode u = c.putObject("usage");
        u.put("prompt_tokens", usage.inputTokens())
                .put("completion_tokens", usage.outputTokens())
                .put("total_tokens", usage.totalTokens());
        u.putObject("prompt_tokens_details").put("cached_tokens", usage.cacheReadTokens());
        u.putObject("completion_tokens_details").put("reasoning_tokens", 0);
        return c.toString();
    }

    private static String message(@org.jspecify.annotations.Nullable String content, List<ToolCall> calls) {
        ObjectNode m = JSON.createObjectNode().put("role", "assistant");
        if (content == null) {
            m.putNull("content");
        } else {
            m.put("content", content);
        }
        if (!calls.isEmpty()) {
            ArrayNode arr = m.putArray("tool_calls");
            for (ToolCall c : calls) {
                ObjectNode tc = arr.addObject().put("id", c.id()).put("type", "function");
                tc.putObject("function").put("name", c.name()).put("arguments", c.arguments());
            }
        }
        m.putNull("refusal");
        return m.toString();
    }

    private static String completion(String message, String finish, TokenUsage usage) {
        return """
                {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18",
                 "choices":[{"index":0,"message":%s,"logprobs":null,"finish_reason":"%s"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,
                          "prompt_tokens_details":{"cached_tokens":%d}}}
                """.formatted(
                        message,
                        finish,
                        usage.inputTokens(),
                        usage.outputTokens(),
                        usage.totalTokens(),
                        usage.cacheReadTokens());
    }
}
