package dev.pgagent.core;

import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolResult;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one tool call a host made through the {@link GuardedPath}. Immutable.
 *
 * @param call the call as made
 * @param result the tool's result for the host: its tables hold real (unredacted) values
 * @param modelContent the result's text as a model is shown it (errors redacted); what an MCP server returns
 * @param statements the statements the tool ran, with real values, in order
 * @param pendingConfirmations confirmations the handler deferred; decide them with
 *     {@link GuardedPath#decide(String, dev.pgagent.api.safety.ConfirmationDecision)}
 * @param elapsed how long the call took
 */
public record GuardedCall(
        ToolCall call,
        ToolResult result,
        String modelContent,
        List<StatementOutcome> statements,
        List<ConfirmationRequest> pendingConfirmations,
        Duration elapsed) {

    /** Validates and copies the components. */
    public GuardedCall {
        Objects.requireNonNull(call, "call == null");
        Objects.requireNonNull(result, "result == null");
        Objects.requireNonNull(modelContent, "modelContent == null");
        statements = List.copyOf(statements);
        pendingConfirmations = List.copyOf(pendingConfirmations);
        Objects.requireNonNull(elapsed, "elapsed == null");
    }

    /** Returns whether the tool reported an error (a refusal, a failure, bad arguments). */
    public boolean isError() {
        return result.error();
    }
}
