package dev.pgagent.api.llm;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message from the model: text, tool calls, or both.
 *
 * @param text the model's text; null when it only called tools
 * @param toolCalls the tools the model asked to run, in its order; empty when none
 */
public record AssistantMessage(@Nullable String text, List<ToolCall> toolCalls) implements ChatMessage {
    /** Copies the tool calls. */
    public AssistantMessage {
        toolCalls = List.copyOf(Objects.requireNonNull(toolCalls, "toolCalls == null"));
    }

    /** Creates a text-only message. */
    public static AssistantMessage of(String text) {
        return new AssistantMessage(Objects.requireNonNull(text, "text == null"), List.of());
    }

    /** Creates a message that only calls tools. */
    public static AssistantMessage ofToolCalls(List<ToolCall> toolCalls) {
        return new AssistantMessage(null, toolCalls);
    }

    /** Returns whether the model asked for at least one tool call. */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    @Override
    public Role role() {
        return Role.ASSISTANT;
    }
}
