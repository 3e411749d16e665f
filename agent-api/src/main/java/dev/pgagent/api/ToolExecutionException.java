package dev.pgagent.api;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reports that a tool failed. The agent loop reports such failures back to the model as a tool result; hosts see
 * this exception only when they call a tool themselves.
 */
public class ToolExecutionException extends PgAgentException {
    private static final long serialVersionUID = 1L;

    private final String toolName;

    /** Creates a tool failure for the tool named {@code toolName}. */
    public ToolExecutionException(String toolName, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.toolName = Objects.requireNonNull(toolName, "toolName == null");
    }

    /** Creates a tool failure without a cause. */
    public ToolExecutionException(String toolName, String message) {
        this(toolName, message, null);
    }

    /** Returns the name of the tool that failed. */
    public String toolName() {
        return toolName;
    }
}
