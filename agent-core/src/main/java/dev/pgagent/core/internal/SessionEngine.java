package dev.pgagent.core.internal;

import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStep;
import dev.pgagent.core.ToolInvocation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One conversation: its bounded history, the ask running in it, and an ask waiting for confirmations. Asks in one
 * session run one at a time ({@link AskLoop} runs each); {@link #cancel()} may be called from any thread. Thread-safe.
 */
public final class SessionEngine implements SessionHooks {
    private final String id;
    private final EngineConfig config;
    private final History history;
    private final AskLoop loop;
    private final Object lock = new Object();
    private boolean running;
    private @Nullable AskRun waiting;
    private volatile @Nullable AskRun current;

    SessionEngine(String id, AgentEngine engine) {
        this.id = Objects.requireNonNull(id, "id == null");
        this.config = engine.config();
        this.history = new History(config.historyTokenBudget(), config.tokenCounter());
        this.loop = new AskLoop(engine, this);
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
                records.add(new CallRecord(
                        r.call(),
                        r.result(),
                        r.modelContent(),
                        r.elapsed(),
                        new ArrayList<>(r.outcomes()),
                        r.pending()));
            }
            run.pending = new AskRun.PendingStep(w.stepIndex(), w.message(), records, w.stepUsage(), w.stepElapsed());
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
                throw new IllegalStateException(
                        "session " + id + " must be idle to be snapshotted but is running " + "an ask");
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
        List<AgentStep> steps = run.steps.stream()
                .map(s -> new AgentStep(
                        s.index(),
                        s.message(),
                        s.toolInvocations().stream()
                                .map(i -> new ToolInvocation(
                                        i.call(), SessionState.withoutTables(i.result()), i.elapsed()))
                                .toList(),
                        s.usage(),
                        s.elapsed()))
                .toList();
        List<CallRecord> records = ps.records().stream()
                .map(r -> new CallRecord(
                        r.call(),
                        SessionState.withoutTables(r.result()),
                        r.modelContent(),
                        r.elapsed(),
                        r.outcomes().stream().map(SessionState::withoutRows).toList(),
                        r.pending()))
                .toList();
        return new SessionState.Waiting(
                run.askId,
                run.question,
                run.turn,
                steps,
                run.statements.stream().map(SessionState::withoutRows).toList(),
                run.usage,
                run.rowsLeft(),
                run.bytesLeft(),
                run.resolved,
                ps.index(),
                ps.message(),
                ps.usage(),
                ps.elapsed(),
                records);
    }

    @Override
    public String id() {
        return id;
    }

    /**
     * Asks a question; blocks until the ask ends.
     *
     * @throws IllegalArgumentException if the question is longer than the configured limit
     * @throws IllegalStateException if an ask is running or confirmations are pending
     */
    public AgentResponse ask(String question) {
        return ask(question, null).response();
    }

    /** The end of an ask that wanted structured output: the response, and the value read from its answer. */
    public record Answer(AgentResponse response, @Nullable Object value) {}

    /**
     * Asks a question wanting {@code output} back (free text when null); blocks until the ask ends.
     *
     * @throws IllegalArgumentException if the question is longer than the configured limit
     * @throws IllegalStateException if an ask is running or confirmations are pending
     */
    public Answer ask(String question, @Nullable OutputSpec output) {
        Objects.requireNonNull(question, "question == null");
        if (question.length() > config.maxQuestionChars()) {
            throw new IllegalArgumentException("question must be at most " + config.maxQuestionChars()
                    + " characters but was " + question.length() + " (PostgresAgent.Builder.maxQuestionChars)");
        }
        synchronized (lock) {
            if (running) {
                throw new IllegalStateException("session " + id + " must be idle but is running an ask");
            }
            if (waiting != null) {
                throw new IllegalStateException("session " + id + " must have no pending confirmations but has "
                        + AskEnder.pendingOf(waiting).size() + "; call resume(...) first");
            }
            running = true;
        }
        AskRun run = new AskRun(
                UUID.randomUUID().toString(),
                id,
                question,
                config.policy().askMaxRows(),
                config.policy().askMaxBytes());
        run.output = output;
        run.startSegment(config.timeout());
        current = run;
        try {
            AgentResponse response = loop.start(run);
            return new Answer(response, response.isCompleted() ? run.value : null);
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
            AskEnder.pendingOf(run).forEach(r -> known.add(r.id()));
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
            return loop.resume(run, decisions);
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

    /** Makes the running ask's time be up now, as if its time limit struck; for tests that wait on events. */
    void expireDeadline() {
        AskRun run = current;
        if (run != null) {
            run.extendDeadline(-Math.max(0, run.nanosLeft()) - 1);
        }
    }

    /** Returns the confirmations the session waits for; empty when none. */
    public List<ConfirmationRequest> pendingConfirmations() {
        synchronized (lock) {
            AskRun run = waiting;
            return run == null ? List.of() : AskEnder.pendingOf(run);
        }
    }

    /** Returns the messages of the kept past turns, oldest first. */
    @Override
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

    @Override
    public void remember(List<ChatMessage> turn) {
        synchronized (history) {
            history.add(turn);
        }
    }

    @Override
    public void park(AskRun run) {
        synchronized (lock) {
            waiting = run;
        }
    }

    @Override
    public void unpark(AskRun run) {
        synchronized (lock) {
            if (waiting == run) {
                waiting = null;
            }
        }
    }
}
