package dev.pgagent.core;

import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.TokenUsage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One step of an ask: what the model wrote and the tools it had run.
 *
 * @param index the step's number in the ask, from 1
 * @param message the model's message (text and/or tool calls)
 * @param toolInvocations the tool calls run in this step, in the model's order; empty for a final answer
 * @param usage the tokens of this step's model call
 * @param elapsed the time the step took, model call and tools included
 */
public record AgentStep(
        int index, AssistantMessage message, List<ToolInvocation> toolInvocations, TokenUsage usage, Duration elapsed) {
    /** Validates and copies the components. */
    public AgentStep {
        if (index < 1) {
            throw new IllegalArgumentException("index must be >= 1 but was " + index);
        }
        Objects.requireNonNull(message, "message == null");
        toolInvocations = List.copyOf(Objects.requireNonNull(toolInvocations, "toolInvocations == null"));
        Objects.requireNonNull(usage, "usage == null");
        Objects.requireNonNull(elapsed, "elapsed == null");
    }
}
