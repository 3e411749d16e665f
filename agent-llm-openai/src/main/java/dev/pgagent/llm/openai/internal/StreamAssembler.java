package dev.pgagent.llm.openai.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.StreamListener;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Assembles a streamed chat completion ({@code chat.completion.chunk} events, then {@code [DONE]}) into a
 * {@link ChatResponse}, passing text to the listener as it arrives and each tool call once whole: a call is whole
 * when the next one starts or the choice finishes. Used by one call on one thread at a time.
 */
public final class StreamAssembler {
    private final StreamListener listener;
    private final String target;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder refusal = new StringBuilder();
    private final Map<Integer, Partial> calls = new TreeMap<>();
    private final List<ToolCall> done = new ArrayList<>();
    private @Nullable Integer open;
    private @Nullable String finish;
    private @Nullable String model;
    private TokenUsage usage = TokenUsage.ZERO;
    private boolean sawText;
    private boolean ended;

    private static final class Partial {
        @Nullable
        String id;

        @Nullable
        String name;

        final StringBuilder arguments = new StringBuilder();
    }

    /**
     * Creates an assembler.
     *
     * @param listener receives the reply as it arrives
     * @param target what was called, for messages
     */
    public StreamAssembler(StreamListener listener, String target) {
        this.listener = listener;
        this.target = target;
    }

    /**
     * Takes one event's data.
     *
     * @throws LlmException if the event is an error or cannot be read
     */
    public void onData(String data) {
        if (data.strip().equals("[DONE]")) {
            closeCalls();
            ended = true;
            return;
        }
        JsonNode root;
        try {
            root = ChatMapper.JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw ChatMapper.invalid("a stream event is not JSON: " + PgAgentException.abbreviate(data, 200), 200, e);
        }
        if (root == null || !root.isObject()) {
            throw ChatMapper.invalid(
                    "a stream event is not a JSON object: " + PgAgentException.abbreviate(data, 200), 200, null);
        }
        if (root.has("error")) {
            throw ErrorMapper.fromStreamError(root, target);
        }
        String m = ChatMapper.textOrNull(root.get("model"));
        if (m != null) {
            model = m;
        }
        if (root.path("usage").isObject()) {
            usage = ChatMapper.usage(root.path("usage"));
        }
        JsonNode choices = root.path("choices");
        if (!choices.isArray() || choices.isEmpty()) {
            return;
        }
        JsonNode choice = choices.get(0);
        JsonNode delta = choice.path("delta");
        String content = ChatMapper.textOrNull(delta.get("content"));
        if (content != null && !content.isEmpty()) {
            text.append(content);
            sawText = true;
            listener.onText(content);
        }
        String refused = ChatMapper.textOrNull(delta.get("refusal"));
        if (refused != null) {
            refusal.append(refused);
        }
        JsonNode toolCalls = delta.path("tool_calls");
        if (toolCalls.isArray()) {
            for (JsonNode tc : toolCalls) {
                int index =
                        tc.path("index").canConvertToInt() ? tc.path("index").asInt() : calls.size();
                if (open != null && open != index) {
                    closeCalls();
                }
                open = index;
                Partial p = calls.computeIfAbsent(index, i -> new Partial());
                String id = ChatMapper.textOrNull(tc.get("id"));
                if (id != null && !id.isEmpty()) {
                    p.id = id;
                }
                JsonNode fn = tc.path("function");
                String name = ChatMapper.textOrNull(fn.get("name"));
                if (name != null && !name.isEmpty()) {
                    p.name = name;
                }
                String args = ChatMapper.textOrNull(fn.get("arguments"));
                if (args != null) {
                    p.arguments.append(args);
                }
            }
        }
        String f = ChatMapper.textOrNull(choice.get("finish_reason"));
        if (f != null) {
            finish = f;
            closeCalls();
        }
    }

    /** Passes every call not yet passed on to the listener, in index order. */
    private void closeCalls() {
        for (Map.Entry<Integer, Partial> e : calls.entrySet()) {
            Partial p = e.getValue();
            if (p.name == null) {
                throw ChatMapper.invalid("streamed tool call " + e.getKey() + " has no function name", 200, null);
            }
            String id = p.id == null ? "call_" + e.getKey() : p.id;
            String args = p.arguments.length() == 0 ? "{}" : p.arguments.toString();
            ToolCall call = new ToolCall(id, p.name, args);
            done.add(call);
            listener.onToolCall(call);
        }
        calls.clear();
        open = null;
    }

    /** Returns whether any text reached the listener. */
    public boolean sawText() {
        return sawText;
    }

    /**
     * Returns the whole reply once the stream has ended.
     *
     * @throws LlmException ({@link LlmException.Reason#NETWORK}) if the stream ended before the choice finished
     */
    public ChatResponse finish() {
        if (!ended && finish == null) {
            throw ErrorMapper.truncated(target);
        }
        closeCalls();
        String t = text.length() > 0 ? text.toString() : refusal.length() > 0 ? refusal.toString() : null;
        FinishReason reason = ChatMapper.finishReason(finish);
        if (!done.isEmpty() && reason == FinishReason.STOP) {
            // Some compatible servers say "stop" after tool calls; the calls are what matters.
            reason = FinishReason.TOOL_CALLS;
        }
        return new ChatResponse(new AssistantMessage(t, done), reason, usage, model);
    }
}
