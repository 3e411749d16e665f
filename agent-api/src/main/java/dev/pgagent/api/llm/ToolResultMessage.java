package dev.pgagent.api.llm;

import java.util.Objects;

/**
 * The result of one tool call, sent back to the model.
 *
 * @param toolCallId the id of the {@link ToolCall} this answers
 * @param toolName the name of the tool that ran
 * @param content what the model is shown: compact text or JSON
 * @param error whether the call failed (the content then says why)
 */
public record ToolResultMessage(String toolCallId, String toolName, String content, boolean error)
        implements ChatMessage {
    /** Validates the components. */
    public ToolResultMessage {
        Objects.requireNonNull(toolCallId, "toolCallId == null");
        Objects.requireNonNull(toolName, "toolName == null");
        Objects.requireNonNull(content, "content == null");
    }

    @Override
    public Role role() {
        return Role.TOOL;
    }
}
