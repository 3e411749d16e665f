package dev.pgagent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AgentStep;
import dev.pgagent.core.ToolInvocation;
import java.io.PrintStream;
import org.jspecify.annotations.Nullable;

/** Prints each tool call as its step completes, SQL in full, so a person sees what runs. Thread-safe. */
final class StepPrinter implements AgentListener {
    private final PrintStream out;

    StepPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onEvent(AgentEvent event) {
        if (event instanceof AgentEvent.StepFinished s) {
            onStep(s.step());
        }
    }

    synchronized void onStep(AgentStep step) {
        for (ToolInvocation inv : step.toolInvocations()) {
            String name = inv.call().name();
            String sql = sqlArgument(inv.call().arguments());
            if (sql != null) {
                out.println("  [" + name + "] " + sql.strip().replaceAll("\\R", "\n    "));
            } else {
                out.println("  [" + name + "] " + PgAgentException.abbreviate(inv.call().arguments(), 120));
            }
            out.println("    " + outcome(inv) + " (" + ResponsePrinter.millis(inv.elapsed()) + ")");
        }
        out.flush();
    }

    private static String outcome(ToolInvocation inv) {
        if (inv.result().error()) {
            return "error: " + PgAgentException.abbreviate(inv.result().content(), 200);
        }
        if (!inv.result().tables().isEmpty()) {
            QueryResult table = inv.result().tables().get(0);
            return "-> " + table.rowCount() + (table.rowCount() == 1 ? " row" : " rows")
                    + (table.isTruncated() ? " (cut by a limit)" : "");
        }
        String first = inv.result().content().strip().lines().findFirst().orElse("");
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
