package dev.pgagent.llm.openai;

import static dev.pgagent.llm.openai.MockOpenAi.KEY;
import static dev.pgagent.llm.openai.MockOpenAi.ask;
import static dev.pgagent.llm.openai.MockOpenAi.client;
import static dev.pgagent.llm.openai.MockOpenAi.error;
import static dev.pgagent.llm.openai.MockOpenAi.ok;
import static dev.pgagent.llm.openai.MockOpenAi.textCompletion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.llm.ChatResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiLlmClientTest {
    private final MockWebServer server = new MockWebServer();
    private final MockOpenAi.RecordingSleeper sleeper = new MockOpenAi.RecordingSleeper();

    @BeforeEach
    void start() throws Exception {
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    @Test
    void requiresAModel() {
        assertThatThrownBy(() -> OpenAiLlmClient.builder().apiKey(KEY).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model must be set but was null");
    }

    @Test
    void defaultsToOpenAisPublicApi() {
        OpenAiLlmClient client = OpenAiLlmClient.builder().model("gpt-4o-mini").build();

        assertThat(client.endpoint()).isEqualTo("https://api.openai.com/v1/chat/completions");
        assertThat(client.model()).isEqualTo("gpt-4o-mini");
        assertThat(client.httpClient().connectTimeoutMillis()).isEqualTo(10_000);
        assertThat(client.httpClient().readTimeoutMillis()).isEqualTo(120_000);
        assertThat(client.httpClient().callTimeoutMillis()).isEqualTo(180_000);
    }

    @Test
    void rejectsBadSettingsWithMessagesNamingTheRule() {
        OpenAiLlmClient.Builder b = OpenAiLlmClient.builder();

        assertThatThrownBy(() -> b.baseUrl("ftp://example.org"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("baseUrl must be an http or https URL but was ftp://example.org");
        assertThatThrownBy(() -> b.baseUrl("https://x.openai.azure.com/openai?api-version=1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.model(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxAttempts(0)).hasMessage("maxAttempts must be >= 1 but was 0");
        assertThatThrownBy(() -> b.backoffMultiplier(0.5)).hasMessage("backoffMultiplier must be >= 1 but was 0.5");
        assertThatThrownBy(() -> b.initialBackoff(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.readTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.header("bad header", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.model(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("model == null");
        assertThatThrownBy(() -> OpenAiLlmClient.builder()
                        .model("m")
                        .initialBackoff(Duration.ofSeconds(10))
                        .maxBackoff(Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsAKeyWithControlCharactersWithoutEchoingIt() {
        assertThatThrownBy(() -> OpenAiLlmClient.builder().apiKey(KEY + "\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain(KEY);
    }

    @Test
    void masksTheKeyInToStringOfBuilderAndClient() {
        OpenAiLlmClient.Builder builder =
                client(server, sleeper).organization("org-1").header("X-Secret-Token", "hidden-value");
        OpenAiLlmClient client = builder.build();

        assertThat(builder.toString())
                .contains("apiKey=****")
                .doesNotContain(KEY)
                .doesNotContain("hidden-value");
        assertThat(client.toString())
                .contains("apiKey=****")
                .contains("model=gpt-4o-mini")
                .contains("organization=org-1")
                .doesNotContain(KEY)
                .doesNotContain("TESTSECRET")
                .doesNotContain("hidden-value");
        assertThat(client.toBuilder().toString()).doesNotContain(KEY);
    }

    @Test
    void toBuilderKeepsTheSettings() throws Exception {
        OpenAiLlmClient original = client(server, sleeper).organization("org-9").build();
        OpenAiLlmClient copy = original.toBuilder().model("other-model").build();
        server.enqueue(ok(textCompletion("x")));

        copy.chat(ask("q"));

        RecordedRequest r = MockOpenAi.take(server);
        assertThat(MockOpenAi.body(r).get("model").asText()).isEqualTo("other-model");
        assertThat(r.getHeader("OpenAI-Organization")).isEqualTo("org-9");
        assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(original.model()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void usesTheHostsOkHttpClientSharingItsPoolAndInterceptors() {
        AtomicInteger intercepted = new AtomicInteger();
        OkHttpClient host = new OkHttpClient.Builder()
                .addInterceptor(chain -> {
                    intercepted.incrementAndGet();
                    return chain.proceed(chain.request());
                })
                .readTimeout(Duration.ofSeconds(42))
                .build();
        OpenAiLlmClient client = client(server, sleeper)
                .httpClient(host)
                .connectTimeout(Duration.ofSeconds(3))
                .build();
        server.enqueue(ok(textCompletion("via host client")));

        assertThat(client.chat(ask("q")).message().text()).isEqualTo("via host client");
        assertThat(intercepted).hasValue(1);
        assertThat(client.httpClient().connectionPool()).isSameAs(host.connectionPool());
        assertThat(client.httpClient().readTimeoutMillis()).isEqualTo(42_000);
        assertThat(client.httpClient().connectTimeoutMillis()).isEqualTo(3_000);
        assertThat(client.httpClient().dispatcher()).isNotSameAs(host.dispatcher());
    }

    @Test
    void keepsTheKeyOutOfEveryExceptionMessageAndCause() {
        int[] statuses = {400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 503};
        OpenAiLlmClient client = client(server, sleeper).retries(false).build();
        List<Throwable> failures = new ArrayList<>();
        for (int status : statuses) {
            server.enqueue(error(status, "echo " + KEY + " and Bearer " + KEY));
            if (status == 408) {
                server.enqueue(error(status, "echo " + KEY)); // OkHttp repeats a 408 once by itself
            }
            failures.add(org.assertj.core.api.Assertions.catchThrowable(() -> client.chat(ask("q"))));
        }
        server.enqueue(ok("not json " + KEY));
        failures.add(org.assertj.core.api.Assertions.catchThrowable(() -> client.chat(ask("q"))));

        assertThat(failures).hasSize(statuses.length + 1).allSatisfy(t -> {
            assertThat(t).isInstanceOf(LlmException.class);
            for (Throwable c = t; c != null; c = c.getCause()) {
                assertThat(String.valueOf(c.getMessage())).doesNotContain(KEY).doesNotContain("TESTSECRET");
            }
            assertThat(t.toString()).doesNotContain(KEY);
        });
    }

    @Test
    void logsCallsWithoutTheKey() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        OpenAiLlmClient client = client(server, sleeper).build();
        server.enqueue(error(401, "Incorrect API key provided: " + KEY));
        server.enqueue(error(503, "busy"));
        server.enqueue(ok(textCompletion("fine")));
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            org.assertj.core.api.Assertions.catchThrowable(() -> client.chat(ask("first")));
            client.chat(ask("second"));
        } finally {
            System.setErr(original);
        }

        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log)
                .contains("status=401")
                .contains("tokens in=42 out=7")
                .contains("Authorization: ****")
                .contains("\"content\":\"second\"")
                .doesNotContain(KEY)
                .doesNotContain("TESTSECRET");
    }

    @Test
    void servesManyThreadsWithOneClient() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    JsonNode body = MockOpenAi.JSON.readTree(request.getBody().readUtf8());
                    String question = body.get("messages").get(0).get("content").asText();
                    Thread.sleep(20);
                    return ok(textCompletion("answer to " + question));
                } catch (Exception e) {
                    return error(500, e.toString());
                }
            }
        });
        OpenAiLlmClient client = client(server, sleeper).build();
        int threads = 8;
        int callsPerThread = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        Set<String> answers = ConcurrentHashMap.newKeySet();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < callsPerThread; i++) {
                        String question = "q-" + thread + "-" + i;
                        ChatResponse r = client.chat(ask(question));
                        assertThat(r.message().text()).isEqualTo("answer to " + question);
                        answers.add(r.message().text());
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(answers).hasSize(threads * callsPerThread);
        assertThat(server.getRequestCount()).isEqualTo(threads * callsPerThread);
    }
}
