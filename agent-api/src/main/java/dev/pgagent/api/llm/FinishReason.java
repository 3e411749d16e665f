package dev.pgagent.api.llm;

/** Why the model stopped writing. */
public enum FinishReason {
    /** The model finished its answer. */
    STOP,
    /** The model stopped to have tools run. */
    TOOL_CALLS,
    /** The output token limit cut the answer. */
    LENGTH,
    /** The provider's content filter withheld or cut the answer. */
    CONTENT_FILTER,
    /** Any other or a missing reason. */
    OTHER
}
