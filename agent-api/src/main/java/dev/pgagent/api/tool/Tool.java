package dev.pgagent.api.tool;

import dev.pgagent.api.llm.ToolSpec;

/**
 * A capability the model can call. The agent shows {@link #spec()} to the model and calls
 * {@link #execute(ToolArguments, ToolContext)} when the model asks for it. A tool that needs the database goes
 * through {@link ToolContext#sql()}, so the safety layer, the runtime guards and the audit apply to it as to the
 * built-in tools. Implementations must be safe for concurrent use.
 *
 * <pre>{@code
 * Tool weather = Tool.of(
 *     new ToolSpec("count_rows", "Counts the rows of a table.",
 *         "{\"type\":\"object\",\"properties\":{\"table\":{\"type\":\"string\"}},\"required\":[\"table\"]}"),
 *     (args, ctx) -> ToolResult.of(...));
 * }</pre>
 */
public interface Tool {
    /** Returns the name, description and parameter schema shown to the model. Must not change over time. */
    ToolSpec spec();

    /**
     * Runs the tool. Expected failures (bad arguments, a refused statement, a SQL error) are returned as
     * {@link ToolResult#error(String)} so the model can correct itself; an exception thrown here is also reported
     * to the model as an error, with its message. In a cancelled ask ({@link ToolContext#isCancelled()}) a tool does
     * not report success: it throws {@link dev.pgagent.api.CancelledException} (calling
     * {@link ToolContext#throwIfCancelled()} first is the simplest way) or returns an error result.
     */
    ToolResult execute(ToolArguments arguments, ToolContext context);

    /** Returns the name of this tool, from its spec. */
    default String name() {
        return spec().name();
    }

    /** The body of a tool, for {@link #of(ToolSpec, Handler)}. */
    @FunctionalInterface
    interface Handler {
        /** Runs the tool; see {@link Tool#execute(ToolArguments, ToolContext)}. */
        ToolResult execute(ToolArguments arguments, ToolContext context);
    }

    /** Returns a tool made of a spec and a handler. */
    static Tool of(ToolSpec spec, Handler handler) {
        java.util.Objects.requireNonNull(spec, "spec == null");
        java.util.Objects.requireNonNull(handler, "handler == null");
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return spec;
            }

            @Override
            public ToolResult execute(ToolArguments arguments, ToolContext context) {
                return handler.execute(arguments, context);
            }

            @Override
            public String toString() {
                return "Tool[" + spec.name() + "]";
            }
        };
    }
}
