package dev.pgagent.api.history;

import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.sql.StatementOutcome;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One statement of a recorded ask: its SQL, the safety verdict and what happened. No result rows.
 *
 * @param database the name of the database it was for
 * @param sql the statement
 * @param decision the validator's decision
 * @param kind the statement's classification
 * @param reason the verdict's reason
 * @param status what happened
 * @param rows the rows returned to the agent, or -1 when it returned none
 * @param affectedRows the rows a write changed, or -1
 * @param error why it did not run (a refusal's reason, the database's message), or null
 * @param sqlState the SQLSTATE of a database error, or null
 * @param elapsed how long it took
 */
public record StatementRecord(
        String database,
        String sql,
        Decision decision,
        StatementKind kind,
        String reason,
        StatementOutcome.Status status,
        long rows,
        long affectedRows,
        @Nullable String error,
        @Nullable String sqlState,
        Duration elapsed) {

    /** Validates the components. */
    public StatementRecord {
        Objects.requireNonNull(database, "database == null");
        Objects.requireNonNull(sql, "sql == null");
        Objects.requireNonNull(decision, "decision == null");
        Objects.requireNonNull(kind, "kind == null");
        Objects.requireNonNull(reason, "reason == null");
        Objects.requireNonNull(status, "status == null");
        Objects.requireNonNull(elapsed, "elapsed == null");
    }

    /** Returns the record of {@code outcome} on {@code database}. */
    public static StatementRecord of(String database, StatementOutcome outcome) {
        Objects.requireNonNull(outcome, "outcome == null");
        return new StatementRecord(
                database,
                outcome.sql(),
                outcome.verdict().decision(),
                outcome.verdict().kind(),
                outcome.verdict().reason(),
                outcome.status(),
                outcome.result() == null ? -1 : outcome.result().rowCount(),
                outcome.affectedRows(),
                outcome.error(),
                outcome.sqlState(),
                outcome.elapsed());
    }

    /** Returns whether it ran and returned rows. */
    public boolean returnedRows() {
        return status == StatementOutcome.Status.EXECUTED && rows >= 0;
    }
}
