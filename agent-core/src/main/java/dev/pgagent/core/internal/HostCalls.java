package dev.pgagent.core.internal;

import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.ExportResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolContext;
import dev.pgagent.db.postgres.ExportTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Calls a host makes on the guarded path, outside any model loop: one tool call or one statement at a time, each a
 * short "ask" of its own (own id, the agent's time limit and per-ask budgets), run on the calling thread through the
 * same {@link CallRunner} and {@link Guard}s the loop uses. Confirmations the handler defers wait here until
 * {@link #decide}. Thread-safe.
 */
public final class HostCalls {
    private final String caller;
    private final AgentEngine engine;
    private final Set<AskRun> running = ConcurrentHashMap.newKeySet();
    private final Map<String, Waiting> waiting = new LinkedHashMap<>();
    private volatile @Nullable Duration statementTimeoutCap;

    /** A deferred confirmation and the call it belongs to. */
    private record Waiting(CallRecord.PendingItem item, AskRun run) {}

    HostCalls(String caller, AgentEngine engine) {
        Objects.requireNonNull(caller, "caller == null");
        if (caller.isBlank()) {
            throw new IllegalArgumentException("caller must not be blank but was '" + caller + "'");
        }
        this.caller = caller;
        this.engine = engine;
    }

    /** Returns the caller's identity, written as the session of every audit record. */
    public String caller() {
        return caller;
    }

    /** Caps each statement's timeout below the policy's (for background work such as value sampling). */
    public HostCalls statementTimeoutCap(Duration cap) {
        this.statementTimeoutCap = Objects.requireNonNull(cap, "cap == null");
        return this;
    }

    /** Returns the names of the agent's databases, the default first. */
    public List<String> databases() {
        return engine.databaseNames();
    }

    /** Runs one tool call; returns its record (real tables in its result; the model's view in its content). */
    public CallRecord callTool(String name, String argumentsJson) {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(argumentsJson, "argumentsJson == null");
        ToolCall call = new ToolCall("host-" + UUID.randomUUID(), name, argumentsJson);
        return within(run -> {
            CallRecord r = engine.calls().run(run, call);
            keepPending(r.pending(), run);
            return r;
        });
    }

    /**
     * Runs {@code action} with a guarded context bound to {@code database} (empty: the default database) and returns
     * the outcome of the statement it ran, as the model would see it (redacted).
     *
     * @throws IllegalArgumentException if the database is unknown
     */
    public StatementOutcome statement(String database, Function<ToolContext, StatementOutcome> action) {
        Objects.requireNonNull(database, "database == null");
        Objects.requireNonNull(action, "action == null");
        return within(run -> {
            CallGateway gateway = new CallGateway(engine.guards(), run);
            ToolContext ctx = database.isEmpty() ? gateway : gateway.database(database);
            StatementOutcome o = action.apply(ctx);
            keepPending(gateway.pending(), run);
            return o;
        });
    }

    /**
     * Exports one read on {@code database} (empty: the default) to {@code target}; see {@link Guard#export}.
     *
     * @throws IllegalArgumentException if the database is unknown
     */
    public ExportResult export(String database, String sql, ExportTarget target, ExportOptions options) {
        Objects.requireNonNull(sql, "sql == null");
        Objects.requireNonNull(target, "target == null");
        Objects.requireNonNull(options, "options == null");
        Guard g = guard(database);
        return within(run -> g.export(run, sql, target, options));
    }

    /** Returns the verdict of the validator of {@code database} (empty: the default), nothing run. */
    public Verdict check(String database, String sql) {
        Guard g = guard(database);
        return g.validate(Objects.requireNonNull(sql, "sql == null"));
    }

    /** Returns the confirmations deferred by the handler and not yet decided. */
    public List<ConfirmationRequest> pendingConfirmations() {
        synchronized (waiting) {
            return waiting.values().stream().map(w -> w.item().request()).toList();
        }
    }

    /**
     * Decides a deferred confirmation: an approval validates the statement again and applies it.
     *
     * @throws IllegalArgumentException if no deferred confirmation has that id
     */
    public StatementOutcome decide(String requestId, ConfirmationDecision decision) {
        Objects.requireNonNull(requestId, "requestId == null");
        Objects.requireNonNull(decision, "decision == null");
        if (decision.status() == ConfirmationDecision.Status.DEFERRED) {
            throw new IllegalArgumentException("decision must approve or decline but was deferred");
        }
        Waiting w;
        synchronized (waiting) {
            w = waiting.remove(requestId);
            if (w == null) {
                throw new IllegalArgumentException(
                        "requestId must name a pending confirmation " + waiting.keySet() + " but was " + requestId);
            }
        }
        Guard g = guard(w.item().database());
        AskRun run = w.run();
        run.startSegment(engine.config().timeout());
        running.add(run);
        try {
            return g.decideOnResume(run, w.item().request(), decision);
        } finally {
            running.remove(run);
        }
    }

    /** Cancels the calls running now: their statements on the server, their confirmation waits. */
    public void cancel() {
        for (AskRun run : new ArrayList<>(running)) {
            run.cancel();
        }
    }

    private Guard guard(String database) {
        Guard g = engine.guards().get(Objects.requireNonNull(database, "database == null"));
        if (g == null) {
            throw new IllegalArgumentException(
                    "database must be one of " + engine.guards().names() + " but was '" + database + "'");
        }
        return g;
    }

    private <T> T within(Function<AskRun, T> body) {
        if (engine.isShutdown()) {
            throw new IllegalStateException("the agent must be open but was closed");
        }
        EngineConfig config = engine.config();
        AskRun run = new AskRun(
                UUID.randomUUID().toString(),
                caller,
                "",
                config.policy().askMaxRows(),
                config.policy().askMaxBytes());
        run.statementTimeoutCap = statementTimeoutCap;
        run.startSegment(config.timeout());
        running.add(run);
        try {
            return body.apply(run);
        } finally {
            running.remove(run);
            if (run.interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void keepPending(List<CallRecord.PendingItem> items, AskRun run) {
        if (items.isEmpty()) {
            return;
        }
        synchronized (waiting) {
            for (CallRecord.PendingItem p : items) {
                waiting.put(p.request().id(), new Waiting(p, run));
            }
        }
    }
}
