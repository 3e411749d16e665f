package dev.pgagent.core.internal;

import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolContext;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link SqlGateway} and {@link ToolContext} of one tool call: runs statements through the {@link Guard} of the
 * database it is bound to and keeps, in order and shared with its views on other databases, the outcomes with real
 * values, the map from the redacted tables a tool saw to the real ones, the confirmations deferred and the databases
 * used. Thread-safe (a tool may run statements from several threads).
 */
final class CallGateway implements SqlGateway, ToolContext {
    private final Guards guards;
    private final Guard guard;
    private final AskRun run;
    private final Records records;

    /** What all views of one call share. */
    private static final class Records {
        final List<StatementOutcome> outcomes = new ArrayList<>();
        final List<CallRecord.PendingItem> pending = new ArrayList<>();
        final Map<QueryResult, QueryResult> realByShown = new IdentityHashMap<>();
        final Set<String> used = new LinkedHashSet<>();
    }

    CallGateway(Guards guards, AskRun run) {
        this(guards, guards.defaultGuard(), run, new Records());
    }

    private CallGateway(Guards guards, Guard guard, AskRun run, Records records) {
        this.guards = guards;
        this.guard = guard;
        this.run = run;
        this.records = records;
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
    public StatementOutcome explainAnalyze(String sql) {
        Objects.requireNonNull(sql, "sql == null");
        return record(guard.explain(run, sql, true), List.of());
    }

    @Override
    public Verdict check(String sql) {
        Objects.requireNonNull(sql, "sql == null");
        return guard.validate(sql);
    }

    @Override
    public List<String> databases() {
        return guards.names();
    }

    @Override
    public ToolContext database(String name) {
        Objects.requireNonNull(name, "name == null");
        Guard g = guards.get(name);
        if (g == null) {
            throw new IllegalArgumentException("database must be one of " + guards.names() + " but was '" + name + "'");
        }
        return g == guard ? this : new CallGateway(guards, g, run, records);
    }

    private StatementOutcome record(Guard.Result r, List<ConfirmationRequest> deferred) {
        synchronized (records) {
            records.outcomes.add(r.real());
            records.used.add(guard.database().name());
            for (ConfirmationRequest request : deferred) {
                records.pending.add(new CallRecord.PendingItem(
                        request, records.outcomes.size() - 1, guard.database().name()));
            }
            QueryResult shown = r.shown().result();
            QueryResult real = r.real().result();
            if (shown != null && real != null) {
                records.realByShown.put(shown, real);
            }
        }
        return r.shown();
    }

    /** Returns the real table for one a tool returned: the unredacted one when it came from this call. */
    QueryResult real(QueryResult table) {
        synchronized (records) {
            QueryResult real = records.realByShown.get(table);
            if (real != null) {
                return real;
            }
            for (Map.Entry<QueryResult, QueryResult> e : records.realByShown.entrySet()) {
                if (e.getKey().equals(table)) {
                    return e.getValue();
                }
            }
            return table;
        }
    }

    /** Redacts {@code text} for the model with the redactors of every database the call used (the default's too). */
    String redactText(String text) {
        String out = guards.defaultGuard().database().redactor().redactText(text);
        List<String> used;
        synchronized (records) {
            used = List.copyOf(records.used);
        }
        for (String name : used) {
            Guard g = guards.get(name);
            if (g != null && g != guards.defaultGuard()) {
                out = g.database().redactor().redactText(out);
            }
        }
        return out;
    }

    List<StatementOutcome> outcomes() {
        synchronized (records) {
            return new ArrayList<>(records.outcomes);
        }
    }

    List<CallRecord.PendingItem> pending() {
        synchronized (records) {
            return new ArrayList<>(records.pending);
        }
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
