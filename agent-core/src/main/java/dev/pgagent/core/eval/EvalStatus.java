package dev.pgagent.core.eval;

/** How one question of an evaluation ended. */
public enum EvalStatus {
    /**
     * The answer's result equals the gold result (execution); or, in a context-only run, every gold table is in the
     * schema context.
     */
    CORRECT,
    /** The answer's result differs from the gold result; or, context-only, a gold table is missing from the context. */
    WRONG,
    /** The ask did not complete: the model call failed, a limit (steps, time, tokens) was reached, or it threw. */
    FAILED,
    /**
     * The ask completed without a read that ran: the safety layer refused the model's statements, or the model
     * answered without querying.
     */
    REFUSED,
    /**
     * The gold SQL could not be run (or, context-only, its tables could not be read); the question is left out of
     * the accuracy.
     */
    GOLD_ERROR
}
