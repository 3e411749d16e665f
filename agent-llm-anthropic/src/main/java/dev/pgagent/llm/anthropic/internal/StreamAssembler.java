package dev.pgagent.llm.anthropic.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.StreamListener;
import dev.pgagent.api.llm.Thinking;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Assembles a streamed message ({@code message_start}, {@code content_block_start/delta/stop} with
 * {@code text_delta}, {@code input_json_delta}, {@code thinking_delta} and {@code signature_delta},
 * {@code message_delta} with the stop reason and usage, {@code message_stop}) into a {@link ChatResponse}: text and
 * thinking reach the listener as they arrive, each tool call once its block stops. The structured-output tool's
 * input is streamed as text, since it is the reply's text. Used by one call on one thread at a time.
 */
public final class StreamAssembler {
    private final StreamListener listener;
    private final String target;
    private final @Nullable String outputTool;
    private final MessagesMapper.Reply reply;
    private final Map<Integer, Block> blocks = new HashMap<>();
    private @Nullable String model;
    private @Nullable String stopReason;
    private @Nullable TokenUsage usage;
    private boolean stopped;
    private int toolIndex;

    private static final class Block {
        final String type;
        final StringBuilder content = new StringBuilder();
        final StringBuilder signature = new StringBuilder();

        @Nullable
        String id;

        @Nullable
        String name;

        Block(String type) {
            this.type = type;
        }
    }

    /**
     * Creates an assembler.
     *
     * @param listener receives the reply as it arrives
     * @param target what was called, for messages
     * @param outputTool the structured-output tool's name, or null
     */
    public StreamAssembler(StreamListener listener, String target, @Nullable String outputTool) {
        this.listener = listener;
        this.target = target;
        this.outputTool = outputTool;
        this.reply = new MessagesMapper.Reply(outputTool);
    }

    /**
     * Takes one event.
     *
     * @throws LlmException if it is an error event or cannot be read
     */
    public void onEvent(@Nullable String eventType, String data) {
        JsonNode root = Json.parseOrNull(data);
        if (root == null || !root.isObject()) {
            throw MessagesMapper.invalid(
                    "a stream event is not a JSON object: " + PgAgentException.abbreviate(data, 200), 200);
        }
        String type = Json.textOrNull(root.get("type"));
        if (type == null) {
            type = eventType;
        }
        if (type == null) {
            return;
        }
        switch (type) {
            case "message_start" -> {
                JsonNode message = root.path("message");
                model = Json.textOrNull(message.get("model"));
                usage = MessagesMapper.usage(message.path("usage"), null);
            }
            case "content_block_start" -> start(root.path("index").asInt(), root.path("content_block"));
            case "content_block_delta" -> delta(root.path("index").asInt(), root.path("delta"));
            case "content_block_stop" -> stop(root.path("index").asInt());
            case "message_delta" -> {
                String reason = Json.textOrNull(root.path("delta").get("stop_reason"));
                if (reason != null) {
                    stopReason = reason;
                }
                usage = MessagesMapper.usage(root.path("usage"), usage);
            }
            case "message_stop" -> stopped = true;
            case "error" -> throw ErrorMapper.fromStreamError(root, target);
            default -> {
                // ping and event types added later carry nothing the reply needs
            }
        }
    }

    private void start(int index, JsonNode block) {
        String type = Json.textOrNull(block.get("type"));
        Block b = new Block(type == null ? "unknown" : type);
        b.id = Json.textOrNull(block.get("id"));
        b.name = Json.textOrNull(block.get("name"));
        if ("text".equals(type)) {
            String t = Json.textOrNull(block.get("text"));
            if (t != null && !t.isEmpty()) {
                b.content.append(t);
                listener.onText(t);
            }
        } else if ("redacted_thinking".equals(type)) {
            String d = Json.textOrNull(block.get("data"));
            b.content.append(d == null ? "" : d);
        } else if ("thinking".equals(type)) {
            String t = Json.textOrNull(block.get("thinking"));
            b.content.append(t == null ? "" : t);
        }
        blocks.put(index, b);
    }

    private void delta(int index, JsonNode delta) {
        Block b = blocks.get(index);
        if (b == null) {
            throw MessagesMapper.invalid("a delta arrived for block " + index + ", which never started", 200);
        }
        String type = Json.textOrNull(delta.get("type"));
        if ("text_delta".equals(type)) {
            String t = Json.textOrNull(delta.get("text"));
            if (t != null && !t.isEmpty()) {
                b.content.append(t);
                listener.onText(t);
            }
        } else if ("input_json_delta".equals(type)) {
            String j = Json.textOrNull(delta.get("partial_json"));
            if (j != null && !j.isEmpty()) {
                b.content.append(j);
                if (b.name != null && b.name.equals(outputTool)) {
                    listener.onText(j);
                }
            }
        } else if ("thinking_delta".equals(type)) {
            String t = Json.textOrNull(delta.get("thinking"));
            if (t != null && !t.isEmpty()) {
                b.content.append(t);
                listener.onThinking(t);
            }
        } else if ("signature_delta".equals(type)) {
            String s = Json.textOrNull(delta.get("signature"));
            if (s != null) {
                b.signature.append(s);
            }
        }
    }

    private void stop(int index) {
        Block b = blocks.remove(index);
        if (b == null) {
            return;
        }
        switch (b.type) {
            case "text" -> reply.text(b.content.toString());
            case "tool_use" -> {
                String input = b.content.length() == 0 ? "{}" : b.content.toString();
                boolean output = reply.toolUse(b.id, b.name, input, toolIndex++, 200);
                if (!output) {
                    listener.onToolCall(new ToolCall(
                            b.id == null ? "toolu_" + (toolIndex - 1) : b.id,
                            java.util.Objects.requireNonNull(b.name),
                            input));
                }
            }
            case "thinking" ->
                reply.thinking.add(new Thinking(
                        b.content.toString(), b.signature.length() == 0 ? null : b.signature.toString(), false));
            case "redacted_thinking" -> reply.thinking.add(new Thinking(b.content.toString(), null, true));
            default -> {
                // server tool results and other blocks pgagent does not use
            }
        }
    }

    /**
     * Returns the whole reply once the stream has ended.
     *
     * @throws LlmException ({@link LlmException.Reason#NETWORK}) if the stream ended before {@code message_stop}
     */
    public ChatResponse finish() {
        if (!stopped) {
            throw ErrorMapper.truncated(target);
        }
        return reply.response(stopReason, usage == null ? TokenUsage.ZERO : usage, model);
    }
}
