package dev.pgagent.llm.openai;

import static dev.pgagent.llm.openai.MockOpenAi.KEY;
import static dev.pgagent.llm.openai.MockOpenAi.ask;
import static dev.pgagent.llm.openai.MockOpenAi.client;
import static dev.pgagent.llm.openai.MockOpenAi.error;
import static dev.pgagent.llm.openai.MockOpenAi.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.LlmException;
import dev.pgagent.api.LlmException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiErrorMappingTest {
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

    private final MockWebServer server = new MockWebServer();
    private final MockOpenAi.RecordingSleeper sleeper = new MockOpenAi.RecordingSleeper();
    private OpenAiLlmClient client;

    @BeforeEach
    void start() throws Exception {
        server.start();
        client = client(server, sleeper)
                .retries(false)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private LlmException failure(MockResponse response) {
        server.enqueue(response);
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> client.chat(ask("q")));
        assertThat(t).isInstanceOf(LlmException.class);
        return (LlmException) t;
    }

    @ParameterizedTest(name = "HTTP {0} -> {1}, retryable={2}")
    @CsvSource({
        "400, BAD_REQUEST, false",
        "413, BAD_REQUEST, false",
        "422, BAD_REQUEST, false",
        "401, AUTHENTICATION, false",
        "403, AUTHENTICATION, false",
        "404, NOT_FOUND, false",
        "408, TIMEOUT, true",
        "409, CONFLICT, true",
        "429, RATE_LIMITED, true",
        "500, SERVER_ERROR, true",
        "502, SERVER_ERROR, true",
        "503, SERVER_ERROR, true",
        "504, SERVER_ERROR, true",
        "529, SERVER_ERROR, true",
        "418, OTHER, false"
    })
    void mapsEachStatusToAReasonAndRetryability(int status, Reason reason, boolean retryable) {
        // OkHttp itself repeats a request once after a 408 (without Retry-After); give it the same answer twice.
        int sent = status == 408 ? 2 : 1;
        if (sent == 2) {
            server.enqueue(error(status, "provider says " + status));
        }
        LlmException e = failure(error(status, "provider says " + status));

        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.isRetryable()).isEqualTo(retryable);
        assertThat(e.statusCode()).hasValue(status);
        assertThat(e.getMessage()).contains("HTTP " + status).contains("provider says " + status);
        assertThat(server.getRequestCount()).isEqualTo(sent);
    }

    @Test
    void saysUnknownModelOrEndpointOn404() {
        LlmException e = failure(error(404, "The model `gpt-9` does not exist or you do not have access to it."));

        assertThat(e.getMessage())
                .contains("unknown model or endpoint")
                .contains("The model `gpt-9` does not exist")
                .contains("/v1/chat/completions");
    }

    @Test
    void truncatesALongProviderMessage() {
        LlmException e = failure(error(400, "x".repeat(5000)));

        assertThat(e.getMessage()).hasSizeLessThan(600).contains("xxx...");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"error\":\"model 'llama9' not found\"}",
                "{\"object\":\"error\",\"message\":\"model 'llama9' not found\",\"type\":\"NotFoundError\",\"code\":404}",
                "model 'llama9' not found"
            })
    void readsTheMessageFromOllamaVllmAndPlainTextErrorBodies(String body) {
        LlmException e = failure(json(404, body));

        assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
        assertThat(e.getMessage()).contains("model 'llama9' not found");
    }

    @Test
    void treatsExhaustedQuotaAsRateLimitedButNotRetryable() {
        LlmException e = failure(json(
                429,
                "{\"error\":{\"message\":\"You exceeded your current quota.\","
                        + "\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}"));

        assertThat(e.reason()).isEqualTo(Reason.RATE_LIMITED);
        assertThat(e.isRetryable()).isFalse();
    }

    @Test
    void readsRetryAfterInSeconds() {
        LlmException e = failure(error(429, "slow down").setHeader("Retry-After", "7"));

        assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(7));
    }

    @Test
    void readsRetryAfterAsAnHttpDate() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.ofInstant(NOW.plusSeconds(20), ZoneOffset.UTC));

        LlmException e = failure(error(503, "busy").setHeader("Retry-After", date));

        assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(20));
    }

    @Test
    void prefersRetryAfterMsOverRetryAfter() {
        LlmException e = failure(
                error(429, "slow down").setHeader("retry-after-ms", "1500").setHeader("Retry-After", "2"));

        assertThat(e.retryAfter()).hasValue(Duration.ofMillis(1500));
    }

    @Test
    void hasNoRetryAfterWhenTheHeaderIsMissingOrGarbage() {
        assertThat(failure(error(429, "a")).retryAfter()).isEmpty();
        assertThat(failure(error(429, "b").setHeader("Retry-After", "soon")).retryAfter())
                .isEmpty();
    }

    @Test
    void neverPutsTheKeyInTheMessageEvenWhenTheProviderEchoesIt() {
        LlmException e = failure(error(
                401,
                "Incorrect API key provided: " + KEY + ". You can find your API key at "
                        + "https://platform.openai.com/account/api-keys."));

        assertThat(e.getMessage())
                .doesNotContain(KEY)
                .doesNotContain("TESTSECRET")
                .contains("Incorrect API key");
        assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION);
    }

    @Test
    void masksPartlyMaskedKeysThatProvidersEcho() {
        LlmException e = failure(error(401, "Incorrect API key provided: sk-proj-****************XYZ."));

        assertThat(e.getMessage()).doesNotContain("XYZ").contains("sk-****");
    }

    @Test
    void neverPutsTheAzureKeyInTheMessage() throws Exception {
        OpenAiLlmClient azure =
                client(server, sleeper).azure("2024-10-21").retries(false).build();
        server.enqueue(error(401, "Access denied due to invalid subscription key " + KEY));

        assertThatThrownBy(() -> azure.chat(ask("q")))
                .isInstanceOf(LlmException.class)
                .message()
                .doesNotContain(KEY)
                .doesNotContain("api-version");
    }
}
