package dev.pgagent.core.internal;

import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.UserMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * A session's past turns, bounded by a token budget. A turn is the user's message and every message of the ask
 * that followed (assistant tool calls with their results, the final answer); turns are kept or dropped whole, oldest
 * first, so a tool call is never separated from its results. Not thread-safe: the session serialises access.
 */
final class History {
    private final Deque<Turn> turns = new ArrayDeque<>();
    private final int budget;
    private final TextTokenCounter counter;

    private record Turn(List<ChatMessage> messages, int tokens) {}

    History(int budget, TextTokenCounter counter) {
        this.budget = budget;
        this.counter = counter;
    }

    /** Adds a finished turn, then drops the oldest turns until the rest fits the budget. */
    void add(List<ChatMessage> turn) {
        if (turn.isEmpty()) {
            return;
        }
        turns.addLast(new Turn(List.copyOf(turn), tokens(turn, counter)));
        int total = 0;
        Iterator<Turn> newestFirst = turns.descendingIterator();
        int kept = 0;
        while (newestFirst.hasNext()) {
            Turn t = newestFirst.next();
            if (total + t.tokens() > budget) {
                break;
            }
            total += t.tokens();
            kept++;
        }
        while (turns.size() > kept) {
            turns.removeFirst();
        }
    }

    /** Returns the kept turns' messages, oldest first. */
    List<ChatMessage> messages() {
        List<ChatMessage> out = new ArrayList<>();
        for (Turn t : turns) {
            out.addAll(t.messages());
        }
        return out;
    }

    /** Returns the kept turns, oldest first, each as its messages. */
    List<List<ChatMessage>> turns() {
        List<List<ChatMessage>> out = new ArrayList<>();
        for (Turn t : turns) {
            out.add(t.messages());
        }
        return out;
    }

    /** Returns the number of turns kept. */
    int turnCount() {
        return turns.size();
    }

    /** Returns the tokens of the kept turns. */
    int tokens() {
        return turns.stream().mapToInt(Turn::tokens).sum();
    }

    static int tokens(List<ChatMessage> messages, TextTokenCounter counter) {
        int sum = 0;
        for (ChatMessage m : messages) {
            sum += tokens(m, counter);
        }
        return sum;
    }

    /** Returns the tokens of one message, with a small per-message overhead as chat formats add. */
    static int tokens(ChatMessage m, TextTokenCounter counter) {
        int n = 4;
        if (m instanceof SystemMessage s) {
            n += counter.count(s.text());
        } else if (m instanceof UserMessage u) {
            n += counter.count(u.text());
        } else if (m instanceof AssistantMessage a) {
            if (a.text() != null) {
                n += counter.count(a.text());
            }
            for (ToolCall c : a.toolCalls()) {
                n += 4 + counter.count(c.name()) + counter.count(c.arguments());
            }
        } else if (m instanceof ToolResultMessage t) {
            n += counter.count(t.content());
        }
        return n;
    }
}
