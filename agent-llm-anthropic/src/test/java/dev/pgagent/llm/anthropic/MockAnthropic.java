package dev.pgagent.llm.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.llm.RetryPolicy;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.jspecify.annotations.Nullable;

/** Shared fixtures: a key, Messages API bodies and event streams, and a client pointed at a MockWebServer. */
final class MockAnthropic {
    static final String KEY = "sk-ant-api03-TESTSECRET0123456789abcdefXYZ";
    static final ObjectMapper JSON = new ObjectMapper();

    private MockAnthropic() {}

    /** A sleeper that records the delays instead of waiting. */
    static final class RecordingSleeper implements RetryPolicy.Sleeper {
        final List<Duration> delays = new CopyOnWriteArrayList<>();

        @Override
        public void sleep(Duration duration) {
            delays.add(duration);
        }
    }

    static AnthropicLlmClient.Builder client(MockWebServer server, RecordingSleeper sleeper) {
        return AnthropicLlmClient.builder()
                .baseUrl(server.url("/").toString())
                .apiKey(KEY)
                .model("claude-sonnet-4-5")
                .sleeper(sleeper)
                .jitter(() -> 0.5);
    }

    static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode usage(TokenUsage u) {
        ObjectNode n = JSON.createObjectNode();
        n.put("input_tokens", u.inputTokens() - u.cacheReadTokens() - u.cacheWriteTokens())
                .put("cache_creation_input_tokens", u.cacheWriteTokens())
                .put("cache_read_input_tokens", u.cacheReadTokens())
                .put("output_tokens", u.outputTokens());
        return n;
    }

    /** A whole message: text blocks, tool_use blocks (input from the calls' JSON) and a stop reason. */
    static String message(@Nullable String text, List<ToolCall> calls, String stopReason, TokenUsage usage) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", "msg_01contract")
                .put("type", "message")
                .put("role", "assistant")
                .put("model", "claude-sonnet-4-5-20250929");
        ArrayNode content = m.putArray("content");
        if (text != null) {
            content.addObject().put("type", "text").put("text", text);
        }
        for (ToolCall c : calls) {
            content.addObject()
                    .put("type", "tool_use")
                    .put("id", c.id())
                    .put("name", c.name())
                    .set("input", read(c.arguments()));
        }
        m.put("stop_reason", stopReason).putNull("stop_sequence");
        m.set("usage", usage(usage));
        return m.toString();
    }

    static MockResponse ok(String body) {
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body);
    }

    static MockResponse error(int status, String message) {
        String type = switch (status) {
            case 400, 413, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            case 529 -> "overloaded_error";
            default -> "api_error";
        };
        ObjectNode root = JSON.createObjectNode().put("type", "error");
        root.putObject("error").put("type", type).put("message", message);
        return new MockResponse()
                .setResponseCode(status)
                .setHeader("Content-Type", "application/json")
                .setHeader("request-id", "req_contract")
                .setBody(root.toString());
    }

    /** A stream of events, each as {@code event: <type>} and {@code data: <json>}. */
    static final class Events {
        final List<ObjectNode> events = new ArrayList<>();
        private int index;

        Events start(TokenUsage usage) {
            ObjectNode e = JSON.createObjectNode().put("type", "message_start");
            ObjectNode m = e.putObject("message");
            m.put("id", "msg_01stream")
                    .put("type", "message")
                    .put("role", "assistant")
                    .put("model", "claude-sonnet-4-5-20250929");
            m.putArray("content");
            m.putNull("stop_reason").putNull("stop_sequence");
            ObjectNode u = usage(usage);
            u.put("output_tokens", 1);
            m.set("usage", u);
            events.add(e);
            events.add(JSON.createObjectNode().put("type", "ping"));
            return this;
        }

        Events text(List<String> chunks) {
            ObjectNode s =
                    JSON.createObjectNode().put("type", "content_block_start").put("index", index);
            s.putObject("content_block").put("type", "text").put("text", "");
            events.add(s);
            for (String c : chunks) {
                ObjectNode d = JSON.createObjectNode()
                        .put("type", "content_block_delta")
                        .put("index", index);
                d.putObject("delta").put("type", "text_delta").put("text", c);
                events.add(d);
            }
            return stopBlock();
        }

        Events textOpen(List<String> chunks) {
            text(chunks);
            events.remove(events.size() - 1);
            return this;
        }

        Events thinking(String thinking, String signature) {
            ObjectNode s =
                    JSON.createObjectNode().put("type", "content_block_start").put("index", index);
            s.putObject("content_block").put("type", "thinking").put("thinking", "");
            events.add(s);
            ObjectNode d =
                    JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
            d.putObject("delta").put("type", "thinking_delta").put("thinking", thinking);
            events.add(d);
            ObjectNode sig =
                    JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
            sig.putObject("delta").put("type", "signature_delta").put("signature", signature);
            events.add(sig);
            return stopBlock();
        }

        Events toolUse(String id, String name, String json) {
            ObjectNode s =
                    JSON.createObjectNode().put("type", "content_block_start").put("index", index);
            s.putObject("content_block")
                    .put("type", "tool_use")
                    .put("id", id)
                    .put("name", name)
                    .putObject("input");
            events.add(s);
            ObjectNode empty =
                    JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
            empty.putObject("delta").put("type", "input_json_delta").put("partial_json", "");
            events.add(empty);
            int third = Math.max(1, json.length() / 3);
            for (int from = 0; from < json.length(); from += third) {
                ObjectNode d = JSON.createObjectNode()
                        .put("type", "content_block_delta")
                        .put("index", index);
                d.putObject("delta")
                        .put("type", "input_json_delta")
                        .put("partial_json", json.substring(from, Math.min(json.length(), from + third)));
                events.add(d);
            }
            return stopBlock();
        }

        private Events stopBlock() {
            events.add(JSON.createObjectNode().put("type", "content_block_stop").put("index", index++));
            return this;
        }

        Events end(String stopReason, long outputTokens) {
            ObjectNode d = JSON.createObjectNode().put("type", "message_delta");
            d.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
            d.putObject("usage").put("output_tokens", outputTokens);
            events.add(d);
            events.add(JSON.createObjectNode().put("type", "message_stop"));
            return this;
        }

        String body() {
            StringBuilder sb = new StringBuilder();
            for (ObjectNode e : events) {
                sb.append("event: ")
                        .append(e.path("type").asText())
                        .append('\n')
                        .append("data: ")
                        .append(e)
                        .append("\n\n");
            }
            return sb.toString();
        }

        MockResponse response() {
            return new MockResponse()
                    .setHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .setHeader("Cache-Control", "no-cache")
                    .setBody(body());
        }
    }
}
