package dev.pgagent.api;

import java.util.Objects;

/** Reports that a run hit one of its limits: steps, tool calls, time, tokens, rows or bytes. */
public class AgentLimitExceededException extends PgAgentException {
    private static final long serialVersionUID = 1L;

    /** The limit that was reached. */
    public enum Limit {
        /** The maximum number of model turns in one ask. */
        STEPS,
        /** The maximum number of tool calls in one step. */
        TOOL_CALLS,
        /** The whole-ask timeout. */
        TIME,
        /** The token budget of one ask. */
        TOKENS,
        /** A row limit. */
        ROWS,
        /** A byte limit. */
        BYTES
    }

    private final Limit limit;

    /** Creates an exception for the given limit. */
    public AgentLimitExceededException(Limit limit, String message) {
        super(message);
        this.limit = Objects.requireNonNull(limit, "limit == null");
    }

    /** Returns which limit was reached. */
    public Limit limit() {
        return limit;
    }
}
