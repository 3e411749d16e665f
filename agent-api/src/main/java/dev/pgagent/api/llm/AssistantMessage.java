package dev.pgagent.api.llm;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message from the model: text, tool calls, or both, and the reasoning blocks the provider wants sent back.
 *
 * @param text the model's text; null when it only called tools
 * @param toolCalls the tools the model asked to run, in its order; empty when none
 * @param thinking reasoning blocks to send back unchanged with this message; empty for most providers
 */
public record AssistantMessage(@Nullable String text, List<ToolCall> toolCalls, List<Thinking> thinking)
        implements ChatMessage {
    /** Copies the lists. */
    public AssistantMessage {
        toolCalls = List.copyOf(Objects.requireNonNull(toolCalls, "toolCalls == null"));
        thinking = List.copyOf(Objects.requireNonNull(thinking, "thinking == null"));
    }

    /** Creates a message without reasoning blocks. */
    public AssistantMessage(@Nullable String text, List<ToolCall> toolCalls) {
        this(text, toolCalls, List.of());
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
