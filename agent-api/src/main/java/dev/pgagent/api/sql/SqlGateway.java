package dev.pgagent.api.sql;

import dev.pgagent.api.safety.Verdict;

/**
 * Runs SQL for a tool under the agent's safety layer: every statement is validated, confirmed where the policy asks,
 * run under the runtime guards (READ ONLY transaction for reads, timeouts, row and byte caps), redacted where the
 * policy asks, and audited. Refusals and database errors are returned as outcomes, not thrown, so a tool can report
 * them to the model. Implementations are safe for concurrent use.
 */
public interface SqlGateway {
    /**
     * Validates and runs one statement.
     *
     * @throws dev.pgagent.api.CancelledException if the ask was cancelled before or while it ran
     */
    StatementOutcome execute(String sql);

    /**
     * Validates {@code sql} as a statement the policy allows without confirmation and returns the plan PostgreSQL
     * estimates for it ({@code EXPLAIN (FORMAT JSON)}, never ANALYZE) as a one-row, one-column result.
     */
    StatementOutcome explain(String sql);

    /** Returns the safety verdict for {@code sql} without running anything. */
    Verdict check(String sql);
}
