package dev.pgagent.api.llm;

/**
 * How hard a reasoning model thinks before it answers: OpenAI's {@code reasoning_effort}; for Anthropic, the budget
 * of extended thinking.
 */
public enum ReasoningEffort {
    /** As little as the model allows. */
    MINIMAL,
    /** A little. */
    LOW,
    /** The usual amount. */
    MEDIUM,
    /** A lot: slower and dearer, for hard questions. */
    HIGH
}
