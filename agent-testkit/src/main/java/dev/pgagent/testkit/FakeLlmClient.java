package dev.pgagent.testkit;

import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.UserMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A scripted {@link LlmClient}: each call to {@link #chat(ChatRequest)} takes the next enqueued turn, like
 * {@code MockWebServer.enqueue}. A turn is either a fixed {@link ChatResponse} or a function of the request (to
 * answer from what the model was shown, to block, or to throw). Every request received is recorded, in order.
 * Thread-safe: concurrent calls take distinct turns.
 *
 * <p>When a call arrives and the script is empty, {@link #chat(ChatRequest)} throws {@link IllegalStateException}
 * naming the call's number and the last message of the request, so a test sees at once that the code under test
 * called the model more often than scripted.
 *
 * <pre>{@code
 * FakeLlmClient llm = FakeLlmClient.create()
 *     .enqueue(LlmResponses.toolCall("execute_query", "{\"sql\":\"select 1\"}"))
 *     .enqueue(request -> LlmResponses.text("The tool said: " + LlmResponses.lastToolResult(request)));
 * }</pre>
 */
public final class FakeLlmClient implements LlmClient {
    private final Deque<Function<ChatRequest, ChatResponse>> script = new ArrayDeque<>();
    private final List<ChatRequest> requests = new ArrayList<>();
    private @Nullable Function<ChatRequest, ChatResponse> otherwise;

    private FakeLlmClient() {}

    /** Returns a client with an empty script. */
    public static FakeLlmClient create() {
        return new FakeLlmClient();
    }

    /** Appends a fixed response to the script and returns this client. */
    public FakeLlmClient enqueue(ChatResponse response) {
        Objects.requireNonNull(response, "response == null");
        return enqueue(request -> response);
    }

    /**
     * Appends a turn computed from the request and returns this client. The function may block (it runs on the
     * caller's thread) or throw, for example an {@link dev.pgagent.api.LlmException}.
     */
    public FakeLlmClient enqueue(Function<ChatRequest, ChatResponse> turn) {
        Objects.requireNonNull(turn, "turn == null");
        synchronized (this) {
            script.addLast(turn);
        }
        return this;
    }

    /** Appends a turn that throws {@code failure} and returns this client. */
    public FakeLlmClient enqueueFailure(RuntimeException failure) {
        Objects.requireNonNull(failure, "failure == null");
        return enqueue(request -> {
            throw failure;
        });
    }

    /**
     * Sets the turn taken whenever the script is empty, and returns this client. Useful when several sessions share
     * one client and take turns in any order: the function then decides from the request (for example, answer when
     * the request ends with a tool result, else call a tool). Default: none, so an empty script fails.
     */
    public FakeLlmClient otherwise(Function<ChatRequest, ChatResponse> turn) {
        Objects.requireNonNull(turn, "turn == null");
        synchronized (this) {
            this.otherwise = turn;
        }
        return this;
    }

    /**
     * Takes the next turn of the script, or the {@linkplain #otherwise fallback} when it is empty.
     *
     * @throws IllegalStateException if the script is empty and there is no fallback
     */
    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request == null");
        Function<ChatRequest, ChatResponse> turn;
        int number;
        synchronized (this) {
            requests.add(request);
            number = requests.size();
            turn = script.pollFirst();
            if (turn == null) {
                turn = otherwise;
            }
        }
        if (turn == null) {
            throw new IllegalStateException("FakeLlmClient script is exhausted: call #" + number
                    + " has no enqueued response; its last message was " + describe(last(request)));
        }
        ChatResponse response = turn.apply(request);
        if (response == null) {
            throw new IllegalStateException("FakeLlmClient turn for call #" + number + " returned null");
        }
        return response;
    }

    /** Returns a copy of every request received so far, oldest first. */
    public synchronized List<ChatRequest> requests() {
        return List.copyOf(requests);
    }

    /** Returns the number of requests received so far. */
    public synchronized int requestCount() {
        return requests.size();
    }

    /**
     * Returns the {@code index}-th request received (0-based).
     *
     * @throws IllegalStateException if fewer requests were received
     */
    public synchronized ChatRequest request(int index) {
        if (index < 0 || index >= requests.size()) {
            throw new IllegalStateException(
                    "index must be in [0, " + requests.size() + ") but was " + index + " (requests received)");
        }
        return requests.get(index);
    }

    /** Returns how many enqueued turns have not been used yet. */
    public synchronized int remaining() {
        return script.size();
    }

    private static ChatMessage last(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        return messages.isEmpty() ? new UserMessage("") : messages.get(messages.size() - 1);
    }

    private static String describe(ChatMessage m) {
        String text;
        if (m instanceof dev.pgagent.api.llm.SystemMessage s) {
            text = "system: " + s.text();
        } else if (m instanceof UserMessage u) {
            text = "user: " + u.text();
        } else if (m instanceof dev.pgagent.api.llm.AssistantMessage a) {
            text = "assistant: " + a.text() + " " + a.toolCalls();
        } else {
            dev.pgagent.api.llm.ToolResultMessage t = (dev.pgagent.api.llm.ToolResultMessage) m;
            text = "tool " + t.toolName() + ": " + t.content();
        }
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    @Override
    public synchronized String toString() {
        return "FakeLlmClient{received=" + requests.size() + ", remaining=" + script.size() + '}';
    }
}
