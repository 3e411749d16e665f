package dev.pgagent.core.eval;

/** What an evaluation scores. */
public enum EvalMode {
    /** Execution accuracy: each question asked of the agent, the result of its last read compared with the gold. */
    EXECUTION,
    /** Schema-context recall: whether the context built for each question holds the gold tables; no model. */
    CONTEXT
}
