package dev.pgagent.api.tool;

import dev.pgagent.api.sql.QueryResult;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a tool returns: the content the model is shown (compact text or JSON, sized for its context), whether it is
 * an error, and, for the host, any result tables with their real values. Immutable.
 *
 * @param content what the model sees
 * @param error whether the call failed
 * @param tables result tables for the host (not sent to the model); empty when none
 */
public record ToolResult(String content, boolean error, List<QueryResult> tables) {
    /** Validates and copies the components. */
    public ToolResult {
        Objects.requireNonNull(content, "content == null");
        tables = List.copyOf(Objects.requireNonNull(tables, "tables == null"));
    }

    /** Returns a successful result. */
    public static ToolResult of(String content) {
        return new ToolResult(content, false, List.of());
    }

    /** Returns a successful result that also carries a table for the host. */
    public static ToolResult of(String content, @Nullable QueryResult table) {
        return new ToolResult(content, false, table == null ? List.of() : List.of(table));
    }

    /** Returns an error result; the message is shown to the model so it can correct itself. */
    public static ToolResult error(String message) {
        return new ToolResult(message, true, List.of());
    }
}
