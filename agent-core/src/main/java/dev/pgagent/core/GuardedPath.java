package dev.pgagent.core;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.Experimental;
import dev.pgagent.api.SqlRejectedException;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.ExportResult;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.sql.Truncation;
import dev.pgagent.core.internal.CallRecord;
import dev.pgagent.core.internal.HostCalls;
import dev.pgagent.db.postgres.ExportTarget;
import dev.pgagent.db.postgres.Paging;
import java.io.OutputStream;
import java.io.Writer;
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
        return new GuardedCall(
                r.call(),
                r.result(),
                r.modelContent(),
                r.outcomes(),
                r.pending().stream().map(CallRecord.PendingItem::request).toList(),
                r.elapsed());
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
            case REFUSED, DECLINED, PENDING_CONFIRMATION ->
                throw new SqlRejectedException(o.verdict(), String.valueOf(o.error()));
            case FAILED -> throw new DatabaseException(String.valueOf(o.error()), o.sqlState(), null);
            case CANCELLED -> throw new CancelledException(String.valueOf(o.error()));
        };
    }

    /**
     * Exports a read on the default database to {@code out}; see
     * {@link #export(String, String, OutputStream, ExportOptions)}.
     */
    @Experimental
    public ExportResult export(String sql, OutputStream out, ExportOptions options) {
        return export("", sql, out, options);
    }

    /**
     * Streams every row of one read on {@code database} to {@code out} (UTF-8) in the options' format (CSV, JSON,
     * JSON Lines, Markdown), through the guarded path: validated again under the policy (only what may run without
     * confirmation), plan-checked for denied data, run in a READ ONLY transaction that is rolled back, and audited
     * ({@code QUERY_EXECUTED} with the rows and bytes written). The export's own limits
     * ({@link ExportOptions#maxRows()}, {@link ExportOptions#maxBytes()}, {@link ExportOptions#timeout()}) replace
     * the caps on what the model is shown; memory stays flat whatever the size (plain CSV is written by PostgreSQL's
     * {@code COPY ... TO STDOUT}, the rest read through a cursor). Values are real unless
     * {@link ExportOptions#redact()} asks for the policy's redaction. {@code out} is flushed, not closed.
     *
     * <pre>{@code
     * try (OutputStream out = Files.newOutputStream(Path.of("orders.csv"))) {
     *     ExportResult r = agent.guardedPath("nightly-export").export("", "SELECT * FROM orders", out,
     *             ExportOptions.DEFAULTS);
     * }
     * }</pre>
     *
     * @return what was written; {@link ExportResult#isTruncated()} when a limit cut it
     * @throws SqlRejectedException if the safety layer refused it (including the plan check)
     * @throws DatabaseException if PostgreSQL failed it or it timed out
     * @throws CancelledException if {@link #cancel()} was called while it ran
     * @throws java.io.UncheckedIOException if {@code out} cannot be written
     * @throws IllegalArgumentException if there is no database of that name
     */
    @Experimental
    public ExportResult export(String database, String sql, OutputStream out, ExportOptions options) {
        return calls.export(database, sql, ExportTarget.of(out), options);
    }

    /** Exports a read on {@code database} to a {@link Writer}; see above. {@code out} is flushed, not closed. */
    @Experimental
    public ExportResult export(String database, String sql, Writer out, ExportOptions options) {
        return calls.export(database, sql, ExportTarget.of(out), options);
    }

    /**
     * Reads one page of a read's rows on {@code database}: the statement
     * {@code SELECT * FROM (sql) AS pgagent_page OFFSET offset LIMIT pageSize + 1} (see {@link Paging}), run like
     * {@link #query(String, String)} (validated, guarded, redacted, audited). The page holds at most
     * {@code pageSize} rows (fewer if the policy's row or byte cap is lower) and says whether more follow. Give the
     * read an ORDER BY for stable pages.
     *
     * <pre>{@code
     * long offset = 0;
     * ResultPage page;
     * do {
     *     page = path.page("", "SELECT id, name FROM customers ORDER BY id", offset, 100);
     *     show(page.rows());
     *     offset = page.nextOffset();
     * } while (page.hasMore());
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code offset} is negative or {@code pageSize} below 1
     * @throws SqlRejectedException if the safety layer refused it
     * @throws DatabaseException if PostgreSQL failed it
     * @throws CancelledException if it was cancelled or timed out
     */
    @Experimental
    public ResultPage page(String database, String sql, long offset, int pageSize) {
        Objects.requireNonNull(sql, "sql == null");
        if (pageSize < 1 || pageSize == Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "pageSize must be in [1, " + (Integer.MAX_VALUE - 1) + "] but was " + pageSize);
        }
        QueryResult r = query(database, Paging.page(sql, offset, pageSize + 1L));
        if (r.rowCount() <= pageSize) {
            return new ResultPage(r, offset, r.isTruncated());
        }
        QueryResult.Builder b = QueryResult.builder()
                .columns(r.columns())
                .truncation(Truncation.ROW_LIMIT)
                .elapsed(r.elapsed())
                .byteCount(r.byteCount());
        r.rows().subList(0, pageSize).forEach(b::addRow);
        return new ResultPage(b.build(), offset, true);
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
