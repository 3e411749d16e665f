package dev.pgagent.core;

import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.tool.ToolResult;
import java.time.Duration;
import java.util.Objects;

/**
 * One tool call of a step and its result. The result's {@link ToolResult#tables()} hold real values; its
 * {@link ToolResult#content()} is what the model was shown.
 *
 * @param call the call as the model wrote it
 * @param result what the tool returned (or the error reported to the model)
 * @param elapsed how long the tool ran
 */
public record ToolInvocation(ToolCall call, ToolResult result, Duration elapsed) {
    /** Validates the components. */
    public ToolInvocation {
        Objects.requireNonNull(call, "call == null");
        Objects.requireNonNull(result, "result == null");
        Objects.requireNonNull(elapsed, "elapsed == null");
    }
}
