package dev.pgagent.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scripted model of {@link TwoNodeBenchmark}: a loopback HTTP server speaking OpenAI's chat-completions wire format
 * (non-streaming). Questions carry a tag: {@code [c7 t3]} is read turn 3 of conversation 7, answered by reading
 * {@code items} and repeating the word found ({@code [c7 t9/6]}: turn 9 after 6 read turns); {@code [c7 w2/6]} is write 2 of conversation 7 after 6 read turns, an
 * {@code UPDATE} of its counter ({@code +10}, {@code +1000}, {@code +100} for writes 1, 2, 3). On each new question it
 * checks that the request carries the conversation so far (the earlier questions, and the earlier answers of the read
 * turns) and records what is missing in {@link #problems()}.
 */
final class TwoNodeModel implements AutoCloseable {
    static final Pattern TAG = Pattern.compile("\\[c(\\d+) ([tw])(\\d+)(?:/(\\d+))?]");
    static final Pattern WORD = Pattern.compile("W\\d+T\\d+V\\d+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "twonode-model");
        t.setDaemon(true);
        return t;
    });
    private final Queue<String> problems = new ConcurrentLinkedQueue<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();

    TwoNodeModel() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** Returns the base URL for the OpenAI adapter. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Returns the history checks that failed, one line each. */
    List<String> problems() {
        return new ArrayList<>(problems);
    }

    long requests() {
        return requests.get();
    }

    /** The read statement of turn {@code turn} of conversation {@code conv}. */
    static String readSql(int conv, int turn) {
        return "SELECT word FROM items WHERE conv = " + conv + " AND turn = " + turn;
    }

    /** The write statement of write {@code write} (1, 2 or 3) of conversation {@code conv}. */
    static String writeSql(int conv, int write) {
        return "UPDATE counters SET n = n + " + increment(write) + " WHERE conv = " + conv;
    }

    static int increment(int write) {
        return switch (write) {
            case 1 -> 10;
            case 2 -> 1000;
            default -> 100;
        };
    }

    /** The answer of a read turn that found {@code word}. */
    static String readAnswer(int conv, int turn, String word) {
        return "Turn " + turn + " of c" + conv + ": the value is " + word + ".";
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String body;
        int status = 200;
        try (exchange) {
            try {
                JsonNode request = JSON.readTree(exchange.getRequestBody());
                body = respond(request.path("messages")).toString();
            } catch (RuntimeException e) {
                status = 400;
                problems.add("model: bad request: " + e);
                body = "{\"error\":{\"message\":\"bad request\",\"type\":\"invalid_request_error\"}}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private ObjectNode respond(JsonNode messages) {
        List<String> userTexts = new ArrayList<>();
        List<String> assistantTexts = new ArrayList<>();
        for (JsonNode m : messages) {
            String role = m.path("role").asText();
            if (role.equals("user")) {
                userTexts.add(text(m.path("content")));
            } else if (role.equals("assistant")) {
                assistantTexts.add(text(m.path("content")));
            }
        }
        if (userTexts.isEmpty()) {
            throw new IllegalArgumentException("no user message");
        }
        Matcher tag = TAG.matcher(userTexts.get(userTexts.size() - 1));
        if (!tag.find()) {
            throw new IllegalArgumentException("the last question has no tag");
        }
        int conv = Integer.parseInt(tag.group(1));
        boolean read = tag.group(2).equals("t");
        int step = Integer.parseInt(tag.group(3));
        JsonNode last = messages.get(messages.size() - 1);
        if (last.path("role").asText().equals("tool")) {
            String result = text(last.path("content"));
            if (read) {
                Matcher w = WORD.matcher(result);
                return answer(w.find() ? readAnswer(conv, step, w.group()) : "Turn " + step + ": no value found.");
            }
            String shown = result.length() > 80 ? result.substring(0, 80) : result;
            return answer("Write w" + step + " of c" + conv + " finished: " + shown.replace('\n', ' '));
        }
        int turns = tag.group(4) != null ? Integer.parseInt(tag.group(4)) : step;
        for (int j = 0; j < turns; j++) {
            String q = "[c" + conv + " t" + j + "]";
            if (userTexts.stream().noneMatch(u -> u.contains(q))) {
                problems.add(tag.group() + ": the request lacks the question of " + q);
            }
            String a = "Turn " + j + " of c" + conv + ": the value is W";
            if (assistantTexts.stream().noneMatch(u -> u.contains(a))) {
                problems.add(tag.group() + ": the request lacks the answer of " + q);
            }
        }
        if (!read) {
            for (int j = 1; j < step; j++) {
                String q = "[c" + conv + " w" + j + "/";
                if (userTexts.stream().noneMatch(u -> u.contains(q))) {
                    problems.add(tag.group() + ": the request lacks the question of w" + j);
                }
            }
        }
        return toolCall(read ? readSql(conv, step) : writeSql(conv, step));
    }

    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            sb.append(part.path("text").asText());
        }
        return sb.toString();
    }

    private ObjectNode answer(String text) {
        ObjectNode message = JSON.createObjectNode().put("role", "assistant").put("content", text);
        return completion(message, "stop");
    }

    private ObjectNode toolCall(String sql) {
        ObjectNode message = JSON.createObjectNode().put("role", "assistant").putNull("content");
        ArrayNode calls = message.putArray("tool_calls");
        ObjectNode call = calls.addObject()
                .put("id", "call_" + this.calls.incrementAndGet())
                .put("type", "function");
        call.putObject("function")
                .put("name", "execute_query")
                .put("arguments", JSON.createObjectNode().put("sql", sql).toString());
        return completion(message, "tool_calls");
    }

    private ObjectNode completion(ObjectNode message, String finish) {
        ObjectNode r = JSON.createObjectNode()
                .put("id", "chatcmpl-twonode-" + calls.incrementAndGet())
                .put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", "gpt-4o-mini");
        ObjectNode choice = r.putArray("choices").addObject().put("index", 0);
        choice.set("message", message);
        choice.put("finish_reason", finish);
        r.putObject("usage")
                .put("prompt_tokens", 900)
                .put("completion_tokens", 30)
                .put("total_tokens", 930);
        return r;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
