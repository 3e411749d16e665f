package dev.pgagent.core.internal;

import dev.pgagent.api.llm.ChatMessage;
import java.util.List;

/** What an ask needs of the session it runs in: its id, its history, and a place to park an ask that waits. */
interface SessionHooks {
    /** Returns the session's id. */
    String id();

    /** Returns the messages of the kept past turns, oldest first. */
    List<ChatMessage> history();

    /** Keeps {@code turn} in the history (trimmed to the budget). */
    void remember(List<ChatMessage> turn);

    /** Parks {@code run}, which now waits for confirmations. */
    void park(AskRun run);

    /** Unparks {@code run} if it is the parked one. */
    void unpark(AskRun run);
}
