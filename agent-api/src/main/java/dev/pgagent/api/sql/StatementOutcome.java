package dev.pgagent.api.sql;

import dev.pgagent.api.safety.Verdict;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * What happened to one SQL statement the model (or a tool) asked to run: the safety verdict, and whether it ran,
 * was refused, failed, was cancelled, awaits a person's confirmation, or was declined by one.
 *
 * @param sql the statement as submitted
 * @param verdict the safety layer's decision
 * @param status what happened
 * @param result the rows for a statement that returned rows, else null
 * @param affectedRows rows changed by a write that ran, else -1
 * @param error the database's or the safety layer's message when it did not run, else null
 * @param sqlState the SQLSTATE of a database error, else null
 * @param elapsed the time spent, validation and execution included
 */
public record StatementOutcome(
        String sql,
        Verdict verdict,
        Status status,
        @Nullable QueryResult result,
        long affectedRows,
        @Nullable String error,
        @Nullable String sqlState,
        Duration elapsed) {

    /** What happened to a statement. */
    public enum Status {
        /** It ran (reads: rows in {@link #result()}; writes: {@link #affectedRows()}). */
        EXECUTED,
        /** The safety layer refused it; {@link #error()} holds the reason. */
        REFUSED,
        /** PostgreSQL returned an error; {@link #error()} and {@link #sqlState()} hold it. */
        FAILED,
        /** It was cancelled (the ask was cancelled, the thread interrupted, or statement_timeout hit). */
        CANCELLED,
        /** It needs a person's confirmation that is not yet given (non-blocking confirmation). */
        PENDING_CONFIRMATION,
        /** A person (or the absence of one) declined it; nothing changed. */
        DECLINED
    }

    /** Validates the components. */
    public StatementOutcome {
        Objects.requireNonNull(sql, "sql == null");
        Objects.requireNonNull(verdict, "verdict == null");
        Objects.requireNonNull(status, "status == null");
        Objects.requireNonNull(elapsed, "elapsed == null");
    }

    /** Returns an outcome for a read that ran. */
    public static StatementOutcome executed(String sql, Verdict verdict, QueryResult result) {
        return new StatementOutcome(sql, verdict, Status.EXECUTED, result, -1, null, null, result.elapsed());
    }

    /** Returns an outcome for a write that ran and changed {@code affectedRows} rows. */
    public static StatementOutcome applied(String sql, Verdict verdict, long affectedRows, Duration elapsed) {
        return new StatementOutcome(sql, verdict, Status.EXECUTED, null, affectedRows, null, null, elapsed);
    }

    /** Returns an outcome for a statement the safety layer refused. */
    public static StatementOutcome refused(String sql, Verdict verdict) {
        return new StatementOutcome(sql, verdict, Status.REFUSED, null, -1, verdict.reason(), null, Duration.ZERO);
    }

    /** Returns an outcome for a statement PostgreSQL rejected. */
    public static StatementOutcome failed(
            String sql, Verdict verdict, String error, @Nullable String sqlState, Duration elapsed) {
        return new StatementOutcome(sql, verdict, Status.FAILED, null, -1, error, sqlState, elapsed);
    }

    /** Returns whether the statement ran. */
    public boolean isExecuted() {
        return status == Status.EXECUTED;
    }

    /** Returns the result rows, if the statement returned any. */
    public Optional<QueryResult> resultTable() {
        return Optional.ofNullable(result);
    }

    /** Returns the number of rows a write changed, if it ran. */
    public OptionalLong affectedRowCount() {
        return affectedRows < 0 ? OptionalLong.empty() : OptionalLong.of(affectedRows);
    }
}
