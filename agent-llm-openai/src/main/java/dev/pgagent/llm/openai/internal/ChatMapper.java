package dev.pgagent.llm.openai.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolChoice;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.llm.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Maps between the pgagent chat model and the Chat Completions wire format. Stateless and thread-safe. */
public final class ChatMapper {
    /** The shared mapper; configured once, thread-safe. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ChatMapper() {}

    /**
     * Builds the wire request.
     *
     * @param request the pgagent request
     * @param defaultModel the client's model, used unless the request's options name another
     * @param defaults the client's default options; the request's set options win
     * @param maxCompletionTokens whether to send the token cap as {@code max_completion_tokens}
     * @throws LlmException ({@link LlmException.Reason#BAD_REQUEST}) if a tool's parameter schema is not a JSON object
     */
    public static WireRequest toWire(
            ChatRequest request, String defaultModel, ModelOptions defaults, boolean maxCompletionTokens) {
        ModelOptions o = merge(defaults, request.options());
        List<WireRequest.Message> messages = new ArrayList<>(request.messages().size());
        for (ChatMessage m : request.messages()) {
            messages.add(toWire(m));
        }
        List<WireRequest.Tool> tools = null;
        if (!request.tools().isEmpty()) {
            tools = new ArrayList<>(request.tools().size());
            for (ToolSpec spec : request.tools()) {
                tools.add(new WireRequest.Tool(
                        "function",
                        new WireRequest.Function(spec.name(), spec.description(), parseSchema(spec))));
            }
        }
        // tool_choice and parallel_tool_calls are errors at OpenAI when no tools are sent.
        String toolChoice = tools == null
                ? null
                : o.toolChoice().map(ChatMapper::wireName).orElse(null);
        Boolean parallel = tools == null ? null : o.parallelToolCalls().orElse(null);
        Integer cap = o.maxTokens().orElse(null);
        return new WireRequest(
                o.model().orElse(defaultModel),
                messages,
                tools,
                toolChoice,
                parallel,
                o.temperature().orElse(null),
                o.topP().orElse(null),
                maxCompletionTokens ? null : cap,
                maxCompletionTokens ? cap : null,
                o.seed().orElse(null),
                o.stop().isEmpty() ? null : o.stop());
    }

    /** Returns {@code defaults} overlaid with every option {@code overrides} sets. */
    static ModelOptions merge(ModelOptions defaults, ModelOptions overrides) {
        if (defaults.equals(ModelOptions.DEFAULTS)) {
            return overrides;
        }
        ModelOptions.Builder b = defaults.toBuilder();
        overrides.model().ifPresent(b::model);
        overrides.temperature().ifPresent(b::temperature);
        overrides.topP().ifPresent(b::topP);
        overrides.maxTokens().ifPresent(b::maxTokens);
        overrides.seed().ifPresent(b::seed);
        overrides.parallelToolCalls().ifPresent(b::parallelToolCalls);
        overrides.toolChoice().ifPresent(b::toolChoice);
        if (!overrides.stop().isEmpty()) {
            b.stop(overrides.stop());
        }
        return b.build();
    }

    private static WireRequest.Message toWire(ChatMessage m) {
        if (m instanceof SystemMessage s) {
            return new WireRequest.Message("system", s.text(), null, null);
        } else if (m instanceof UserMessage u) {
            return new WireRequest.Message("user", u.text(), null, null);
        } else if (m instanceof AssistantMessage a) {
            if (!a.hasToolCalls()) {
                return new WireRequest.Message("assistant", a.text() == null ? "" : a.text(), null, null);
            }
            List<WireRequest.ToolCall> calls = new ArrayList<>(a.toolCalls().size());
            for (ToolCall c : a.toolCalls()) {
                calls.add(new WireRequest.ToolCall(
                        c.id(), "function", new WireRequest.FunctionCall(c.name(), c.arguments())));
            }
            return new WireRequest.Message("assistant", a.text(), calls, null);
        } else if (m instanceof ToolResultMessage t) {
            return new WireRequest.Message("tool", t.content(), null, t.toolCallId());
        }
        throw new IllegalArgumentException("message must be a known ChatMessage but was " + m.getClass());
    }

    private static JsonNode parseSchema(ToolSpec spec) {
        JsonNode node;
        try {
            node = JSON.readTree(spec.parametersSchema());
        } catch (JsonProcessingException e) {
            throw new LlmException(
                    "tool '" + spec.name() + "' parametersSchema must be valid JSON but was "
                            + PgAgentException.abbreviate(spec.parametersSchema(), 120),
                    LlmException.Reason.BAD_REQUEST,
                    false,
                    e);
        }
        if (node == null || !node.isObject()) {
            throw new LlmException(
                    "tool '" + spec.name() + "' parametersSchema must be a JSON object but was "
                            + PgAgentException.abbreviate(spec.parametersSchema(), 120),
                    LlmException.Reason.BAD_REQUEST,
                    false,
                    null);
        }
        return node;
    }

    /**
     * Parses a successful response body.
     *
     * @throws LlmException ({@link LlmException.Reason#INVALID_RESPONSE}) if the body is not a chat completion
     */
    public static ChatResponse parseResponse(String body, int statusCode) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid("the body is not JSON: " + PgAgentException.abbreviate(body, 200), statusCode, e);
        }
        if (root == null || !root.isObject()) {
            throw invalid("the body is not a JSON object: " + PgAgentException.abbreviate(body, 200), statusCode, null);
        }
        JsonNode choices = root.path("choices");
        if (!choices.isArray() || choices.isEmpty()) {
            throw invalid("the response has no choices: " + PgAgentException.abbreviate(body, 200), statusCode, null);
        }
        JsonNode choice = choices.get(0);
        JsonNode message = choice.path("message");
        if (!message.isObject()) {
            throw invalid("the first choice has no message", statusCode, null);
        }
        String text = text(message.get("content"));
        if (text == null) {
            // A refusal is the model's answer in its own field; show it rather than an empty turn.
            text = textOrNull(message.get("refusal"));
        }
        List<ToolCall> calls = new ArrayList<>();
        JsonNode toolCalls = message.path("tool_calls");
        if (toolCalls.isArray()) {
            int index = 0;
            for (JsonNode call : toolCalls) {
                calls.add(toolCall(call.path("id"), call.path("function"), index++, statusCode));
            }
        }
        JsonNode legacy = message.path("function_call");
        if (calls.isEmpty() && legacy.isObject()) {
            calls.add(toolCall(legacy.path("id"), legacy, 0, statusCode));
        }
        String finish = textOrNull(choice.get("finish_reason"));
        return new ChatResponse(
                new AssistantMessage(text, calls), finishReason(finish), usage(root.path("usage")),
                textOrNull(root.get("model")));
    }

    private static ToolCall toolCall(JsonNode idNode, JsonNode function, int index, int statusCode) {
        String name = textOrNull(function.get("name"));
        if (name == null || name.isEmpty()) {
            throw invalid("tool call " + index + " has no function name", statusCode, null);
        }
        String id = textOrNull(idNode);
        if (id == null || id.isEmpty()) {
            // Some OpenAI-compatible servers omit ids; the agent needs one to pair results with calls.
            id = "call_" + index;
        }
        JsonNode args = function.get("arguments");
        String arguments;
        if (args == null || args.isNull()) {
            arguments = "{}";
        } else if (args.isTextual()) {
            // Kept verbatim, valid JSON or not: the agent reports bad arguments back to the model.
            arguments = args.asText();
        } else {
            // Some compatible servers send the arguments as a JSON object rather than a string.
            arguments = args.toString();
        }
        return new ToolCall(id, name, arguments);
    }

    /** Maps a {@code finish_reason}; null and unknown reasons map to {@link FinishReason#OTHER}. */
    public static FinishReason finishReason(@Nullable String reason) {
        if (reason == null) {
            return FinishReason.OTHER;
        }
        return switch (reason) {
            case "stop" -> FinishReason.STOP;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            case "length" -> FinishReason.LENGTH;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    private static TokenUsage usage(JsonNode usage) {
        if (!usage.isObject()) {
            return TokenUsage.ZERO;
        }
        return new TokenUsage(count(usage.get("prompt_tokens")), count(usage.get("completion_tokens")));
    }

    private static long count(@Nullable JsonNode n) {
        return n != null && n.canConvertToLong() ? Math.max(0, n.asLong()) : 0;
    }

    private static @Nullable String text(@Nullable JsonNode content) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isArray()) {
            // Content given as parts: join the text parts.
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                if (part.isTextual()) {
                    sb.append(part.asText());
                } else if (part.path("text").isTextual()) {
                    sb.append(part.path("text").asText());
                }
            }
            return sb.toString();
        }
        return content.isValueNode() ? content.asText() : content.toString();
    }

    private static @Nullable String textOrNull(@Nullable JsonNode n) {
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }

    private static LlmException invalid(String detail, int statusCode, @Nullable Throwable cause) {
        return new LlmException(
                "OpenAI chat response could not be read: " + detail,
                LlmException.Reason.INVALID_RESPONSE,
                false,
                statusCode,
                null,
                cause);
    }

    /** Returns the wire name of a tool choice. */
    static String wireName(ToolChoice choice) {
        return choice.name().toLowerCase(Locale.ROOT);
    }
}
