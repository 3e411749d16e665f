package dev.pgagent.core;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.SqlRejectedException;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.internal.CallRecord;
import dev.pgagent.core.internal.HostCalls;
import java.util.List;
import java.util.Objects;

/**
 * Runs one tool call, or one SQL statement, for a caller through exactly the path the model loop uses: validation,
 * the plan check, the runtime guards (read-only transaction, timeouts, row and byte caps), confirmation (dry run, the
 * agent's {@link dev.pgagent.api.safety.ConfirmationHandler}), redaction and audit, with the caller's identity as
 * the session of every audit record and event. For hosts, MCP servers and user interfaces that act without a model
 * loop; the agent's value sampling runs through it too. Obtain one with {@link PostgresAgent#guardedPath(String)}.
 * Thread-safe; each call is its own short ask with the agent's time limit and per-ask budgets.
 *
 * <pre>{@code
 * GuardedPath path = agent.guardedPath("reporting-job");
 * StatementOutcome o = path.execute("SELECT count(*) FROM orders");   // refused, failed or run: an outcome
 * GuardedCall c = path.callTool("describe_table", "{\"table\":\"orders\"}");
 * QueryResult rows = path.query("SELECT id FROM orders LIMIT 10");     // throws SqlRejectedException if refused
 * }</pre>
 *
 * <p>Statement results come back as a model would see them (personal data redacted under the policy); a tool call's
 * {@link GuardedCall#result()} holds the real values for the host. With several databases, pass the database's name;
 * the one-argument forms use the default (first) database.
 */
public final class GuardedPath implements SqlGateway {
    private final HostCalls calls;
    private final List<ToolSpec> tools;

    GuardedPath(HostCalls calls, List<ToolSpec> tools) {
        this.calls = calls;
        this.tools = tools;
    }

    /** Returns the caller's identity. */
    public String caller() {
        return calls.caller();
    }

    /** Returns the names of the agent's databases, the default first. */
    public List<String> databases() {
        return calls.databases();
    }

    /** Returns the tools a call may name: the same the model is offered. */
    public List<ToolSpec> tools() {
        return tools;
    }

    /**
     * Runs the tool {@code name} with JSON arguments (with several databases, the built-in tools take a
     * {@code database} argument). An unknown tool or bad arguments give an error result, as the model would get.
     *
     * @throws CancelledException if {@link #cancel()} was called while it ran
     */
    public GuardedCall callTool(String name, String argumentsJson) {
        CallRecord r = calls.callTool(name, argumentsJson);
        return new GuardedCall(r.call(), r.result(), r.modelContent(), r.outcomes(),
                r.pending().stream().map(CallRecord.PendingItem::request).toList(), r.elapsed());
    }

    /** Runs one statement on the default database; see {@link #execute(String, String)}. */
    @Override
    public StatementOutcome execute(String sql) {
        return execute("", sql);
    }

    /**
     * Runs one statement on {@code database}: refused, run as a read, or dry-run and confirmed as a write. The
     * outcome's rows are redacted as a model would see them.
     *
     * @throws IllegalArgumentException if there is no database of that name
     */
    public StatementOutcome execute(String database, String sql) {
        Objects.requireNonNull(sql, "sql == null");
        return calls.statement(database, ctx -> ctx.sql().execute(sql));
    }

    /** Explains one statement on the default database; see {@link SqlGateway#explain(String)}. */
    @Override
    public StatementOutcome explain(String sql) {
        return explain("", sql);
    }

    /** Explains one statement on {@code database} (only statements that may run without confirmation). */
    public StatementOutcome explain(String database, String sql) {
        Objects.requireNonNull(sql, "sql == null");
        return calls.statement(database, ctx -> ctx.sql().explain(sql));
    }

    /** Explains one statement on the default database under ANALYZE; see {@link SqlGateway#explainAnalyze}. */
    @Override
    @dev.pgagent.api.Experimental
    public StatementOutcome explainAnalyze(String sql) {
        return explainAnalyze("", sql);
    }

    /**
     * Explains one query on {@code database} under EXPLAIN ANALYZE: it runs in a READ ONLY transaction that is rolled
     * back, under the statement timeout; only reads the policy allows without confirmation.
     */
    @dev.pgagent.api.Experimental
    public StatementOutcome explainAnalyze(String database, String sql) {
        Objects.requireNonNull(sql, "sql == null");
        return calls.statement(database, ctx -> ctx.sql().explainAnalyze(sql));
    }

    /** Returns the validator's verdict on the default database; nothing runs. */
    @Override
    public Verdict check(String sql) {
        return calls.check("", sql);
    }

    /** Returns the validator's verdict on {@code database}; nothing runs. */
    public Verdict check(String database, String sql) {
        return calls.check(database, sql);
    }

    /**
     * Runs a read on the default database and returns its rows, treating anything else as an error.
     *
     * @throws SqlRejectedException if the safety layer refused it or it needs a confirmation
     * @throws DatabaseException if PostgreSQL failed it (with its SQLSTATE)
     * @throws CancelledException if it was cancelled or timed out
     */
    public QueryResult query(String sql) {
        return query("", sql);
    }

    /** Runs a read on {@code database}; see {@link #query(String)}. */
    public QueryResult query(String database, String sql) {
        StatementOutcome o = execute(database, sql);
        QueryResult result = o.result();
        return switch (o.status()) {
            case EXECUTED -> {
                if (result == null) {
                    throw new SqlRejectedException(o.verdict());
                }
                yield result;
            }
            case REFUSED, DECLINED, PENDING_CONFIRMATION -> throw new SqlRejectedException(o.verdict(),
                    String.valueOf(o.error()));
            case FAILED -> throw new DatabaseException(String.valueOf(o.error()), o.sqlState(), null);
            case CANCELLED -> throw new CancelledException(String.valueOf(o.error()));
        };
    }

    /** Returns the confirmations the handler deferred and nobody decided yet. */
    public List<ConfirmationRequest> pendingConfirmations() {
        return calls.pendingConfirmations();
    }

    /**
     * Decides a deferred confirmation; an approval validates the statement again under the policy in force, then
     * applies it.
     *
     * @throws IllegalArgumentException if nothing waits under {@code requestId}, or the decision is a deferral
     */
    public StatementOutcome decide(String requestId, ConfirmationDecision decision) {
        return calls.decide(requestId, decision);
    }

    /** Cancels the calls running now (their statements on the server); returns at once. */
    public void cancel() {
        calls.cancel();
    }

    @Override
    public String toString() {
        return "GuardedPath{caller=" + calls.caller() + ", databases=" + calls.databases() + '}';
    }
}
