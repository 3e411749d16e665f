package dev.pgagent.api.llm;

/** Whether the model may, must or must not call tools in a turn. */
public enum ToolChoice {
    /** The model decides (the default). */
    AUTO,
    /** The model must not call tools. */
    NONE,
    /** The model must call at least one tool. */
    REQUIRED
}
