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
     * @param reasoning whether the model is a reasoning model: system messages go as {@code developer}, the cap as
     *     {@code max_completion_tokens}, sampling options and {@code parallel_tool_calls} (which such models refuse)
     *     are left out, and the reasoning effort is sent
     * @throws LlmException ({@link LlmException.Reason#BAD_REQUEST}) if a tool's parameter schema or the response
     *     schema is not a JSON object
     */
    public static WireRequest toWire(
            ChatRequest request,
            String defaultModel,
            ModelOptions defaults,
            boolean maxCompletionTokens,
            boolean reasoning) {
        ModelOptions o = ModelOptions.merge(defaults, request.options());
        List<WireRequest.Message> messages = new ArrayList<>(request.messages().size());
        for (ChatMessage m : request.messages()) {
            messages.add(toWire(m, reasoning));
        }
        List<WireRequest.Tool> tools = null;
        if (!request.tools().isEmpty()) {
            tools = new ArrayList<>(request.tools().size());
            for (ToolSpec spec : request.tools()) {
                tools.add(new WireRequest.Tool(
                        "function",
                        new WireRequest.Function(
                                spec.name(),
                                spec.description(),
                                parseSchema("tool '" + spec.name() + "' parametersSchema", spec.parametersSchema()))));
            }
        }
        // tool_choice and parallel_tool_calls are errors at OpenAI when no tools are sent.
        String toolChoice =
                tools == null ? null : o.toolChoice().map(ChatMapper::wireName).orElse(null);
        Boolean parallel =
                tools == null || reasoning ? null : o.parallelToolCalls().orElse(null);
        Integer cap = o.maxTokens().orElse(null);
        boolean completionCap = maxCompletionTokens || reasoning;
        WireRequest.ResponseFormat format = request.responseSchema()
                .map(rs -> new WireRequest.ResponseFormat(
                        "json_schema",
                        new WireRequest.JsonSchema(
                                rs.name(),
                                parseSchema("responseSchema '" + rs.name() + "'", rs.schema()),
                                rs.strict())))
                .orElse(null);
        return new WireRequest(
                o.model().orElse(defaultModel),
                messages,
                tools,
                toolChoice,
                parallel,
                reasoning ? null : o.temperature().orElse(null),
                reasoning ? null : o.topP().orElse(null),
                completionCap ? null : cap,
                completionCap ? cap : null,
                o.seed().orElse(null),
                o.stop().isEmpty() ? null : o.stop(),
                format,
                reasoning
                        ? o.reasoningEffort()
                                .map(e -> e.name().toLowerCase(Locale.ROOT))
                                .orElse(null)
                        : null,
                null,
                null);
    }

    /** Returns whether {@code model} names an OpenAI reasoning model (o1, o3, o4-mini, gpt-5 and their kin). */
    public static boolean isReasoningModel(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        int slash = m.lastIndexOf('/');
        if (slash >= 0) {
            m = m.substring(slash + 1);
        }
        return m.matches("o[1-9]([-.].*)?") || m.startsWith("gpt-5");
    }

    /** Returns the context window of a known OpenAI model in tokens, or 0 when unknown. */
    public static int contextWindow(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        if (m.startsWith("gpt-4.1")) {
            return 1_047_576;
        }
        if (m.startsWith("gpt-5")) {
            return 400_000;
        }
        if (m.startsWith("gpt-4o") || m.startsWith("gpt-4-turbo")) {
            return 128_000;
        }
        if (m.matches("o[1-9]([-.].*)?")) {
            return m.startsWith("o1-mini") ? 128_000 : 200_000;
        }
        return 0;
    }

    private static WireRequest.Message toWire(ChatMessage m, boolean reasoning) {
        if (m instanceof SystemMessage s) {
            // Reasoning models take the application's instructions as developer messages.
            return new WireRequest.Message(reasoning ? "developer" : "system", s.text(), null, null);
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

    private static JsonNode parseSchema(String what, String schema) {
        JsonNode node;
        try {
            node = JSON.readTree(schema);
        } catch (JsonProcessingException e) {
            throw new LlmException(
                    what + " must be valid JSON but was " + PgAgentException.abbreviate(schema, 120),
                    LlmException.Reason.BAD_REQUEST,
                    false,
                    e);
        }
        if (node == null || !node.isObject()) {
            throw new LlmException(
                    what + " must be a JSON object but was " + PgAgentException.abbreviate(schema, 120),
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
                new AssistantMessage(text, calls),
                finishReason(finish),
                usage(root.path("usage")),
                textOrNull(root.get("model")));
    }

    static ToolCall toolCall(JsonNode idNode, JsonNode function, int index, int statusCode) {
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

    /** Reads a {@code usage} object: prompt and completion tokens, and the cached part of the prompt. */
    public static TokenUsage usage(JsonNode usage) {
        if (!usage.isObject()) {
            return TokenUsage.ZERO;
        }
        long input = count(usage.get("prompt_tokens"));
        long cached = Math.min(input, count(usage.path("prompt_tokens_details").get("cached_tokens")));
        return new TokenUsage(input, count(usage.get("completion_tokens")), cached, 0);
    }

    private static long count(@Nullable JsonNode n) {
        return n != null && n.canConvertToLong() ? Math.max(0, n.asLong()) : 0;
    }

    static @Nullable String text(@Nullable JsonNode content) {
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

    static @Nullable String textOrNull(@Nullable JsonNode n) {
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }

    static LlmException invalid(String detail, int statusCode, @Nullable Throwable cause) {
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
