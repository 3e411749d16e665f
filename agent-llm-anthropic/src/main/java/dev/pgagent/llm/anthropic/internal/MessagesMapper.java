package dev.pgagent.llm.anthropic.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.llm.ReasoningEffort;
import dev.pgagent.api.llm.ResponseSchema;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.Thinking;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolChoice;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.llm.UserMessage;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Maps between the pgagent chat model and the Messages API's wire format. Stateless and thread-safe.
 *
 * <p>System messages become the top-level {@code system}; consecutive tool results become one user turn of
 * {@code tool_result} blocks (as parallel tool use requires); an assistant turn sends its thinking blocks back first,
 * then its text and {@code tool_use} blocks. With prompt caching, the stable prefix (the last tool and the system
 * prompt) is marked {@code cache_control: ephemeral}. A {@link ResponseSchema} becomes a tool of the schema's name
 * that the model is made to call (forced when no other tools are offered, {@code any} otherwise, and asked for in
 * the system prompt when extended thinking rules forcing out); its input is the reply's JSON.
 */
public final class MessagesMapper {
    private MessagesMapper() {}

    /**
     * The client's settings the mapping needs.
     *
     * @param model the default model
     * @param defaults the client's default options; a request's set options win
     * @param maxTokens the output cap when the options set none (the API requires one)
     * @param promptCaching whether to mark the stable prefix for caching
     */
    public record Settings(String model, ModelOptions defaults, int maxTokens, boolean promptCaching) {}

    /** Returns the extended-thinking budget in tokens for an effort. */
    public static int thinkingBudget(ReasoningEffort effort) {
        return switch (effort) {
            case MINIMAL -> 1024;
            case LOW -> 2048;
            case MEDIUM -> 8192;
            case HIGH -> 24_576;
        };
    }

    /**
     * Builds the request body.
     *
     * @throws LlmException ({@link LlmException.Reason#BAD_REQUEST}) if a schema is not a JSON object or the
     *     response schema's name is also a tool's
     */
    public static ObjectNode toWire(ChatRequest request, Settings settings, boolean stream) {
        ModelOptions o = ModelOptions.merge(settings.defaults(), request.options());
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("model", o.model().orElse(settings.model()));
        Integer budget = o.reasoningEffort().map(MessagesMapper::thinkingBudget).orElse(null);
        int maxTokens = o.maxTokens().orElse(settings.maxTokens());
        if (budget != null && maxTokens <= budget) {
            // The thinking budget counts against max_tokens; leave the answer its own room.
            maxTokens = budget + maxTokens;
        }
        root.put("max_tokens", maxTokens);

        ResponseSchema output = request.responseSchema().orElse(null);
        if (output != null && request.tools().stream().anyMatch(t -> t.name().equals(output.name()))) {
            throw badRequest("responseSchema name '" + output.name() + "' must differ from every tool's name", null);
        }
        StringBuilder system = new StringBuilder();
        for (ChatMessage m : request.messages()) {
            if (m instanceof SystemMessage s) {
                if (system.length() > 0) {
                    system.append("\n\n");
                }
                system.append(s.text());
            }
        }
        boolean forceable = budget == null;
        if (output != null && !forceable) {
            system.append(system.length() > 0 ? "\n\n" : "")
                    .append("Give your final answer by calling the tool '")
                    .append(output.name())
                    .append("' with it, and only then.");
        }
        if (system.length() > 0) {
            ArrayNode sys = root.putArray("system");
            ObjectNode block = sys.addObject().put("type", "text").put("text", system.toString());
            if (settings.promptCaching()) {
                block.putObject("cache_control").put("type", "ephemeral");
            }
        }
        root.set("messages", messages(request.messages()));

        List<ToolSpec> specs = new ArrayList<>(request.tools());
        if (output != null) {
            specs.add(new ToolSpec(
                    output.name(),
                    "Gives the final answer, as the JSON the schema describes. "
                            + "Call it once, when you have the answer.",
                    output.schema()));
        }
        if (!specs.isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (ToolSpec spec : specs) {
                ObjectNode t = tools.addObject();
                t.put("name", spec.name());
                t.put("description", spec.description());
                t.set("input_schema", schema("tool '" + spec.name() + "' schema", spec.parametersSchema()));
            }
            if (settings.promptCaching()) {
                ((ObjectNode) tools.get(tools.size() - 1))
                        .putObject("cache_control")
                        .put("type", "ephemeral");
            }
            ObjectNode choice = toolChoice(o, output, request.tools().isEmpty(), forceable);
            if (choice != null) {
                root.set("tool_choice", choice);
            }
        }
        if (budget != null) {
            root.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
        } else {
            // Extended thinking accepts neither temperature nor top_p changes; leave them out then.
            o.temperature().ifPresent(t -> root.put("temperature", Math.min(1.0, t)));
            o.topP().ifPresent(p -> root.put("top_p", p));
        }
        if (!o.stop().isEmpty()) {
            ArrayNode stop = root.putArray("stop_sequences");
            o.stop().forEach(stop::add);
        }
        if (stream) {
            root.put("stream", true);
        }
        return root;
    }

    private static @Nullable ObjectNode toolChoice(
            ModelOptions o, @Nullable ResponseSchema output, boolean onlyOutput, boolean forceable) {
        ObjectNode choice = Json.MAPPER.createObjectNode();
        ToolChoice requested = o.toolChoice().orElse(null);
        if (output != null && forceable) {
            if (onlyOutput || requested == ToolChoice.NONE) {
                choice.put("type", "tool").put("name", output.name());
            } else {
                choice.put("type", "any");
            }
        } else if (requested == ToolChoice.REQUIRED && forceable) {
            choice.put("type", "any");
        } else if (requested == ToolChoice.NONE && output == null) {
            choice.put("type", "none");
        } else {
            choice.put("type", "auto");
        }
        if (Boolean.FALSE.equals(o.parallelToolCalls().orElse(null))
                && !"none".equals(choice.path("type").asText())) {
            choice.put("disable_parallel_tool_use", true);
        }
        return choice.path("type").asText().equals("auto") && !choice.has("disable_parallel_tool_use") ? null : choice;
    }

    private static ArrayNode messages(List<ChatMessage> messages) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        ArrayNode pendingResults = null;
        for (ChatMessage m : messages) {
            if (m instanceof ToolResultMessage t) {
                if (pendingResults == null) {
                    ObjectNode user = out.addObject().put("role", "user");
                    pendingResults = user.putArray("content");
                }
                ObjectNode r = pendingResults.addObject();
                r.put("type", "tool_result").put("tool_use_id", t.toolCallId()).put("content", t.content());
                if (t.error()) {
                    r.put("is_error", true);
                }
                continue;
            }
            pendingResults = null;
            if (m instanceof UserMessage u) {
                out.addObject().put("role", "user").put("content", u.text());
            } else if (m instanceof AssistantMessage a) {
                ObjectNode msg = out.addObject().put("role", "assistant");
                ArrayNode content = msg.putArray("content");
                for (Thinking th : a.thinking()) {
                    if (th.redacted()) {
                        content.addObject().put("type", "redacted_thinking").put("data", th.text());
                    } else {
                        ObjectNode b =
                                content.addObject().put("type", "thinking").put("thinking", th.text());
                        if (th.signature() != null) {
                            b.put("signature", th.signature());
                        }
                    }
                }
                if (a.text() != null && !a.text().isEmpty()) {
                    content.addObject().put("type", "text").put("text", a.text());
                }
                for (ToolCall c : a.toolCalls()) {
                    ObjectNode b = content.addObject()
                            .put("type", "tool_use")
                            .put("id", c.id())
                            .put("name", c.name());
                    b.set("input", arguments(c.arguments()));
                }
                if (content.isEmpty()) {
                    content.addObject().put("type", "text").put("text", "");
                }
            }
            // System messages went to the top-level system prompt.
        }
        return out;
    }

    /** Returns the arguments as a JSON object; text that is not one is wrapped so that the turn stays valid. */
    private static JsonNode arguments(String arguments) {
        JsonNode n = Json.parseOrNull(arguments);
        if (n != null && n.isObject()) {
            return n;
        }
        ObjectNode wrapped = Json.MAPPER.createObjectNode();
        wrapped.put("_raw", arguments);
        return wrapped;
    }

    private static JsonNode schema(String what, String schema) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(schema);
        } catch (JsonProcessingException e) {
            throw badRequest(what + " must be valid JSON but was " + PgAgentException.abbreviate(schema, 120), e);
        }
        if (node == null || !node.isObject()) {
            throw badRequest(what + " must be a JSON object but was " + PgAgentException.abbreviate(schema, 120), null);
        }
        if (!node.has("type")) {
            ((ObjectNode) node).put("type", "object");
        }
        return node;
    }

    private static LlmException badRequest(String message, @Nullable Throwable cause) {
        return new LlmException(message, LlmException.Reason.BAD_REQUEST, false, cause);
    }

    /**
     * Parses a successful (non-streamed) response body.
     *
     * @param outputTool the name of the structured-output tool, or null
     * @throws LlmException ({@link LlmException.Reason#INVALID_RESPONSE}) if the body is not a message
     */
    public static ChatResponse parseResponse(String body, int statusCode, @Nullable String outputTool) {
        JsonNode root = Json.parseOrNull(body);
        if (root == null || !root.isObject()) {
            throw invalid("the body is not a JSON object: " + PgAgentException.abbreviate(body, 200), statusCode);
        }
        JsonNode content = root.path("content");
        if (!"message".equals(Json.textOrNull(root.get("type"))) || !content.isArray()) {
            throw invalid("the body is not a message: " + PgAgentException.abbreviate(body, 200), statusCode);
        }
        Reply reply = new Reply(outputTool);
        int index = 0;
        for (JsonNode block : content) {
            String type = Json.textOrNull(block.get("type"));
            if ("text".equals(type)) {
                reply.text(Json.textOrNull(block.get("text")));
            } else if ("tool_use".equals(type)) {
                JsonNode input = block.get("input");
                reply.toolUse(
                        Json.textOrNull(block.get("id")),
                        Json.textOrNull(block.get("name")),
                        input == null || input.isNull() ? "{}" : input.toString(),
                        index,
                        statusCode);
            } else if ("thinking".equals(type)) {
                String thinking = Json.textOrNull(block.get("thinking"));
                reply.thinking.add(
                        new Thinking(thinking == null ? "" : thinking, Json.textOrNull(block.get("signature")), false));
            } else if ("redacted_thinking".equals(type)) {
                String data = Json.textOrNull(block.get("data"));
                reply.thinking.add(new Thinking(data == null ? "" : data, null, true));
            }
            index++;
        }
        return reply.response(
                Json.textOrNull(root.get("stop_reason")),
                usage(root.path("usage"), null),
                Json.textOrNull(root.get("model")));
    }

    /** Collects a reply's blocks; shared by the whole and the streamed reply. */
    static final class Reply {
        private final @Nullable String outputTool;
        private final StringBuilder text = new StringBuilder();
        private boolean hasText;
        private final List<ToolCall> calls = new ArrayList<>();
        final List<Thinking> thinking = new ArrayList<>();
        private @Nullable String output;

        Reply(@Nullable String outputTool) {
            this.outputTool = outputTool;
        }

        void text(@Nullable String t) {
            if (t != null) {
                text.append(t);
                hasText = true;
            }
        }

        /** Adds a tool use; returns whether it was the structured-output tool. */
        boolean toolUse(@Nullable String id, @Nullable String name, String input, int index, int statusCode) {
            if (name == null || name.isEmpty()) {
                throw invalid("tool use " + index + " has no name", statusCode);
            }
            if (name.equals(outputTool)) {
                output = input;
                return true;
            }
            calls.add(new ToolCall(id == null || id.isEmpty() ? "toolu_" + index : id, name, input));
            return false;
        }

        ChatResponse response(@Nullable String stopReason, TokenUsage usage, @Nullable String model) {
            if (output != null && calls.isEmpty()) {
                // The structured answer: its JSON is the reply's text.
                return new ChatResponse(
                        new AssistantMessage(output, List.of(), thinking), FinishReason.STOP, usage, model);
            }
            FinishReason reason = finishReason(stopReason);
            if (!calls.isEmpty()) {
                reason = FinishReason.TOOL_CALLS;
            }
            return new ChatResponse(
                    new AssistantMessage(hasText ? text.toString() : null, calls, thinking), reason, usage, model);
        }
    }

    /** Maps a {@code stop_reason}; null and unknown reasons map to {@link FinishReason#OTHER}. */
    public static FinishReason finishReason(@Nullable String reason) {
        if (reason == null) {
            return FinishReason.OTHER;
        }
        return switch (reason) {
            case "end_turn", "stop_sequence" -> FinishReason.STOP;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    /**
     * Reads a {@code usage} object. The input count returned covers the whole prompt: uncached, read from the cache
     * and written to it.
     *
     * @param base counts already known (from {@code message_start}) that {@code usage} may update, or null
     */
    public static TokenUsage usage(JsonNode usage, @Nullable TokenUsage base) {
        if (!usage.isObject()) {
            return base == null ? TokenUsage.ZERO : base;
        }
        long read = usage.has("cache_read_input_tokens") || base == null
                ? Json.count(usage.get("cache_read_input_tokens"))
                : base.cacheReadTokens();
        long write = usage.has("cache_creation_input_tokens") || base == null
                ? Json.count(usage.get("cache_creation_input_tokens"))
                : base.cacheWriteTokens();
        long uncached = usage.has("input_tokens") || base == null
                ? Json.count(usage.get("input_tokens"))
                : base.inputTokens() - base.cacheReadTokens() - base.cacheWriteTokens();
        long out = usage.has("output_tokens") || base == null
                ? Json.count(usage.get("output_tokens"))
                : base.outputTokens();
        return new TokenUsage(uncached + read + write, out, read, write);
    }

    static LlmException invalid(String detail, int statusCode) {
        return new LlmException(
                "Anthropic messages response could not be read: " + detail,
                LlmException.Reason.INVALID_RESPONSE,
                false,
                statusCode,
                null,
                null);
    }
}
