package dev.pgagent.core.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.jspecify.annotations.Nullable;

/**
 * An OpenAI-compatible model (MockWebServer, the real wire format) that answers by the question it is asked, so
 * that questions may run in any order and at once: a key found in the user's message picks the script. The first
 * turn of a question answers with its scripted tool call (or an error, or text without a query); the turn after a
 * tool result answers "Done.".
 */
final class QuestionModel extends Dispatcher implements AutoCloseable {
    static final int CALL_IN = 100;
    static final int CALL_OUT = 10;
    static final int ANSWER_IN = 50;
    static final int ANSWER_OUT = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Script(@Nullable String sql, @Nullable String database, int errorStatus, boolean gated) {}

    private final MockWebServer server = new MockWebServer();
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    private final List<String> userMessages = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final AtomicBoolean overlapped = new AtomicBoolean();

    QuestionModel() throws IOException {
        server.setDispatcher(this);
        server.start();
    }

    String baseUrl() {
        return server.url("/v1").toString();
    }

    /** A question containing {@code key} is answered by running {@code sql}. */
    QuestionModel runs(String key, String sql) {
        scripts.put(key, new Script(sql, null, 0, false));
        return this;
    }

    /** A question containing {@code key} is answered by running {@code sql} on the agent's database {@code db}. */
    QuestionModel runsOn(String key, String db, String sql) {
        scripts.put(key, new Script(sql, db, 0, false));
        return this;
    }

    /** A question containing {@code key} gets an HTTP error the client does not retry. */
    QuestionModel fails(String key) {
        scripts.put(key, new Script(null, null, 400, false));
        return this;
    }

    /** A question containing {@code key} is answered in words, without a query. */
    QuestionModel talks(String key) {
        scripts.put(key, new Script(null, null, 0, false));
        return this;
    }

    /**
     * Questions containing the keys run their SQL only once {@code parties} of them are being answered at the same
     * time (or after two minutes, and then {@link #overlapped()} is false).
     */
    QuestionModel gated(int parties, Map<String, String> keysToSql) {
        gate = new CountDownLatch(parties);
        keysToSql.forEach((k, sql) -> scripts.put(k, new Script(sql, null, 0, true)));
        return this;
    }

    boolean overlapped() {
        return overlapped.get();
    }

    /** Returns how often a question containing {@code key} was asked (first turns). */
    int asked(String key) {
        AtomicInteger n = asked.get(key);
        return n == null ? 0 : n.get();
    }

    List<String> userMessages() {
        return List.copyOf(userMessages);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        JsonNode body;
        try {
            body = JSON.readTree(request.getBody().readUtf8());
        } catch (IOException e) {
            return new MockResponse().setResponseCode(500);
        }
        JsonNode messages = body.get("messages");
        JsonNode last = messages.get(messages.size() - 1);
        if ("tool".equals(last.path("role").asText())) {
            return answer("Done.", ANSWER_IN, ANSWER_OUT);
        }
        String user = "";
        for (JsonNode m : messages) {
            if ("user".equals(m.path("role").asText())) {
                user = text(m.get("content"));
            }
        }
        userMessages.add(user);
        for (Map.Entry<String, Script> e : scripts.entrySet()) {
            if (!user.contains(e.getKey())) {
                continue;
            }
            asked.computeIfAbsent(e.getKey(), k -> new AtomicInteger()).incrementAndGet();
            Script s = e.getValue();
            if (s.gated()) {
                gate.countDown();
                if (gate.await(2, TimeUnit.MINUTES)) {
                    overlapped.set(true);
                }
            }
            if (s.errorStatus() != 0) {
                return new MockResponse()
                        .setResponseCode(s.errorStatus())
                        .setHeader("Content-Type", "application/json")
                        .setBody("{\"error\":{\"message\":\"scripted failure\",\"type\":\"invalid_request_error\"}}");
            }
            if (s.sql() == null) {
                return answer("I cannot answer that from the database.", ANSWER_IN, ANSWER_OUT);
            }
            return toolCall(s.sql(), s.database());
        }
        return new MockResponse()
                .setResponseCode(400)
                .setBody("{\"error\":{\"message\":\"no script for "
                        + user.replace("\"", "'").replace("\n", " ") + "\"}}");
    }

    private static String text(JsonNode content) {
        if (content == null) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        StringBuilder out = new StringBuilder();
        content.forEach(part -> out.append(part.path("text").asText("")));
        return out.toString();
    }

    private static MockResponse toolCall(String sql, @Nullable String database) {
        ObjectNode args = JSON.createObjectNode().put("sql", sql);
        if (database != null) {
            args.put("database", database);
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-call")
                .put("object", "chat.completion")
                .put("created", 1_700_000_000L)
                .put("model", "gpt-4o-mini-2024-07-18");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant").putNull("content");
        ObjectNode call = message.putArray("tool_calls").addObject();
        call.put("id", "call_1").put("type", "function");
        call.putObject("function").put("name", "execute_query").put("arguments", args.toString());
        choice.put("finish_reason", "tool_calls");
        body.putObject("usage")
                .put("prompt_tokens", CALL_IN)
                .put("completion_tokens", CALL_OUT)
                .put("total_tokens", CALL_IN + CALL_OUT);
        return json(body);
    }

    private static MockResponse answer(String text, int in, int out) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-answer")
                .put("object", "chat.completion")
                .put("created", 1_700_000_001L)
                .put("model", "gpt-4o-mini-2024-07-18");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text);
        choice.put("finish_reason", "stop");
        body.putObject("usage")
                .put("prompt_tokens", in)
                .put("completion_tokens", out)
                .put("total_tokens", in + out);
        return json(body);
    }

    private static MockResponse json(ObjectNode body) {
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body.toString());
    }

    @Override
    public void close() throws IOException {
        while (gate.getCount() > 0) {
            gate.countDown();
        }
        server.shutdown();
    }
}
