package dev.pgagent.testkit;

import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolResultMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds {@link ChatResponse}s and {@link ToolCall}s for a {@link FakeLlmClient} script, and reads what a request
 * showed the model. Responses carry a small fixed {@link TokenUsage} (10 in, 5 out) unless one is given.
 *
 * <pre>{@code
 * llm.enqueue(LlmResponses.toolCalls(
 *         LlmResponses.call("execute_query", Map.of("sql", "select 1")),
 *         LlmResponses.call("list_tables", "{}")))
 *    .enqueue(LlmResponses.text("Done."));
 * }</pre>
 */
public final class LlmResponses {
    /** The usage attached to responses built here unless another is given: 10 input and 5 output tokens. */
    public static final TokenUsage DEFAULT_USAGE = new TokenUsage(10, 5);

    private static final AtomicLong IDS = new AtomicLong();

    private LlmResponses() {}

    /** Returns a final text answer (finish reason STOP). */
    public static ChatResponse text(String answer) {
        return text(answer, DEFAULT_USAGE);
    }

    /** Returns a final text answer with the given usage. */
    public static ChatResponse text(String answer, TokenUsage usage) {
        return new ChatResponse(AssistantMessage.of(answer), FinishReason.STOP, usage, "fake-model");
    }

    /** Returns a response holding {@code message} with the given finish reason. */
    public static ChatResponse of(AssistantMessage message, FinishReason finishReason, TokenUsage usage) {
        return new ChatResponse(message, finishReason, usage, "fake-model");
    }

    /** Returns a response calling one tool with arguments given as JSON text (kept verbatim, even if invalid). */
    public static ChatResponse toolCall(String toolName, String argumentsJson) {
        return toolCalls(call(toolName, argumentsJson));
    }

    /** Returns a response calling one tool with arguments given as a map, written as JSON. */
    public static ChatResponse toolCall(String toolName, Map<String, ?> arguments) {
        return toolCalls(call(toolName, arguments));
    }

    /** Returns a response calling several tools in one turn (finish reason TOOL_CALLS). */
    public static ChatResponse toolCalls(ToolCall... calls) {
        return toolCalls(Arrays.asList(calls), DEFAULT_USAGE);
    }

    /** Returns a response calling several tools in one turn with the given usage. */
    public static ChatResponse toolCalls(List<ToolCall> calls, TokenUsage usage) {
        if (calls.isEmpty()) {
            throw new IllegalArgumentException("calls must not be empty but was " + calls);
        }
        return new ChatResponse(AssistantMessage.ofToolCalls(calls), FinishReason.TOOL_CALLS, usage, "fake-model");
    }

    /** Returns a tool call with a fresh id and the arguments given as JSON text (kept verbatim). */
    public static ToolCall call(String toolName, String argumentsJson) {
        return new ToolCall("call_" + IDS.incrementAndGet(), toolName, argumentsJson);
    }

    /** Returns a tool call with a fresh id and the arguments given as a map, written as JSON. */
    public static ToolCall call(String toolName, Map<String, ?> arguments) {
        Objects.requireNonNull(arguments, "arguments == null");
        return call(toolName, Json.write(arguments));
    }

    /** Returns an {@code execute_query} call running {@code sql}. */
    public static ToolCall query(String sql) {
        return call("execute_query", Map.of("sql", sql));
    }

    /** Returns the tool results at the end of {@code request} (those sent since the last assistant message). */
    public static List<ToolResultMessage> lastToolResults(ChatRequest request) {
        List<ToolResultMessage> results = new ArrayList<>();
        List<ChatMessage> messages = request.messages();
        for (int i = messages.size() - 1; i >= 0 && messages.get(i) instanceof ToolResultMessage t; i--) {
            results.add(0, t);
        }
        return results;
    }

    /** Returns the content of the last message of {@code request} if it is a tool result. */
    public static Optional<String> lastToolResult(ChatRequest request) {
        List<ToolResultMessage> results = lastToolResults(request);
        return results.isEmpty()
                ? Optional.empty()
                : Optional.of(results.get(results.size() - 1).content());
    }

    /** Returns every message of {@code request} as one text, for assertions on what the model was shown. */
    public static String transcript(ChatRequest request) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : request.messages()) {
            sb.append(m.role()).append(": ");
            if (m instanceof dev.pgagent.api.llm.SystemMessage s) {
                sb.append(s.text());
            } else if (m instanceof dev.pgagent.api.llm.UserMessage u) {
                sb.append(u.text());
            } else if (m instanceof AssistantMessage a) {
                sb.append(a.text() == null ? "" : a.text());
                for (ToolCall c : a.toolCalls()) {
                    sb.append(" [call ")
                            .append(c.name())
                            .append(' ')
                            .append(c.arguments())
                            .append(']');
                }
            } else if (m instanceof ToolResultMessage t) {
                sb.append(t.toolName())
                        .append(t.error() ? " (error)" : "")
                        .append(": ")
                        .append(t.content());
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
