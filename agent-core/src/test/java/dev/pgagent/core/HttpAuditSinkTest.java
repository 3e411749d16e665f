package dev.pgagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.api.audit.AuditChain;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP audit sink against a real HTTP server: batches, retries, giving up, a full queue. */
class HttpAuditSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private MockWebServer server;
    private final List<HttpAuditSink> sinks = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        sinks.forEach(HttpAuditSink::close);
        server.shutdown();
    }

    private HttpAuditSink sink(HttpAuditSink.Builder b) {
        HttpAuditSink s = b.endpoint(server.url("/audit").uri())
                .backoff(Duration.ZERO, Duration.ofMillis(5))
                .build();
        sinks.add(s);
        return s;
    }

    private static AuditEvent event(int i) {
        return AuditEvent.builder(AuditEventType.QUERY_EXECUTED)
                .sql("SELECT " + i)
                .outcome("executed")
                .attribute("database", "shop")
                .attribute("ms", i)
                .build();
    }

    private static List<String> lines(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.toString()));
        return out;
    }

    @Test
    void aBatchAnswered5xxIsSentAgainAndItsChainVerifies() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(503));
        server.enqueue(new MockResponse().setResponseCode(200));
        server.enqueue(new MockResponse().setResponseCode(204));
        HttpAuditSink s = sink(HttpAuditSink.builder()
                .header("Authorization", "Bearer sk-secret-token")
                .awaitDelivery(true));

        s.record(event(1));
        s.record(event(2));

        RecordedRequest first = server.takeRequest(60, TimeUnit.SECONDS);
        RecordedRequest second = server.takeRequest(60, TimeUnit.SECONDS);
        RecordedRequest third = server.takeRequest(60, TimeUnit.SECONDS);
        assertThat(first.getMethod()).isEqualTo("POST");
        assertThat(first.getHeader("Content-Type")).startsWith("application/json");
        assertThat(first.getHeader("Authorization")).isEqualTo("Bearer sk-secret-token");
        assertThat(second.getBody().readUtf8()).isEqualTo(first.getBody().readUtf8());
        assertThat(s.retries()).isEqualTo(1);
        assertThat(s.delivered()).isEqualTo(2);
        assertThat(s.givenUp()).isZero();
        assertThat(s.toString()).contains("Authorization").doesNotContain("sk-secret");
        assertThat(third.getPath()).isEqualTo("/audit");
    }

    @Test
    void theEventsOfSeveralBatchesFormOneChain() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse().setResponseCode(200));
        }
        HttpAuditSink s = sink(HttpAuditSink.builder().batchSize(2).awaitDelivery(true));
        // awaiting delivery, each record is its own batch unless threads share one
        for (int i = 0; i < 3; i++) {
            s.record(event(i));
        }
        AuditChain.Verifier verifier = AuditChain.verifier();
        int line = 0;
        for (int r = 0; r < 3; r++) {
            JsonNode array = JSON.readTree(
                    server.takeRequest(60, TimeUnit.SECONDS).getBody().readUtf8());
            for (String l : lines(array)) {
                verifier.acceptLine("element " + ++line, l);
            }
        }
        assertThat(verifier.result()).isEqualTo(new AuditChain.Verification(3, null, null));
    }

    @Test
    void aBatchIsGivenUpAfterTheLastAttemptAndCounted() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse().setResponseCode(500));
        }
        server.enqueue(new MockResponse().setResponseCode(400));
        HttpAuditSink s = sink(HttpAuditSink.builder().maxAttempts(3));

        s.record(event(1));
        assertThat(s.flush(WAIT)).isTrue();
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(s.givenUp()).isEqualTo(1);
        assertThat(s.retries()).isEqualTo(2);

        HttpAuditSink strict = sink(HttpAuditSink.builder().maxAttempts(3).awaitDelivery(true));
        assertThatThrownBy(() -> strict.record(event(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HTTP 400");
        assertThat(server.getRequestCount()).isEqualTo(4);
        assertThat(strict.givenUp()).isEqualTo(1);
    }

    @Test
    void aFullQueueDropsAndCountsWhenNotAwaitingDelivery() throws Exception {
        // the server does not answer until released, so the sender holds its first batch
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                release.await(60, TimeUnit.SECONDS);
                return new MockResponse().setResponseCode(200);
            }
        });
        HttpAuditSink s = sink(HttpAuditSink.builder().queueCapacity(2).batchSize(1));
        for (int i = 0; i < 10; i++) {
            s.record(event(i));
        }
        assertThat(s.dropped()).isGreaterThanOrEqualTo(7);
        release.countDown();
        assertThat(s.flush(WAIT)).isTrue();
        assertThat(s.delivered() + s.dropped()).isEqualTo(10);
        s.close();
        assertThatThrownBy(() -> s.record(event(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void theBuilderRefusesBadValues() {
        HttpAuditSink.Builder b = HttpAuditSink.builder();
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("endpoint");
        assertThatThrownBy(() -> b.endpoint(URI.create("ftp://x/"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.queueCapacity(0)).hasMessage("queueCapacity must be >= 1 but was 0");
        assertThatThrownBy(() -> b.batchSize(0)).hasMessage("batchSize must be >= 1 but was 0");
        assertThatThrownBy(() -> b.maxAttempts(0)).hasMessage("maxAttempts must be >= 1 but was 0");
        assertThatThrownBy(() -> b.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.timeout(Duration.ZERO)).hasMessageContaining("timeout must be positive");
    }
}
