package dev.pgagent.api.llm;

/** The author of a chat message. */
public enum Role {
    /** Instructions from the application. */
    SYSTEM,
    /** The person asking. */
    USER,
    /** The model. */
    ASSISTANT,
    /** The result of a tool call, sent back to the model. */
    TOOL
}
