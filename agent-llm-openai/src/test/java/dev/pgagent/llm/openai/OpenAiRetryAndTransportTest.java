package dev.pgagent.llm.openai;

import static dev.pgagent.llm.openai.MockOpenAi.ask;
import static dev.pgagent.llm.openai.MockOpenAi.client;
import static dev.pgagent.llm.openai.MockOpenAi.error;
import static dev.pgagent.llm.openai.MockOpenAi.ok;
import static dev.pgagent.llm.openai.MockOpenAi.take;
import static dev.pgagent.llm.openai.MockOpenAi.textCompletion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.LlmException.Reason;
import dev.pgagent.api.llm.ChatResponse;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class OpenAiRetryAndTransportTest {
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
    void retriesRetryableFailuresThenSucceeds() {
        server.enqueue(error(503, "overloaded"));
        server.enqueue(error(429, "slow down"));
        server.enqueue(ok(textCompletion("done")));

        ChatResponse r = client(server, sleeper).build().chat(ask("q"));

        assertThat(r.message().text()).isEqualTo("done");
        assertThat(server.getRequestCount()).isEqualTo(3);
        // jitter fixed at 0.5: each delay is 3/4 of 500 ms * 2^(n-1)
        assertThat(sleeper.delays).containsExactly(Duration.ofMillis(375), Duration.ofMillis(750));
    }

    @Test
    void givesUpAfterThreeAttemptsByDefault() {
        for (int i = 0; i < 5; i++) {
            server.enqueue(error(500, "boom " + i));
        }

        assertThatThrownBy(() -> client(server, sleeper).build().chat(ask("q")))
                .isInstanceOfSatisfying(LlmException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.SERVER_ERROR);
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.statusCode()).hasValue(500);
                })
                .hasMessageContaining("boom 2")
                .hasMessageContaining("gave up after 3 attempts");
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(sleeper.delays).hasSize(2);
    }

    @Test
    void doesNotRetryAnAuthenticationFailure() {
        server.enqueue(error(401, "bad key"));
        server.enqueue(ok(textCompletion("never")));

        assertThatThrownBy(() -> client(server, sleeper).build().chat(ask("q")))
                .isInstanceOfSatisfying(
                        LlmException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION))
                .message()
                .doesNotContain("gave up");
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(sleeper.delays).isEmpty();
    }

    @Test
    void doesNotRetryWhenRetriesAreOff() {
        server.enqueue(error(503, "busy"));
        server.enqueue(ok(textCompletion("never")));

        assertThatThrownBy(() -> client(server, sleeper).retries(false).build().chat(ask("q")))
                .isInstanceOf(LlmException.class);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void doesNotRetryWithMaxAttemptsOne() {
        server.enqueue(error(429, "slow down"));
        server.enqueue(ok(textCompletion("never")));

        assertThatThrownBy(() -> client(server, sleeper).maxAttempts(1).build().chat(ask("q")))
                .isInstanceOf(LlmException.class);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void followsConfiguredAttemptsBackoffAndCap() {
        for (int i = 0; i < 5; i++) {
            server.enqueue(error(502, "bad gateway"));
        }
        OpenAiLlmClient client = client(server, sleeper)
                .maxAttempts(5)
                .initialBackoff(Duration.ofMillis(100))
                .backoffMultiplier(3)
                .maxBackoff(Duration.ofMillis(1000))
                .jitter(() -> 0.999_999)
                .build();

        assertThatThrownBy(() -> client.chat(ask("q"))).isInstanceOf(LlmException.class);

        assertThat(server.getRequestCount()).isEqualTo(5);
        assertThat(sleeper.delays)
                .containsExactly(
                        Duration.ofMillis(100),
                        Duration.ofMillis(300),
                        Duration.ofMillis(900),
                        Duration.ofMillis(1000));
    }

    @Test
    void waitsAsLongAsRetryAfterAsksCappedByMaxBackoff() {
        server.enqueue(error(429, "slow down").setHeader("Retry-After", "2"));
        server.enqueue(error(429, "slow down").setHeader("Retry-After", "3600"));
        server.enqueue(ok(textCompletion("done")));

        client(server, sleeper).maxBackoff(Duration.ofSeconds(10)).build().chat(ask("q"));

        assertThat(sleeper.delays).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    @Test
    void resendsTheSameBodyOnRetry() throws Exception {
        server.enqueue(error(500, "boom"));
        server.enqueue(ok(textCompletion("done")));

        client(server, sleeper).build().chat(ask("the question"));

        String first = take(server).getBody().readUtf8();
        String second = take(server).getBody().readUtf8();
        assertThat(second).isEqualTo(first).contains("the question");
    }

    @Test
    void reportsAReadTimeoutAsRetryableTimeout() {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        OpenAiLlmClient client = client(server, sleeper)
                .retries(false)
                .readTimeout(Duration.ofMillis(300))
                .build();

        assertThatThrownBy(() -> client.chat(ask("q"))).isInstanceOfSatisfying(LlmException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.statusCode()).isEmpty();
            assertThat(e.getCause()).isNotNull();
        });
    }

    @Test
    void reportsACallTimeoutAsRetryableTimeout() {
        server.enqueue(ok(textCompletion("late")).setBodyDelay(2, TimeUnit.SECONDS));
        OpenAiLlmClient client = client(server, sleeper)
                .retries(false)
                .callTimeout(Duration.ofMillis(300))
                .build();

        assertThatThrownBy(() -> client.chat(ask("q")))
                .isInstanceOfSatisfying(
                        LlmException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
    }

    @Test
    void retriesATimeoutAndThenSucceeds() {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        server.enqueue(ok(textCompletion("second time lucky")));
        OpenAiLlmClient client =
                client(server, sleeper).readTimeout(Duration.ofMillis(300)).build();

        assertThat(client.chat(ask("q")).message().text()).isEqualTo("second time lucky");
        assertThat(sleeper.delays).hasSize(1);
    }

    @Test
    void reportsARefusedConnectionAsRetryableNetworkError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        OpenAiLlmClient client = OpenAiLlmClient.builder()
                .baseUrl("http://127.0.0.1:" + port + "/v1")
                .model("m")
                .retries(false)
                .build();

        assertThatThrownBy(() -> client.chat(ask("q"))).isInstanceOfSatisfying(LlmException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.NETWORK);
            assertThat(e.isRetryable()).isTrue();
        });
    }

    @Test
    void reportsADroppedConnectionAsNetworkError() {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));
        OpenAiLlmClient client = client(server, sleeper).retries(false).build();

        assertThatThrownBy(() -> client.chat(ask("q"))).isInstanceOfSatisfying(LlmException.class, e -> {
            assertThat(e.reason()).isIn(Reason.NETWORK, Reason.TIMEOUT);
            assertThat(e.isRetryable()).isTrue();
        });
    }

    @Test
    @Timeout(10)
    void interruptingTheCallerCancelsTheCallWithCancelledException() throws Exception {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        OpenAiLlmClient client = client(server, sleeper).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CompletableFuture<Boolean> interruptFlag = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                client.chat(ask("q"));
            } catch (RuntimeException e) {
                thrown.set(e);
            }
            interruptFlag.complete(Thread.currentThread().isInterrupted());
        });
        caller.start();
        take(server); // the request is in flight

        long start = System.nanoTime();
        caller.interrupt();
        caller.join(60_000);

        assertThat(caller.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(thrown.get()).isInstanceOf(CancelledException.class);
        assertThat(interruptFlag.get()).isTrue();
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void anInterruptWhileWaitingToRetryCancels() {
        server.enqueue(error(503, "busy"));
        server.enqueue(ok(textCompletion("never")));
        OpenAiLlmClient client = client(server, sleeper)
                .sleeper(d -> {
                    throw new InterruptedException();
                })
                .build();

        assertThatThrownBy(() -> client.chat(ask("q"))).isInstanceOf(CancelledException.class);
        assertThat(Thread.interrupted()).isTrue(); // the flag is restored (and cleared here)
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void anAlreadyInterruptedThreadDoesNotCall() {
        OpenAiLlmClient client = client(server, sleeper).build();
        Thread.currentThread().interrupt();

        assertThatThrownBy(() -> client.chat(ask("q"))).isInstanceOf(CancelledException.class);
        assertThat(Thread.interrupted()).isTrue();
        assertThat(server.getRequestCount()).isZero();
    }
}
