package dev.pgagent.core.internal;

import dev.pgagent.api.history.AskRecord;
import dev.pgagent.api.history.StatementRecord;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rebuilds a conversation from its recorded asks, as the session state a session is restored from: each answered
 * ask becomes a turn of the question, the call of {@code execute_query} with the statement the answer rests on (its
 * result rows are not kept; the tool result says so), and the answer.
 */
public final class Conversations {
    private Conversations() {}

    /** Returns the state of session {@code sessionId} after {@code asks}, oldest first. */
    public static SessionState state(String sessionId, List<AskRecord> asks, boolean severalDatabases) {
        List<List<ChatMessage>> turns = new ArrayList<>();
        for (AskRecord a : asks) {
            if (a.answer().isBlank()) {
                continue; // nothing the model said: cancelled, failed or still waiting
            }
            List<ChatMessage> turn = new ArrayList<>();
            turn.add(new UserMessage(a.question()));
            Optional<StatementRecord> last = a.finalStatement();
            if (last.isPresent()) {
                StatementRecord s = last.get();
                String args = "{\"sql\":" + json(s.sql())
                        + (severalDatabases ? ",\"database\":" + json(s.database()) : "") + "}";
                ToolCall call = new ToolCall("history-" + a.id(), "execute_query", args);
                turn.add(AssistantMessage.ofToolCalls(List.of(call)));
                String rows = s.rows() + (s.rows() == 1 ? " row" : " rows");
                turn.add(new ToolResultMessage(
                        call.id(),
                        call.name(),
                        "(" + rows + "; the rows of earlier questions"
                                + " are not kept: run the statement again if they are needed)",
                        false));
            }
            turn.add(AssistantMessage.of(a.answer()));
            turns.add(turn);
        }
        return new SessionState(sessionId, turns, null);
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
