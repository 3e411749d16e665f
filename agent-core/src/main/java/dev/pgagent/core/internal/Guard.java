package dev.pgagent.core.internal;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.SqlRejectedException;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.DryRun;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.ExportResult;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.db.postgres.DeniedDataException;
import dev.pgagent.db.postgres.ExecutionLimits;
import dev.pgagent.db.postgres.ExportTarget;
import dev.pgagent.db.postgres.WriteDryRun;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety path every statement takes: validate, refuse / read under the runtime guards / dry-run, confirm and
 * apply, audit. Shared by all sessions of an agent; per-ask state lives in {@link AskRun}. Thread-safe.
 */
final class Guard {
    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);
    private static final String STATEMENT_TIMEOUT_SQLSTATE = "57014";
    private static final int DRY_RUN_SAMPLE_ROWS = 20;
    /** Rows fetched per round trip by an export's cursor. */
    private static final int EXPORT_FETCH_SIZE = 1000;

    private final DatabaseBinding db;
    private final AuditRecorder audit;
    private final ConfirmationHandler confirmationHandler;
    private final ExecutorService executor;
    private final Events events;
    private final @Nullable String auditName;

    /**
     * Creates the guard of one database.
     *
     * @param auditName the database name written in audit records (the agent's name of the database), or null to leave it out
     */
    Guard(
            DatabaseBinding db,
            AuditRecorder audit,
            ConfirmationHandler confirmationHandler,
            ExecutorService executor,
            Events events,
            @Nullable String auditName) {
        this.db = db;
        this.audit = audit;
        this.confirmationHandler = confirmationHandler;
        this.executor = executor;
        this.events = events;
        this.auditName = auditName;
    }

    /** Returns the database this guard stands in front of. */
    DatabaseBinding database() {
        return db;
    }

    /** The two faces of one outcome: with real values for the host, redacted for the tool and the model. */
    record Result(StatementOutcome real, StatementOutcome shown) {
        static Result same(StatementOutcome o) {
            return new Result(o, o);
        }
    }

    Verdict validate(String sql) {
        try {
            Verdict v = db.validator().validate(sql);
            if (v == null) {
                return Verdict.deny(StatementKind.UNPARSEABLE, "the safety validator returned no verdict");
            }
            return v;
        } catch (RuntimeException e) {
            LOG.warn("Safety validator failed; the statement is refused: {}", e.toString());
            return Verdict.deny(StatementKind.UNPARSEABLE, "the safety validator failed on this statement");
        }
    }

    /** Runs {@code sql} through the whole safety path. Pending confirmations are added to {@code pending}. */
    Result execute(AskRun run, String sql, PendingSink pending) {
        run.throwIfCancelled();
        long t0 = System.nanoTime();
        Verdict v = validate(sql);
        events.emit(new AgentEvent.StatementStarted(run.sessionId, run.askId, db.name(), sql, v, false));
        Result r = null;
        try {
            if (v.decision() == Decision.DENY) {
                r = Result.same(refuse(run, sql, v, v.reason(), t0));
            } else if (v.decision() == Decision.ALLOW) {
                r = read(run, sql, v, t0);
            } else {
                r = confirm(run, sql, v, t0, pending);
            }
            return r;
        } finally {
            finished(run, sql, v, r, t0);
        }
    }

    /** Tells the listener a statement ended; a statement cut short by cancellation ends as cancelled. */
    private void finished(AskRun run, String sql, Verdict v, @Nullable Result r, long t0) {
        StatementOutcome o = r != null
                ? r.real()
                : new StatementOutcome(
                        sql, v, StatementOutcome.Status.CANCELLED, null, -1, "the ask was cancelled", null, since(t0));
        events.emit(new AgentEvent.StatementFinished(run.sessionId, run.askId, db.name(), o));
    }

    /**
     * Exports one read through the whole safety path: validated again (only what may run without confirmation, as
     * a read), plan-checked, run in a READ ONLY transaction that is rolled back, under the export's own row, byte
     * and time limits instead of the model's caps, redacted only when the options ask, and audited
     * ({@code QUERY_EXECUTED} with rows and bytes, or the refusal or failure). The statement events are emitted as
     * for any statement.
     *
     * @throws SqlRejectedException if the statement is refused
     * @throws DatabaseException if PostgreSQL fails it or it times out
     * @throws CancelledException if it was cancelled
     */
    ExportResult export(AskRun run, String sql, ExportTarget target, ExportOptions options) {
        run.throwIfCancelled();
        long t0 = System.nanoTime();
        Verdict v = validate(sql);
        events.emit(new AgentEvent.StatementStarted(run.sessionId, run.askId, db.name(), sql, v, false));
        Result r = null;
        try {
            if (v.decision() != Decision.ALLOW) {
                String reason = v.decision() == Decision.DENY
                        ? v.reason()
                        : "only statements that may run without confirmation can be exported: " + v.reason();
                r = Result.same(refuse(run, sql, v, reason, t0));
                throw new SqlRejectedException(v, reason);
            }
            ExecutionLimits limits = ExecutionLimits.from(db.policy())
                    .withStatementTimeout(options.timeout())
                    .withFetchSize(EXPORT_FETCH_SIZE);
            UnaryOperator<QueryResult> filter = options.redact() ? db.redactor()::redact : null;
            ExportResult exported;
            try {
                exported = timed(run, () -> db.ops().export(sql, options, limits, run.cancellation(), target, filter));
            } catch (DatabaseException e) {
                r = failed(run, sql, v, e, t0, "export");
                if (r.real().status() == StatementOutcome.Status.REFUSED) {
                    throw new SqlRejectedException(v, String.valueOf(r.real().error()));
                }
                throw e;
            } catch (CancelledException e) {
                r = cancelled(run, sql, v, e, t0);
                throw e;
            } catch (java.io.UncheckedIOException e) {
                Duration took = since(t0);
                auditFailed(run, sql, v, "failed", null, String.valueOf(e.getMessage()), took, "export-output");
                r = Result.same(new StatementOutcome(
                        sql, v, StatementOutcome.Status.FAILED, null, -1, e.getMessage(), null, took));
                throw e;
            }
            Duration took = since(t0);
            audit(
                    run,
                    AuditEvent.builder(AuditEventType.QUERY_EXECUTED)
                            .sql(sql)
                            .verdict(v)
                            .outcome("exported")
                            .attribute("export", options.format().extension())
                            .attribute("rows", exported.rowCount())
                            .attribute("bytes", exported.byteCount())
                            .attribute("truncation", exported.truncation())
                            .attribute("copy", exported.serverCopy())
                            .attribute("redacted", options.redact())
                            .attribute("ms", took.toMillis())
                            .attribute("guard", v.kind() == StatementKind.UNPARSEABLE ? "runtime-only" : null));
            QueryResult summary = QueryResult.builder()
                    .columns(exported.columns())
                    .truncation(exported.truncation())
                    .byteCount(exported.byteCount())
                    .elapsed(took)
                    .build();
            r = Result.same(StatementOutcome.executed(sql, v, summary));
            return exported.withElapsed(took);
        } finally {
            finished(run, sql, v, r, t0);
        }
    }

    /** Receives confirmations that were deferred. */
    interface PendingSink {
        /** Registers {@code request}, returning the outcome to report meanwhile. */
        void deferred(ConfirmationRequest request);
    }

    Result explain(AskRun run, String sql) {
        return explain(run, sql, false);
    }

    /** Explains {@code sql}; with {@code analyze} the query runs under EXPLAIN ANALYZE (READ ONLY, rolled back). */
    Result explain(AskRun run, String sql, boolean analyze) {
        run.throwIfCancelled();
        long t0 = System.nanoTime();
        Verdict v = validate(sql);
        events.emit(new AgentEvent.StatementStarted(run.sessionId, run.askId, db.name(), sql, v, true));
        Result r = null;
        try {
            r = explainChecked(run, sql, v, t0, analyze);
            return r;
        } finally {
            finished(run, sql, v, r, t0);
        }
    }

    private Result explainChecked(AskRun run, String sql, Verdict v, long t0, boolean analyze) {
        if (!v.isAllowed() || v.kind() != StatementKind.READ) {
            String reason = "only statements that may run without confirmation can be explained: " + v.reason();
            return Result.same(refuse(run, sql, v, reason, t0));
        }
        try {
            ExecutionLimits limits = limits(run);
            if (limits == null) {
                return Result.same(refuse(run, sql, v, timeUsedUp(), t0));
            }
            String json = timed(
                    run,
                    () -> analyze
                            ? db.ops().explainAnalyzeJson(sql, limits, run.cancellation())
                            : db.ops().explainJson(sql, limits, run.cancellation()));
            Duration took = since(t0);
            QueryResult plan = QueryResult.builder()
                    .columns(List.of(new ResultColumn("QUERY PLAN", "json", Types.OTHER)))
                    .addRow(List.of(json))
                    .byteCount(json.length())
                    .elapsed(took)
                    .build();
            audit(
                    run,
                    AuditEvent.builder(AuditEventType.QUERY_EXECUTED)
                            .sql(sql)
                            .verdict(v)
                            .outcome("explained")
                            .attribute("explain", true)
                            .attribute("analyze", analyze)
                            .attribute("ms", took.toMillis()));
            return Result.same(StatementOutcome.executed(sql, v, plan));
        } catch (DatabaseException e) {
            return failed(run, sql, v, e, t0, "explain");
        } catch (CancelledException e) {
            return cancelled(run, sql, v, e, t0);
        }
    }

    private Result read(AskRun run, String sql, Verdict v, long t0) {
        SafetyPolicy policy = db.policy();
        boolean runtimeOnly = v.kind() == StatementKind.UNPARSEABLE;
        AskRun.Reservation r = run.reserve(policy.maxRows(), policy.maxBytes());
        if (r == null) {
            String reason = "the row or byte budget of this ask (" + policy.askMaxRows() + " rows, "
                    + policy.askMaxBytes() + " bytes) is used up; answer with the results you already have";
            return Result.same(refuse(run, sql, v, reason, t0));
        }
        ExecutionLimits timeLimited = limits(run);
        if (timeLimited == null) {
            run.release(r, 0, 0);
            return Result.same(refuse(run, sql, v, timeUsedUp(), t0));
        }
        ExecutionLimits limits = timeLimited.withMaxRows(r.rows()).withMaxBytes(r.bytes());
        QueryResult result;
        try {
            result = timed(run, () -> db.ops().read(sql, limits, run.cancellation()));
        } catch (DatabaseException e) {
            run.release(r, 0, 0);
            return failed(run, sql, v, e, t0, runtimeOnly ? "runtime-only" : null);
        } catch (CancelledException e) {
            run.release(r, 0, 0);
            return cancelled(run, sql, v, e, t0);
        }
        run.release(r, result.rowCount(), result.byteCount());
        Duration took = since(t0);
        audit(
                run,
                AuditEvent.builder(AuditEventType.QUERY_EXECUTED)
                        .sql(sql)
                        .verdict(v)
                        .outcome("executed")
                        .attribute("rows", result.rowCount())
                        .attribute("bytes", result.byteCount())
                        .attribute("truncation", result.truncation())
                        .attribute("ms", took.toMillis())
                        .attribute("guard", runtimeOnly ? "runtime-only" : null));
        QueryResult shown = db.redactor().redact(result);
        return new Result(StatementOutcome.executed(sql, v, result), StatementOutcome.executed(sql, v, shown));
    }

    private Result confirm(AskRun run, String sql, Verdict v, long t0, PendingSink pending) {
        SafetyPolicy policy = db.policy();
        if (policy.level() == PolicyLevel.READ_ONLY) {
            return Result.same(refuse(run, sql, v, "the policy is read-only; " + v.reason(), t0));
        }
        DryRun dry = DryRun.NOT_APPLICABLE;
        if (v.kind() == StatementKind.WRITE) {
            ExecutionLimits timeLimited = limits(run);
            if (timeLimited == null) {
                return Result.same(refuse(run, sql, v, timeUsedUp(), t0));
            }
            ExecutionLimits limits = timeLimited.withMaxRows(Math.min(policy.maxRows(), DRY_RUN_SAMPLE_ROWS));
            try {
                if (policy.estimateOnly(v.tables())) {
                    String plan = timed(run, () -> db.ops().explainJson(sql, limits, run.cancellation()));
                    dry = new DryRun(PlanEstimate.affectedRows(plan), null, null, true);
                } else {
                    WriteDryRun w = timed(run, () -> db.ops().dryRun(sql, limits, run.cancellation()));
                    dry = new DryRun(w.affectedRows(), w.returnedRows(), null);
                }
            } catch (DatabaseException e) {
                return failed(run, sql, v, e, t0, "dry-run");
            } catch (CancelledException e) {
                return cancelled(run, sql, v, e, t0);
            }
            if (dry.affectedRows() > policy.maxWriteRows()) {
                String reason = "the statement would change " + (dry.estimated() ? "about " : "")
                        + dry.affectedRows() + " rows, more than the " + policy.maxWriteRows()
                        + " rows a write may change; no rows were changed";
                return Result.same(refuse(run, sql, v, reason, t0));
            }
        }
        ConfirmationRequest request =
                new ConfirmationRequest(UUID.randomUUID().toString(), run.sessionId, sql, v, dry, Instant.now());
        audit(
                run,
                AuditEvent.builder(AuditEventType.CONFIRMATION_REQUESTED)
                        .sql(sql)
                        .verdict(v)
                        .outcome("requested")
                        .attribute("requestId", request.id())
                        .attribute("confirmation", request.kind())
                        .attribute("dryRunRows", dry.affectedRows()));
        events.emit(new AgentEvent.ConfirmationAsked(run.sessionId, run.askId, request));
        ConfirmationDecision decision = askPerson(run, request);
        if (decision.status() == ConfirmationDecision.Status.DEFERRED) {
            answered(run, request, decision);
            pending.deferred(request);
            StatementOutcome waiting = new StatementOutcome(
                    sql,
                    v,
                    StatementOutcome.Status.PENDING_CONFIRMATION,
                    null,
                    -1,
                    "waiting for a person's confirmation",
                    null,
                    since(t0));
            return Result.same(waiting);
        }
        return Result.same(decide(run, request, decision));
    }

    /** Records the answer, then applies or declines; used in an ask and on resume. */
    StatementOutcome decide(AskRun run, ConfirmationRequest request, ConfirmationDecision decision) {
        long t0 = System.nanoTime();
        answered(run, request, decision);
        String sql = request.sql();
        Verdict v = request.verdict();
        if (decision.status() != ConfirmationDecision.Status.APPROVED) {
            String why = "declined by " + decision.decidedBy()
                    + (decision.comment().isBlank() ? "" : ": " + decision.comment())
                    + "; no rows were changed";
            return new StatementOutcome(sql, v, StatementOutcome.Status.DECLINED, null, -1, why, null, since(t0));
        }
        if (request.kind() == ConfirmationKind.TYPED) {
            String typed = decision.typedText();
            if (typed == null || !typed.strip().equalsIgnoreCase(request.expectedTypedText())) {
                return refuse(
                        run,
                        sql,
                        v,
                        "the typed confirmation did not match '" + request.expectedTypedText()
                                + "'; no rows were changed",
                        t0);
            }
        }
        if (request.dryRun().affectedRows() > db.policy().maxWriteRows()) {
            return refuse(
                    run,
                    sql,
                    v,
                    "the statement would change " + request.dryRun().affectedRows() + " rows, more than the "
                            + db.policy().maxWriteRows() + " rows a write may change",
                    t0);
        }
        long expected = request.dryRun().failed() ? -1 : request.dryRun().affectedRows();
        try {
            ExecutionLimits limits = limits(run);
            if (limits == null) {
                return refuse(run, sql, v, timeUsedUp() + "; no rows were changed", t0);
            }
            long cap = db.policy().maxWriteRows();
            long n = request.dryRun().estimated()
                    ? timed(run, () -> db.ops().applyAtMost(sql, cap, limits, run.cancellation()))
                    : timed(run, () -> db.ops().apply(sql, expected, limits, run.cancellation()));
            Duration took = since(t0);
            audit(
                    run,
                    AuditEvent.builder(AuditEventType.QUERY_EXECUTED)
                            .sql(sql)
                            .verdict(v)
                            .outcome("applied")
                            .attribute("requestId", request.id())
                            .attribute("affectedRows", n)
                            .attribute("ms", took.toMillis()));
            return StatementOutcome.applied(sql, v, n, took);
        } catch (DatabaseException e) {
            return failed(run, sql, v, e, t0, "apply").real();
        } catch (CancelledException e) {
            return cancelled(run, sql, v, e, t0).real();
        }
    }

    /**
     * Decides a request on resume, possibly in another agent than the one that asked: an approved statement is first
     * validated again under the validator and policy in force, and refused if it no longer passes.
     */
    StatementOutcome decideOnResume(AskRun run, ConfirmationRequest request, ConfirmationDecision decision) {
        if (decision.status() != ConfirmationDecision.Status.APPROVED) {
            return decide(run, request, decision);
        }
        long t0 = System.nanoTime();
        Verdict now = validate(request.sql());
        String why = null;
        if (now.decision() == Decision.DENY) {
            why = "the statement is no longer allowed by the policy in force: " + now.reason();
        } else if (db.policy().level() == PolicyLevel.READ_ONLY && now.decision() != Decision.ALLOW) {
            why = "the policy in force is read-only; " + now.reason();
        }
        if (why != null) {
            answered(run, request, decision);
            return refuse(run, request.sql(), now, why + "; no rows were changed", t0);
        }
        ConfirmationRequest current = now.decision() == Decision.CONFIRM && !now.equals(request.verdict())
                ? new ConfirmationRequest(
                        request.id(), request.sessionId(), request.sql(), now, request.dryRun(), request.requestedAt())
                : request;
        return decide(run, current, decision);
    }

    private void answered(AskRun run, ConfirmationRequest request, ConfirmationDecision decision) {
        events.emit(new AgentEvent.ConfirmationAnswered(run.sessionId, run.askId, request, decision));
        audit(
                run,
                AuditEvent.builder(AuditEventType.CONFIRMATION_ANSWERED)
                        .sql(request.sql())
                        .verdict(request.verdict())
                        .outcome(decision.status().name().toLowerCase(Locale.ROOT))
                        .attribute("requestId", request.id())
                        .attribute("decidedBy", decision.decidedBy())
                        .attribute("comment", decision.comment().isBlank() ? null : decision.comment()));
    }

    private ConfirmationDecision askPerson(AskRun run, ConfirmationRequest request) {
        Duration timeout = db.policy().confirmationTimeout();
        run.humanWaits.incrementAndGet();
        long w0 = System.nanoTime();
        Future<ConfirmationDecision> f = executor.submit(() -> confirmationHandler.confirm(request));
        run.inflight.add(f);
        try {
            ConfirmationDecision d = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return d != null ? d : ConfirmationDecision.decline("handler", "the handler gave no decision");
        } catch (TimeoutException e) {
            f.cancel(true);
            return new ConfirmationDecision(
                    ConfirmationDecision.Status.DECLINED,
                    null,
                    "timeout",
                    "no answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            LOG.warn("Confirmation handler failed; the statement is declined: {}", String.valueOf(e.getCause()));
            return ConfirmationDecision.decline("handler-error", "the confirmation handler failed");
        } catch (CancellationException e) {
            throw new CancelledException("the ask was cancelled while waiting for a confirmation");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new CancelledException("interrupted while waiting for a confirmation");
        } finally {
            run.inflight.remove(f);
            run.extendDeadline(System.nanoTime() - w0);
            run.humanWaits.decrementAndGet();
        }
    }

    /**
     * Returns the policy's limits for one statement of {@code run}, its statement timeout cut to the database time
     * the ask has left (at least 1 ms); null when that time is used up.
     */
    private @Nullable ExecutionLimits limits(AskRun run) {
        SafetyPolicy policy = db.policy();
        Duration left = run.databaseTimeLeft(policy.askMaxTime());
        if (left == null) {
            return null;
        }
        ExecutionLimits limits = ExecutionLimits.from(policy);
        Duration cap = run.statementTimeoutCap;
        if (cap != null && cap.compareTo(limits.statementTimeout()) < 0) {
            limits = limits.withStatementTimeout(cap);
        }
        if (left.compareTo(limits.statementTimeout()) < 0) {
            limits = limits.withStatementTimeout(Duration.ofMillis(Math.max(1, left.toMillis())));
        }
        return limits;
    }

    private String timeUsedUp() {
        return "the database time budget of this ask ("
                + db.policy().askMaxTime().toMillis() + " ms) is used"
                + " up; answer with the results you already have";
    }

    /** Runs one database call, counting its time against the ask's database time. */
    private static <T> T timed(AskRun run, Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } finally {
            run.addDatabaseTime(System.nanoTime() - start);
        }
    }

    private StatementOutcome refuse(AskRun run, String sql, Verdict v, String reason, long t0) {
        audit(
                run,
                AuditEvent.builder(AuditEventType.QUERY_REFUSED)
                        .sql(sql)
                        .verdict(v)
                        .outcome("refused")
                        .attribute("reason", reason));
        return new StatementOutcome(sql, v, StatementOutcome.Status.REFUSED, null, -1, reason, null, since(t0));
    }

    private Result failed(AskRun run, String sql, Verdict v, DatabaseException e, long t0, @Nullable String phase) {
        if (e instanceof DeniedDataException denied) {
            // the validator allowed the text; PostgreSQL's plan showed it reaches denied data (a view, a partition)
            return Result.same(refuse(run, sql, v, denied.reason(), t0));
        }
        String state = e.sqlState().orElse(null);
        String message = String.valueOf(e.getMessage());
        Duration took = since(t0);
        boolean timedOut = STATEMENT_TIMEOUT_SQLSTATE.equals(state) && !run.isCancelled();
        if (STATEMENT_TIMEOUT_SQLSTATE.equals(state) && run.isCancelled()) {
            auditFailed(run, sql, v, "cancelled", state, message, took, phase);
            throw new CancelledException("the ask was cancelled");
        }
        auditFailed(run, sql, v, timedOut ? "timeout" : "failed", state, message, took, phase);
        if (timedOut) {
            // PostgreSQL says "canceling statement due to statement timeout"; say it timed out, and after how long
            message = "the statement timed out after " + took.toMillis() + " ms (its statement_timeout) and was "
                    + "cancelled on the server; " + message;
        }
        StatementOutcome.Status status = timedOut ? StatementOutcome.Status.CANCELLED : StatementOutcome.Status.FAILED;
        StatementOutcome real = new StatementOutcome(sql, v, status, null, -1, message, state, took);
        StatementOutcome shown =
                new StatementOutcome(sql, v, status, null, -1, db.redactor().redactText(message), state, took);
        return new Result(real, shown);
    }

    private Result cancelled(AskRun run, String sql, Verdict v, CancelledException e, long t0) {
        Duration took = since(t0);
        auditFailed(run, sql, v, "cancelled", null, String.valueOf(e.getMessage()), took, null);
        if (run.isCancelled() || Thread.currentThread().isInterrupted()) {
            throw e;
        }
        return Result.same(
                new StatementOutcome(sql, v, StatementOutcome.Status.CANCELLED, null, -1, e.getMessage(), null, took));
    }

    private void auditFailed(
            AskRun run,
            String sql,
            Verdict v,
            String outcome,
            @Nullable String sqlState,
            String message,
            Duration took,
            @Nullable String phase) {
        audit(
                run,
                AuditEvent.builder(AuditEventType.QUERY_FAILED)
                        .sql(sql)
                        .verdict(v)
                        .outcome(outcome)
                        .attribute("sqlState", sqlState)
                        .attribute("error", PgAgentException.abbreviate(message, 500))
                        .attribute("phase", phase)
                        .attribute("ms", took.toMillis()));
    }

    /** Records an event for {@code run}, naming this guard's database. */
    void audit(AskRun run, AuditEvent.Builder event) {
        audit.record(run, event.attribute("database", auditName));
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
