package dev.pgagent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import java.io.PrintStream;
import org.jspecify.annotations.Nullable;

/**
 * Prints each tool call of a chat as it starts (the SQL in full) and its outcome as it ends, so a person sees what
 * runs while it runs; passes every event on to the {@link Progress} line. Thread-safe.
 */
final class StepPrinter implements AgentListener {
    private final PrintStream out;
    private final Progress progress;

    StepPrinter(PrintStream out, Progress progress) {
        this.out = out;
        this.progress = progress;
    }

    @Override
    public void onEvent(AgentEvent event) {
        if (event instanceof AgentEvent.ToolCallStarted s) {
            String name = s.call().name();
            String sql = sqlArgument(s.call().arguments());
            String line = sql != null
                    ? "  [" + name + "] " + sql.strip().replaceAll("\\R", "\n    ")
                    : "  [" + name + "] " + PgAgentException.abbreviate(s.call().arguments(), 120);
            progress.print(() -> {
                out.println(line);
                out.flush();
            });
        } else if (event instanceof AgentEvent.ToolCallFinished f) {
            String line = "    " + outcome(f.result()) + " (" + ResponsePrinter.millis(f.elapsed()) + ")";
            progress.print(() -> {
                out.println(line);
                out.flush();
            });
        }
        progress.onEvent(event);
    }

    private static String outcome(ToolResult result) {
        if (result.error()) {
            return "error: " + PgAgentException.abbreviate(result.content().strip(), 200);
        }
        if (!result.tables().isEmpty()) {
            QueryResult table = result.tables().get(0);
            if (ResponsePrinter.isPlan(table)) {
                return "-> plan";
            }
            return "-> " + ResponsePrinter.count(table.rowCount(), "row")
                    + (table.isTruncated() ? " (cut by a limit)" : "");
        }
        String first = result.content().strip().lines().findFirst().orElse("");
        return "-> " + PgAgentException.abbreviate(first, 160);
    }

    private static @Nullable String sqlArgument(String json) {
        try {
            JsonNode node = JsonViews.MAPPER.readTree(json);
            JsonNode sql = node == null ? null : node.get("sql");
            return sql != null && sql.isTextual() ? sql.textValue() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
