package dev.pgagent.llm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.UserMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/** Shared fixtures: a key, canned Chat Completions bodies, and a client pointed at a MockWebServer. */
final class MockOpenAi {
    static final String KEY = "sk-proj-TESTSECRET0123456789abcdefXYZ";
    static final ObjectMapper JSON = new ObjectMapper();

    private MockOpenAi() {}

    /** A sleeper that records the delays instead of waiting. */
    static final class RecordingSleeper implements dev.pgagent.api.llm.RetryPolicy.Sleeper {
        final List<Duration> delays = new CopyOnWriteArrayList<>();

        @Override
        public void sleep(Duration duration) {
            delays.add(duration);
        }
    }

    static OpenAiLlmClient.Builder client(MockWebServer server, RecordingSleeper sleeper) {
        return OpenAiLlmClient.builder()
                .baseUrl(server.url("/v1").toString())
                .apiKey(KEY)
                .model("gpt-4o-mini")
                .sleeper(sleeper)
                .jitter(() -> 0.5);
    }

    static ChatRequest ask(String text) {
        return ChatRequest.builder().addMessage(new UserMessage(text)).build();
    }

    static String completion(String message, String finishReason) {
        return """
                {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18",
                 "choices":[{"index":0,"message":%s,"logprobs":null,"finish_reason":%s}],
                 "usage":{"prompt_tokens":42,"completion_tokens":7,"total_tokens":49}}
                """.formatted(message, finishReason == null ? "null" : "\"" + finishReason + "\"");
    }

    static String textCompletion(String text) {
        return completion("{\"role\":\"assistant\",\"content\":" + quote(text) + ",\"refusal\":null}", "stop");
    }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MockResponse json(int status, String body) {
        return new MockResponse()
                .setResponseCode(status)
                .setHeader("Content-Type", "application/json")
                .setBody(body);
    }

    static MockResponse ok(String body) {
        return json(200, body);
    }

    static MockResponse error(int status, String message) {
        return json(
                status,
                "{\"error\":{\"message\":" + quote(message)
                        + ",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
    }

    static RecordedRequest take(MockWebServer server) throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no request arrived");
        }
        return r;
    }

    static JsonNode body(RecordedRequest r) throws IOException {
        return JSON.readTree(r.getBody().readUtf8());
    }
}
