package dev.pgagent.core.internal;

import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolResult;
import java.time.Duration;
import java.util.List;

/**
 * One tool call's outcome.
 *
 * @param call the call
 * @param result what the tool returned, with real values in its tables
 * @param modelContent what the model is shown
 * @param elapsed how long it ran
 * @param outcomes the statements it ran through the gateway, with real values, in order (mutable while pending)
 * @param pending its confirmations still waiting, with the index of their outcome (mutable while pending)
 */
public record CallRecord(
        ToolCall call,
        ToolResult result,
        String modelContent,
        Duration elapsed,
        List<StatementOutcome> outcomes,
        List<PendingItem> pending) {

    /**
     * A confirmation waiting for a decision, where its outcome sits in {@link #outcomes()}, and the database it is
     * for (empty: the agent's default database, as in snapshots written before databases had names).
     */
    public record PendingItem(ConfirmationRequest request, int outcomeIndex, String database) {}
}
