package dev.pgagent.core.internal;

import dev.pgagent.api.AgentLimitExceededException.Limit;
import dev.pgagent.api.CancelledException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.AgentStep;
import dev.pgagent.core.ToolInvocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The model loop of one ask, top to bottom: build the prompt, call the model, run the tools it asks for, record the
 * step, and again, until a final answer, a limit, or statements that wait for a person; and, on resume, apply the
 * decisions and go on. Session bookkeeping lives in {@link SessionEngine}, the end of an ask in {@link AskEnder}.
 */
final class AskLoop {
    private final AgentEngine engine;
    private final EngineConfig config;
    private final SessionHooks session;
    private final AskEnder ender;
    private final ToolFanout fanout;

    AskLoop(AgentEngine engine, SessionHooks session) {
        this.engine = engine;
        this.config = engine.config();
        this.session = session;
        this.ender = new AskEnder(config, engine.events(), session);
        this.fanout = new ToolFanout(engine);
    }

    /** Runs a new ask to its end (or until it waits for confirmations). */
    AgentResponse start(AskRun run) {
        return ender.guarded(run, () -> {
            engine.events().emit(new AgentEvent.AskStarted(session.id(), run.askId, run.question, false));
            engine.audit()
                    .record(
                            run,
                            AuditEvent.builder(AuditEventType.ASK_STARTED)
                                    .attribute("question", PgAgentException.abbreviate(run.question, 1000)));
            run.systemPrompt = PromptAssembler.systemPrompt(engine, run.question);
            run.turn.add(new UserMessage(run.question));
            return loop(run);
        });
    }

    /** Applies {@code decisions} to a waiting ask and goes on. */
    AgentResponse resume(AskRun run, Map<String, ConfirmationDecision> decisions) {
        return ender.guarded(run, () -> {
            boolean restored = run.systemPrompt.isEmpty();
            engine.events().emit(new AgentEvent.AskStarted(session.id(), run.askId, run.question, true));
            engine.audit()
                    .record(
                            run,
                            AuditEvent.builder(AuditEventType.ASK_STARTED)
                                    .attribute("resumed", true)
                                    .attribute("restored", restored ? true : null));
            if (restored) {
                run.systemPrompt = PromptAssembler.systemPrompt(engine, run.question);
            }
            return continueAfterDecisions(run, decisions);
        });
    }

    private AgentResponse loop(AskRun run) {
        while (true) {
            if (run.isCancelled()) {
                throw new CancelledException("the ask was cancelled");
            }
            if (run.steps.size() >= config.maxSteps()) {
                return ender.end(
                        run,
                        AgentStatus.LIMIT_REACHED,
                        AskEnder.lastText(run),
                        "the step limit of "
                                + config.maxSteps() + (config.maxSteps() == 1 ? " model turn" : " model turns")
                                + " was reached before the model gave a final answer",
                        Limit.STEPS);
            }
            if (run.timeIsUp()) {
                throw new TimeUp();
            }
            List<ChatMessage> messages = new ArrayList<>();
            messages.add(new SystemMessage(run.systemPrompt));
            messages.addAll(session.history());
            messages.addAll(run.turn);
            long used = run.usage.totalTokens();
            long estimate = History.tokens(messages, config.tokenCounter());
            if (used + estimate > config.tokenBudget()) {
                return ender.end(
                        run,
                        AgentStatus.LIMIT_REACHED,
                        AskEnder.lastText(run),
                        "the token budget of "
                                + config.tokenBudget() + " tokens for one ask was reached (" + used
                                + " used; the next model call needs about " + estimate + ")",
                        Limit.TOKENS);
            }
            ChatRequest request = ChatRequest.builder()
                    .messages(messages)
                    .tools(engine.specs())
                    .options(config.modelOptions())
                    .build();
            int index = run.steps.size() + 1;
            long s0 = System.nanoTime();
            ChatResponse response = engine.model().call(run, request, index);
            run.usage = run.usage.plus(response.usage());
            AssistantMessage message = response.message();
            if (!message.hasToolCalls()) {
                return finalAnswer(run, response, index, s0);
            }
            List<CallRecord> records = fanout.run(run, message.toolCalls());
            AuditWriteException auditFailure = run.auditFailure;
            if (auditFailure != null) {
                throw auditFailure;
            }
            Duration elapsed = since(s0);
            AgentStep step = new AgentStep(index, message, invocations(records), response.usage(), elapsed);
            run.steps.add(step);
            stepFinished(run, step);
            rememberTables(run, records);
            if (records.stream().anyMatch(r -> !r.pending().isEmpty())) {
                run.pending = new AskRun.PendingStep(index, message, records, response.usage(), elapsed);
                return ender.waiting(run);
            }
            completeStep(run, message, records);
        }
    }

    private AgentResponse continueAfterDecisions(AskRun run, Map<String, ConfirmationDecision> decisions) {
        AskRun.PendingStep ps = Objects.requireNonNull(run.pending, "pending");
        for (CallRecord r : ps.records()) {
            for (CallRecord.PendingItem p : r.pending()) {
                String requestId = p.request().id();
                ConfirmationDecision d = decisions.get(requestId);
                if (run.resolved.contains(requestId)
                        || d == null
                        || d.status() == ConfirmationDecision.Status.DEFERRED) {
                    continue;
                }
                StatementOutcome o = guardOf(p).decideOnResume(run, p.request(), d);
                r.outcomes().set(p.outcomeIndex(), o);
                run.resolved.add(requestId);
            }
        }
        if (!AskEnder.pendingOf(run).isEmpty()) {
            return ender.waiting(run);
        }
        List<CallRecord> finals = new ArrayList<>();
        for (CallRecord r : ps.records()) {
            if (r.pending().isEmpty()) {
                finals.add(r);
                continue;
            }
            boolean allApplied = r.pending().stream()
                    .allMatch(p -> r.outcomes().get(p.outcomeIndex()).isExecuted());
            String content = resolution(r);
            ToolResult result = new ToolResult(content, !allApplied, r.result().tables());
            finals.add(new CallRecord(r.call(), result, content, r.elapsed(), r.outcomes(), List.of()));
        }
        run.steps.set(
                ps.index() - 1, new AgentStep(ps.index(), ps.message(), invocations(finals), ps.usage(), ps.elapsed()));
        run.pending = null;
        completeStep(run, ps.message(), finals);
        return loop(run);
    }

    /** Returns the guard of the database a pending statement is for; a database no longer known is refused. */
    private Guard guardOf(CallRecord.PendingItem p) {
        Guard g = engine.guards().get(p.database());
        if (g == null) {
            throw new IllegalStateException(
                    "the pending statement " + p.request().id() + " is for database '" + p.database()
                            + "', which this agent does not have (it has "
                            + engine.guards().names() + ")");
        }
        return g;
    }

    private String resolution(CallRecord r) {
        StringBuilder sb = new StringBuilder();
        if (r.outcomes().size() > r.pending().size()) {
            sb.append(r.modelContent()).append("\n\n");
        }
        sb.append("Outcome after confirmation:\n");
        for (CallRecord.PendingItem p : r.pending()) {
            StatementOutcome o = r.outcomes().get(p.outcomeIndex());
            sb.append("- ").append(PgAgentException.abbreviate(o.sql(), 200)).append(" -> ");
            switch (o.status()) {
                case EXECUTED ->
                    sb.append("applied; ")
                            .append(o.affectedRows())
                            .append(o.affectedRows() == 1 ? " row changed" : " rows changed");
                case DECLINED -> sb.append("not run: ").append(o.error());
                case REFUSED -> sb.append("refused: ").append(o.error());
                case FAILED ->
                    sb.append("failed: ")
                            .append(guardOf(p).database().redactor().redactText(String.valueOf(o.error())))
                            .append(o.sqlState() == null ? "" : " (SQLSTATE " + o.sqlState() + ")");
                default -> sb.append(o.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            }
            sb.append('\n');
        }
        return sb.toString().strip();
    }

    private AgentResponse finalAnswer(AskRun run, ChatResponse response, int index, long s0) {
        AssistantMessage message = response.message();
        AgentStep step = new AgentStep(index, message, List.of(), response.usage(), since(s0));
        run.steps.add(step);
        stepFinished(run, step);
        run.turn.add(message);
        String text = message.text() == null ? "" : message.text();
        return switch (response.finishReason()) {
            case LENGTH ->
                ender.end(
                        run,
                        AgentStatus.LIMIT_REACHED,
                        text,
                        "the model's answer was cut off by its "
                                + "output token limit (finish_reason=length); raise ModelOptions.maxTokens",
                        Limit.TOKENS);
            case CONTENT_FILTER ->
                ender.end(
                        run,
                        AgentStatus.FAILED,
                        text,
                        "the provider's content filter withheld or cut the answer (finish_reason=content_filter)",
                        null);
            default -> ender.end(run, AgentStatus.COMPLETED, text, null, null);
        };
    }

    private void stepFinished(AskRun run, AgentStep step) {
        engine.events().emit(new AgentEvent.StepFinished(session.id(), run.askId, step));
    }

    private static void completeStep(AskRun run, AssistantMessage message, List<CallRecord> records) {
        run.turn.add(message);
        for (CallRecord r : records) {
            run.turn.add(new ToolResultMessage(
                    r.call().id(), r.call().name(), r.modelContent(), r.result().error()));
            run.statements.addAll(r.outcomes());
        }
    }

    private static void rememberTables(AskRun run, List<CallRecord> records) {
        List<QueryResult> tables = new ArrayList<>();
        for (CallRecord r : records) {
            tables.addAll(r.result().tables());
        }
        if (!tables.isEmpty()) {
            run.lastTables = List.copyOf(tables);
        }
    }

    private static List<ToolInvocation> invocations(List<CallRecord> records) {
        return records.stream()
                .map(r -> new ToolInvocation(r.call(), r.result(), r.elapsed()))
                .toList();
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
