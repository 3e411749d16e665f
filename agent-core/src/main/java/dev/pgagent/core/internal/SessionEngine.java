package dev.pgagent.core.internal;

import dev.pgagent.api.AgentLimitExceededException.Limit;
import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.ToolExecutionException;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.AgentStep;
import dev.pgagent.core.ToolInvocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One conversation: its bounded history, the ask running in it, and an ask waiting for confirmations. Asks in one
 * session run one at a time; {@link #cancel()} may be called from any thread. Thread-safe.
 */
public final class SessionEngine {
    private static final Logger LOG = LoggerFactory.getLogger(SessionEngine.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final String id;
    private final AgentEngine engine;
    private final EngineConfig config;
    private final Guard guard;
    private final History history;
    private final Object lock = new Object();
    private boolean running;
    private @Nullable AskRun waiting;
    private volatile @Nullable AskRun current;

    /** Thrown inside the loop when the whole-ask time limit is reached. */
    private static final class TimeUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TimeUp() {
            super("time is up", null, false, false);
        }
    }

    SessionEngine(String id, AgentEngine engine) {
        this.id = Objects.requireNonNull(id, "id == null");
        this.engine = engine;
        this.config = engine.config();
        this.guard = engine.guard();
        this.history = new History(config.historyTokenBudget(), config.tokenCounter());
    }

    /** Creates a session in a stored state: its history and, if any, the ask waiting for confirmations. */
    SessionEngine(SessionState state, AgentEngine engine) {
        this(state.sessionId(), engine);
        synchronized (history) {
            state.historyTurns().forEach(history::add);
        }
        SessionState.Waiting w = state.waiting();
        if (w != null) {
            AskRun run = new AskRun(w.askId(), id, w.question(), w.rowsLeft(), w.bytesLeft());
            run.turn.addAll(w.turn());
            run.steps.addAll(w.steps());
            run.statements.addAll(w.statements());
            run.usage = w.usage();
            run.resolved.addAll(w.resolved());
            List<CallRecord> records = new ArrayList<>();
            for (CallRecord r : w.records()) {
                records.add(new CallRecord(r.call(), r.result(), r.modelContent(), r.elapsed(),
                        new ArrayList<>(r.outcomes()), r.pending()));
            }
            run.pending = new AskRun.PendingStep(w.stepIndex(), w.message(), records, w.stepUsage(),
                    w.stepElapsed());
            synchronized (lock) {
                waiting = run;
            }
        }
    }

    /**
     * Returns the session's state: its history and, when waiting for confirmations, the waiting ask.
     *
     * @throws IllegalStateException if an ask is running
     */
    public SessionState snapshot() {
        synchronized (lock) {
            if (running) {
                throw new IllegalStateException("session " + id + " must be idle to be snapshotted but is running "
                        + "an ask");
            }
            List<List<ChatMessage>> turns;
            synchronized (history) {
                turns = history.turns();
            }
            AskRun run = waiting;
            return new SessionState(id, turns, run == null || run.pending == null ? null : waitingState(run));
        }
    }

    private static SessionState.Waiting waitingState(AskRun run) {
        AskRun.PendingStep ps = Objects.requireNonNull(run.pending, "pending");
        List<AgentStep> steps = run.steps.stream().map(s -> new AgentStep(s.index(), s.message(),
                s.toolInvocations().stream().map(i -> new ToolInvocation(i.call(),
                        SessionState.withoutTables(i.result()), i.elapsed())).toList(),
                s.usage(), s.elapsed())).toList();
        List<CallRecord> records = ps.records().stream().map(r -> new CallRecord(r.call(),
                SessionState.withoutTables(r.result()), r.modelContent(), r.elapsed(),
                r.outcomes().stream().map(SessionState::withoutRows).toList(), r.pending())).toList();
        return new SessionState.Waiting(run.askId, run.question, run.turn, steps,
                run.statements.stream().map(SessionState::withoutRows).toList(), run.usage, run.rowsLeft(),
                run.bytesLeft(), run.resolved, ps.index(), ps.message(), ps.usage(), ps.elapsed(), records);
    }

    /** Returns the session's identifier. */
    public String id() {
        return id;
    }

    /** Asks a question; blocks until the ask ends. */
    public AgentResponse ask(String question) {
        Objects.requireNonNull(question, "question == null");
        synchronized (lock) {
            if (running) {
                throw new IllegalStateException("session " + id + " must be idle but is running an ask");
            }
            if (waiting != null) {
                throw new IllegalStateException("session " + id + " must have no pending confirmations but has "
                        + pendingOf(waiting).size() + "; call resume(...) first");
            }
            running = true;
        }
        AskRun run = new AskRun(UUID.randomUUID().toString(), id, question, config.policy().askMaxRows(),
                config.policy().askMaxBytes());
        run.startSegment(config.timeout());
        current = run;
        try {
            return guarded(run, () -> {
                guard.audit(run, AuditEvent.builder(AuditEventType.ASK_STARTED)
                        .attribute("question", PgAgentException.abbreviate(question, 1000)));
                run.systemPrompt = SystemPrompt.build(
                        config.policy(), engine.specs(), summary(question), config.instructions());
                run.turn.add(new UserMessage(question));
                return loop(run);
            });
        } finally {
            endSegment(run);
        }
    }

    /** Resumes an ask that waits for confirmations with the decisions, keyed by request id. */
    public AgentResponse resume(Map<String, ConfirmationDecision> decisions) {
        Objects.requireNonNull(decisions, "decisions == null");
        AskRun run;
        synchronized (lock) {
            if (running) {
                throw new IllegalStateException("session " + id + " must be idle but is running an ask");
            }
            run = waiting;
            if (run == null || run.pending == null) {
                throw new IllegalStateException("session " + id + " must have pending confirmations but has none");
            }
            Set<String> known = new LinkedHashSet<>();
            pendingOf(run).forEach(r -> known.add(r.id()));
            for (Map.Entry<String, ConfirmationDecision> e : decisions.entrySet()) {
                Objects.requireNonNull(e.getValue(), "decision for " + e.getKey() + " == null");
                if (!known.contains(e.getKey())) {
                    throw new IllegalArgumentException(
                            "decisions must name pending requests " + known + " but named " + e.getKey());
                }
            }
            waiting = null;
            running = true;
        }
        run.startSegment(config.timeout());
        current = run;
        try {
            return guarded(run, () -> {
                boolean restored = run.systemPrompt.isEmpty();
                guard.audit(run, AuditEvent.builder(AuditEventType.ASK_STARTED).attribute("resumed", true)
                        .attribute("restored", restored ? true : null));
                if (restored) {
                    run.systemPrompt = SystemPrompt.build(config.policy(), engine.specs(), summary(run.question),
                            config.instructions());
                }
                return continueAfterDecisions(run, decisions);
            });
        } finally {
            endSegment(run);
        }
    }

    /** Marks the session idle after an ask or a resume, and passes on an interrupt the run swallowed. */
    private void endSegment(AskRun run) {
        current = null;
        synchronized (lock) {
            running = false;
        }
        if (run.interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Cancels the running ask, if any: its statement, its model wait, its tools. Returns at once. */
    public void cancel() {
        AskRun run = current;
        if (run != null) {
            run.cancel();
        }
    }

    /** Returns the confirmations the session waits for; empty when none. */
    public List<ConfirmationRequest> pendingConfirmations() {
        synchronized (lock) {
            AskRun run = waiting;
            return run == null ? List.of() : pendingOf(run);
        }
    }

    /** Returns the messages of the kept past turns, oldest first. */
    public List<ChatMessage> history() {
        synchronized (history) {
            return history.messages();
        }
    }

    /** Returns the number of past turns kept. */
    public int historyTurns() {
        synchronized (history) {
            return history.turnCount();
        }
    }

    private AgentResponse guarded(AskRun run, Supplier<AgentResponse> body) {
        try {
            return body.get();
        } catch (CancelledException e) {
            run.stopWork();
            return end(run, AgentStatus.CANCELLED, "", "the ask was cancelled", null);
        } catch (TimeUp e) {
            return timeUp(run);
        } catch (AuditWriteException e) {
            run.stopWork();
            return end(run, AgentStatus.FAILED, "", e.getMessage(), null);
        } catch (LlmException e) {
            return end(run, AgentStatus.FAILED, "", "the model call failed (" + e.reason() + "): "
                    + e.getMessage(), null);
        } catch (RuntimeException e) {
            LOG.warn("Ask {} of session {} failed", run.askId, id, e);
            run.stopWork();
            return end(run, AgentStatus.FAILED, "", "the ask failed: " + e, null);
        }
    }

    private String summary(String question) {
        if (config.schemaContextTokens() == 0) {
            return "";
        }
        try {
            return config.schema().summarize(question, config.schemaContextTokens());
        } catch (RuntimeException e) {
            LOG.warn("Schema summary unavailable; the prompt goes without it: {}", e.toString());
            return "";
        }
    }

    private AgentResponse loop(AskRun run) {
        while (true) {
            if (run.isCancelled()) {
                throw new CancelledException("the ask was cancelled");
            }
            if (run.steps.size() >= config.maxSteps()) {
                return end(run, AgentStatus.LIMIT_REACHED, lastText(run), "the step limit of " + config.maxSteps()
                        + " model turns was reached before the model gave a final answer", Limit.STEPS);
            }
            if (run.timeIsUp()) {
                throw new TimeUp();
            }
            List<ChatMessage> messages = new ArrayList<>();
            messages.add(new SystemMessage(run.systemPrompt));
            synchronized (history) {
                messages.addAll(history.messages());
            }
            messages.addAll(run.turn);
            long used = run.usage.totalTokens();
            long estimate = History.tokens(messages, config.tokenCounter());
            if (used + estimate > config.tokenBudget()) {
                return end(run, AgentStatus.LIMIT_REACHED, lastText(run), "the token budget of "
                        + config.tokenBudget() + " tokens for one ask was reached (" + used
                        + " used; the next model call needs about " + estimate + ")", Limit.TOKENS);
            }
            ChatRequest request = ChatRequest.builder()
                    .messages(messages)
                    .tools(engine.specs())
                    .options(config.modelOptions())
                    .build();
            int index = run.steps.size() + 1;
            long s0 = System.nanoTime();
            ChatResponse response = callModel(run, request, index);
            run.usage = run.usage.plus(response.usage());
            AssistantMessage message = response.message();
            if (!message.hasToolCalls()) {
                return finalAnswer(run, response, index, s0);
            }
            List<CallRecord> records = runTools(run, message.toolCalls());
            AuditWriteException auditFailure = run.auditFailure;
            if (auditFailure != null) {
                throw auditFailure;
            }
            Duration elapsed = since(s0);
            AgentStep step = new AgentStep(index, message, invocations(records), response.usage(), elapsed);
            run.steps.add(step);
            notifyListener(step);
            rememberTables(run, records);
            if (records.stream().anyMatch(r -> !r.pending().isEmpty())) {
                run.pending = new AskRun.PendingStep(index, message, records, response.usage(), elapsed);
                synchronized (lock) {
                    waiting = run;
                }
                return waitingResponse(run);
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
                StatementOutcome o = guard.decideOnResume(run, p.request(), d);
                r.outcomes().set(p.outcomeIndex(), o);
                run.resolved.add(requestId);
            }
        }
        if (!pendingOf(run).isEmpty()) {
            synchronized (lock) {
                waiting = run;
            }
            return waitingResponse(run);
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
        run.steps.set(ps.index() - 1, new AgentStep(ps.index(), ps.message(), invocations(finals), ps.usage(),
                ps.elapsed()));
        run.pending = null;
        completeStep(run, ps.message(), finals);
        return loop(run);
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
                case EXECUTED -> sb.append("applied; ").append(o.affectedRows()).append(" rows changed");
                case DECLINED -> sb.append("not run: ").append(o.error());
                case REFUSED -> sb.append("refused: ").append(o.error());
                case FAILED -> sb.append("failed: ").append(config.redactor().redactText(String.valueOf(o.error())))
                        .append(o.sqlState() == null ? "" : " (SQLSTATE " + o.sqlState() + ")");
                default -> sb.append(o.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            }
            sb.append('\n');
        }
        return sb.toString().strip();
    }

    private ChatResponse callModel(AskRun run, ChatRequest request, int index) {
        run.throwIfCancelled();
        long t0 = System.nanoTime();
        Future<ChatResponse> f = engine.executor().submit(() -> config.llm().chat(request));
        run.inflight.add(f);
        try {
            ChatResponse response = await(run, f);
            if (response == null) {
                throw new LlmException("the model client returned no response", LlmException.Reason.INVALID_RESPONSE,
                        false, null);
            }
            guard.audit(run, AuditEvent.builder(AuditEventType.LLM_CALL)
                    .outcome("ok")
                    .attribute("step", index)
                    .attribute("model", response.model())
                    .attribute("finishReason", response.finishReason())
                    .attribute("inputTokens", response.usage().inputTokens())
                    .attribute("outputTokens", response.usage().outputTokens())
                    .attribute("ms", since(t0).toMillis()));
            return response;
        } catch (LlmException e) {
            guard.audit(run, AuditEvent.builder(AuditEventType.LLM_CALL)
                    .outcome("failed")
                    .attribute("step", index)
                    .attribute("reason", e.reason())
                    .attribute("status", e.statusCode().isPresent() ? e.statusCode().getAsInt() : null)
                    .attribute("error", PgAgentException.abbreviate(e.getMessage(), 500))
                    .attribute("ms", since(t0).toMillis()));
            throw e;
        } finally {
            run.inflight.remove(f);
        }
    }

    private <T> T await(AskRun run, Future<T> future) {
        while (true) {
            if (run.isCancelled()) {
                future.cancel(true);
                throw new CancelledException("the ask was cancelled");
            }
            if (run.timeIsUp()) {
                throw new TimeUp();
            }
            long wait = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(run.nanosLeft(), POLL_NANOS));
            try {
                return future.get(wait, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // poll again: the deadline may have moved while a person was asked
            } catch (CancellationException e) {
                throw new CancelledException("the ask was cancelled");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            } catch (InterruptedException e) {
                run.interrupted = true;
                run.cancel();
                throw new CancelledException("the asking thread was interrupted");
            }
        }
    }

    private List<CallRecord> runTools(AskRun run, List<ToolCall> calls) {
        List<Future<CallRecord>> futures = new ArrayList<>(calls.size());
        try {
            for (int i = 0; i < calls.size(); i++) {
                ToolCall call = calls.get(i);
                if (i >= config.maxToolCallsPerStep()) {
                    futures.add(CompletableFuture.completedFuture(skipped(run, call)));
                    continue;
                }
                run.throwIfCancelled();
                Future<CallRecord> f = engine.executor().submit(() -> runCall(run, call));
                run.inflight.add(f);
                futures.add(f);
            }
            List<CallRecord> records = new ArrayList<>(calls.size());
            for (Future<CallRecord> f : futures) {
                records.add(await(run, f));
            }
            return records;
        } catch (RuntimeException | Error e) {
            run.stopWork();
            throw e;
        } finally {
            futures.forEach(run.inflight::remove);
        }
    }

    private CallRecord skipped(AskRun run, ToolCall call) {
        String message = "not run: at most " + config.maxToolCallsPerStep()
                + " tool calls are run in one step; call it again in the next step if it is still needed";
        guard.audit(run, AuditEvent.builder(AuditEventType.TOOL_CALL)
                .outcome("skipped")
                .attribute("tool", call.name())
                .attribute("callId", call.id())
                .attribute("error", message));
        return new CallRecord(call, ToolResult.error(message), message, Duration.ZERO, List.of(), List.of());
    }

    private CallRecord runCall(AskRun run, ToolCall call) {
        long t0 = System.nanoTime();
        CallGateway gateway = new CallGateway(guard, run);
        Tool tool = engine.tools().get(call.name());
        ToolResult result;
        if (tool == null) {
            result = ToolResult.error("unknown tool '" + call.name() + "'; the available tools are "
                    + String.join(", ", engine.tools().keySet()));
        } else {
            try {
                ToolArguments args = ArgumentParser.parse(call.arguments());
                result = tool.execute(args, gateway);
                if (result == null) {
                    result = ToolResult.error("the tool " + call.name() + " returned no result");
                }
            } catch (IllegalArgumentException e) {
                result = ToolResult.error("invalid arguments for " + call.name() + ": " + e.getMessage());
            } catch (ToolExecutionException e) {
                result = ToolResult.error("the tool " + call.name() + " failed: " + e.getMessage());
            } catch (AuditWriteException e) {
                throw e;
            } catch (CancelledException e) {
                if (run.isCancelled() || run.timeIsUp()) {
                    throw e;
                }
                result = ToolResult.error("the tool " + call.name() + " was cancelled: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("Tool {} failed", call.name(), e);
                result = ToolResult.error("the tool " + call.name() + " failed: " + e);
            }
        }
        AuditWriteException auditFailure = run.auditFailure;
        if (auditFailure != null) {
            throw auditFailure;
        }
        String content = result.error() ? config.redactor().redactText(result.content()) : result.content();
        List<QueryResult> tables = result.tables().stream().map(gateway::real).toList();
        ToolResult forHost = new ToolResult(content, result.error(), tables);
        Duration took = since(t0);
        List<StatementOutcome> outcomes = gateway.outcomes();
        guard.audit(run, AuditEvent.builder(AuditEventType.TOOL_CALL)
                .outcome(result.error() ? "error" : "ok")
                .attribute("tool", call.name())
                .attribute("callId", call.id())
                .attribute("arguments", PgAgentException.abbreviate(call.arguments(), 1000))
                .attribute("statements", outcomes.size())
                .attribute("ms", took.toMillis()));
        return new CallRecord(call, forHost, content, took, outcomes, gateway.pending());
    }

    private AgentResponse finalAnswer(AskRun run, ChatResponse response, int index, long s0) {
        AssistantMessage message = response.message();
        AgentStep step = new AgentStep(index, message, List.of(), response.usage(), since(s0));
        run.steps.add(step);
        notifyListener(step);
        run.turn.add(message);
        String text = message.text() == null ? "" : message.text();
        return switch (response.finishReason()) {
            case LENGTH -> end(run, AgentStatus.LIMIT_REACHED, text, "the model's answer was cut off by its output "
                    + "token limit (finish_reason=length); raise ModelOptions.maxTokens", Limit.TOKENS);
            case CONTENT_FILTER -> end(run, AgentStatus.FAILED, text,
                    "the provider's content filter withheld or cut the answer (finish_reason=content_filter)", null);
            default -> end(run, AgentStatus.COMPLETED, text, null, null);
        };
    }

    private void completeStep(AskRun run, AssistantMessage message, List<CallRecord> records) {
        run.turn.add(message);
        for (CallRecord r : records) {
            run.turn.add(new ToolResultMessage(r.call().id(), r.call().name(), r.modelContent(), r.result().error()));
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
        return records.stream().map(r -> new ToolInvocation(r.call(), r.result(), r.elapsed())).toList();
    }

    private void notifyListener(AgentStep step) {
        try {
            config.listener().onStep(step);
        } catch (RuntimeException e) {
            LOG.warn("Agent listener failed on step {}; ignored", step.index(), e);
        }
    }

    private static List<ConfirmationRequest> pendingOf(AskRun run) {
        AskRun.PendingStep ps = run.pending;
        if (ps == null) {
            return List.of();
        }
        List<ConfirmationRequest> out = new ArrayList<>();
        for (CallRecord r : ps.records()) {
            for (CallRecord.PendingItem p : r.pending()) {
                if (!run.resolved.contains(p.request().id())) {
                    out.add(p.request());
                }
            }
        }
        return List.copyOf(out);
    }

    private AgentResponse waitingResponse(AskRun run) {
        List<StatementOutcome> statements = new ArrayList<>(run.statements);
        AskRun.PendingStep ps = Objects.requireNonNull(run.pending, "pending");
        for (CallRecord r : ps.records()) {
            statements.addAll(r.outcomes());
        }
        List<ConfirmationRequest> pending = pendingOf(run);
        recordFinished(run, AgentStatus.WAITING_FOR_CONFIRMATION, null, pending.size());
        return AgentResponse.builder(AgentStatus.WAITING_FOR_CONFIRMATION)
                .ids(id, run.askId)
                .statements(statements)
                .tables(run.lastTables)
                .steps(run.steps)
                .usage(run.usage)
                .elapsed(run.segmentElapsed())
                .pendingConfirmations(pending)
                .build();
    }

    private AgentResponse timeUp(AskRun run) {
        run.stopWork();
        return end(run, AgentStatus.LIMIT_REACHED, lastText(run), "the ask timed out after "
                + config.timeout().toMillis() + " ms", Limit.TIME);
    }

    private AgentResponse end(
            AskRun run, AgentStatus status, String answer, @Nullable String error, @Nullable Limit limit) {
        run.pending = null;
        synchronized (lock) {
            if (waiting == run) {
                waiting = null;
            }
        }
        synchronized (history) {
            history.add(run.turn);
        }
        recordFinished(run, status, error, 0);
        return AgentResponse.builder(status)
                .answer(answer)
                .ids(id, run.askId)
                .statements(run.statements)
                .tables(run.lastTables)
                .steps(run.steps)
                .usage(run.usage)
                .elapsed(run.segmentElapsed())
                .error(error)
                .limit(limit)
                .build();
    }

    private void recordFinished(AskRun run, AgentStatus status, @Nullable String error, int pending) {
        try {
            config.audit().record(AuditEvent.builder(AuditEventType.ASK_FINISHED)
                    .sessionId(id)
                    .askId(run.askId)
                    .outcome(status.name().toLowerCase(Locale.ROOT))
                    .attribute("steps", run.steps.size())
                    .attribute("inputTokens", run.usage.inputTokens())
                    .attribute("outputTokens", run.usage.outputTokens())
                    .attribute("ms", run.segmentElapsed().toMillis())
                    .attribute("pendingConfirmations", pending == 0 ? null : pending)
                    .attribute("error", error == null ? null : PgAgentException.abbreviate(error, 500))
                    .build());
        } catch (AuditWriteException e) {
            LOG.warn("The end of ask {} could not be audited: {}", run.askId, e.getMessage());
        }
    }

    private static String lastText(AskRun run) {
        for (int i = run.steps.size() - 1; i >= 0; i--) {
            String text = run.steps.get(i).message().text();
            if (text != null && !text.isBlank()) {
                return text;
            }
        }
        return "";
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
