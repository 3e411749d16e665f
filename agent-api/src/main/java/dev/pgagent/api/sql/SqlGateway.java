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

    /**
     * Validates {@code sql} as a read the policy allows without confirmation, runs it under
     * {@code EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)} in a READ ONLY transaction that is rolled back, under the
     * statement timeout, and returns the plan with actual rows and times as a one-row, one-column result. This
     * default reports that the gateway cannot do it (a FAILED outcome) and runs nothing.
     *
     * @throws dev.pgagent.api.CancelledException if the ask was cancelled before or while it ran
     */
    @dev.pgagent.api.Experimental
    default StatementOutcome explainAnalyze(String sql) {
        return StatementOutcome.failed(
                sql, check(sql), "this gateway cannot run EXPLAIN ANALYZE", null, java.time.Duration.ZERO);
    }

    /** Returns the safety verdict for {@code sql} without running anything. */
    Verdict check(String sql);
}
