package dev.pgagent.api.llm;

/** One message of a conversation. The permitted kinds are closed; switch over them exhaustively. */
public sealed interface ChatMessage permits SystemMessage, UserMessage, AssistantMessage, ToolResultMessage {
    /** Returns who wrote this message. */
    Role role();
}
