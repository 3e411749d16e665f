package dev.pgagent.core.internal;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.ToolExecutionException;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.core.AgentEvent;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one tool call on the guarded path: finds the tool, parses its arguments, runs it with a {@link CallGateway}
 * (so every statement it runs is validated, plan-checked, guarded, confirmed, redacted and audited), turns failures
 * into error results the model can read, redacts error text, audits the call and tells the listener as it starts and
 * ends. The model loop and host calls ({@link HostCalls}) both run calls through here. Thread-safe.
 */
final class CallRunner {
    private static final Logger LOG = LoggerFactory.getLogger(CallRunner.class);

    private final ToolRegistry registry;
    private final Guards guards;
    private final AuditRecorder audit;
    private final Events events;

    CallRunner(ToolRegistry registry, Guards guards, AuditRecorder audit, Events events) {
        this.registry = registry;
        this.guards = guards;
        this.audit = audit;
        this.events = events;
    }

    /** Runs {@code call} for {@code run}. */
    CallRecord run(AskRun run, ToolCall call) {
        long t0 = System.nanoTime();
        events.emit(new AgentEvent.ToolCallStarted(run.sessionId, run.askId, call));
        CallGateway gateway = new CallGateway(guards, run);
        ToolResult result = execute(run, call, gateway);
        AuditWriteException auditFailure = run.auditFailure;
        if (auditFailure != null) {
            throw auditFailure;
        }
        String content = result.error() ? gateway.redactText(result.content()) : result.content();
        List<QueryResult> tables = result.tables().stream().map(gateway::real).toList();
        ToolResult forHost = new ToolResult(content, result.error(), tables);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        List<StatementOutcome> outcomes = gateway.outcomes();
        audit.record(
                run,
                AuditEvent.builder(AuditEventType.TOOL_CALL)
                        .outcome(result.error() ? "error" : "ok")
                        .attribute("tool", call.name())
                        .attribute("callId", call.id())
                        .attribute("arguments", PgAgentException.abbreviate(call.arguments(), 1000))
                        .attribute("statements", outcomes.size())
                        .attribute("ms", took.toMillis()));
        events.emit(new AgentEvent.ToolCallFinished(run.sessionId, run.askId, call, forHost, took));
        return new CallRecord(call, forHost, content, took, outcomes, gateway.pending());
    }

    private ToolResult execute(AskRun run, ToolCall call, CallGateway gateway) {
        Tool tool = registry.get(call.name());
        if (tool == null) {
            return ToolResult.error("unknown tool '" + call.name() + "'; the available tools are "
                    + String.join(", ", registry.tools().keySet()));
        }
        try {
            ToolArguments args = ArgumentParser.parse(call.arguments());
            ToolResult result = tool.execute(args, gateway);
            return result != null ? result : ToolResult.error("the tool " + call.name() + " returned no result");
        } catch (IllegalArgumentException e) {
            return ToolResult.error("invalid arguments for " + call.name() + ": " + e.getMessage());
        } catch (ToolExecutionException e) {
            return ToolResult.error("the tool " + call.name() + " failed: " + e.getMessage());
        } catch (AuditWriteException e) {
            throw e;
        } catch (CancelledException e) {
            if (run.isCancelled() || run.timeIsUp()) {
                throw e;
            }
            return ToolResult.error("the tool " + call.name() + " was cancelled: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Tool {} failed", call.name(), e);
            return ToolResult.error("the tool " + call.name() + " failed: " + e);
        }
    }

    /** Records a call that was not run because the step had too many; the model may call it again. */
    CallRecord skipped(AskRun run, ToolCall call, int maxToolCallsPerStep) {
        String message = "not run: at most " + maxToolCallsPerStep
                + " tool calls are run in one step; call it again in the next step if it is still needed";
        audit.record(
                run,
                AuditEvent.builder(AuditEventType.TOOL_CALL)
                        .outcome("skipped")
                        .attribute("tool", call.name())
                        .attribute("callId", call.id())
                        .attribute("error", message));
        return new CallRecord(call, ToolResult.error(message), message, Duration.ZERO, List.of(), List.of());
    }
}
