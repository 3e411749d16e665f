package dev.pgagent.core.internal;

import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolContext;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link SqlGateway} and {@link ToolContext} of one tool call: runs statements through the {@link Guard} and
 * keeps, in order, the outcomes with real values, the map from the redacted tables a tool saw to the real ones, and
 * the confirmations deferred. Thread-safe (a tool may run statements from several threads).
 */
final class CallGateway implements SqlGateway, ToolContext {
    private final Guard guard;
    private final AskRun run;
    private final List<StatementOutcome> outcomes = new ArrayList<>();
    private final List<CallRecord.PendingItem> pending = new ArrayList<>();
    private final Map<QueryResult, QueryResult> realByShown = new IdentityHashMap<>();

    CallGateway(Guard guard, AskRun run) {
        this.guard = guard;
        this.run = run;
    }

    @Override
    public StatementOutcome execute(String sql) {
        Objects.requireNonNull(sql, "sql == null");
        List<ConfirmationRequest> deferred = new ArrayList<>(1);
        Guard.Result r = guard.execute(run, sql, deferred::add);
        return record(r, deferred);
    }

    @Override
    public StatementOutcome explain(String sql) {
        Objects.requireNonNull(sql, "sql == null");
        return record(guard.explain(run, sql), List.of());
    }

    @Override
    public Verdict check(String sql) {
        Objects.requireNonNull(sql, "sql == null");
        return guard.validate(sql);
    }

    private synchronized StatementOutcome record(Guard.Result r, List<ConfirmationRequest> deferred) {
        outcomes.add(r.real());
        for (ConfirmationRequest request : deferred) {
            pending.add(new CallRecord.PendingItem(request, outcomes.size() - 1));
        }
        QueryResult shown = r.shown().result();
        QueryResult real = r.real().result();
        if (shown != null && real != null) {
            realByShown.put(shown, real);
        }
        return r.shown();
    }

    /** Returns the real table for one a tool returned: the unredacted one when it came from this gateway. */
    synchronized QueryResult real(QueryResult table) {
        QueryResult real = realByShown.get(table);
        if (real != null) {
            return real;
        }
        for (Map.Entry<QueryResult, QueryResult> e : realByShown.entrySet()) {
            if (e.getKey().equals(table)) {
                return e.getValue();
            }
        }
        return table;
    }

    synchronized List<StatementOutcome> outcomes() {
        return new ArrayList<>(outcomes);
    }

    synchronized List<CallRecord.PendingItem> pending() {
        return new ArrayList<>(pending);
    }

    @Override
    public SqlGateway sql() {
        return this;
    }

    @Override
    public String sessionId() {
        return run.sessionId;
    }

    @Override
    public String askId() {
        return run.askId;
    }

    @Override
    public boolean isCancelled() {
        return run.isCancelled() || run.timeIsUp() || Thread.currentThread().isInterrupted();
    }
}
