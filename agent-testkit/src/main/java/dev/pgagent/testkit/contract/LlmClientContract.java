package dev.pgagent.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.LlmException.Reason;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.llm.UserMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Proves that an {@link LlmClient} keeps the contract pgagent relies on. Extend it in your test sources and wire each
 * hook to a client whose server is scripted (OkHttp's {@code MockWebServer} speaking your provider's wire format, for
 * example); no real model is ever called. Start and stop the server in your own {@code @BeforeEach} and
 * {@code @AfterEach}.
 *
 * <pre>{@code
 * class MyLlmClientContractTest extends LlmClientContract {
 *     MockWebServer server = new MockWebServer();
 *
 *     @AfterEach void stop() throws IOException { server.shutdown(); }
 *
 *     @Override protected String secret() { return "test-key-0123456789"; }
 *
 *     @Override protected LlmClient clientAnsweringText(String text, TokenUsage usage) {
 *         server.setDispatcher(answerWith(myWireFormatReply(text, usage)));
 *         return MyLlmClient.builder().baseUrl(server.url("/").toString()).apiKey(secret()).build();
 *     }
 *     // ... the other hooks
 * }
 * }</pre>
 *
 * <p>What it checks, each from the Javadoc of {@link LlmClient}, {@link LlmException} and the response types:
 * <ul>
 *   <li>a text reply, tool calls (ids, names and arguments verbatim) and the provider's token usage are returned;
 *   <li>HTTP failures become {@link LlmException} with the {@link Reason} and {@link LlmException#isRetryable()} its
 *       Javadoc gives: 400/404/422 and 401/403 (authentication) are not retryable, 429 and 5xx are; the status code
 *       is reported; a dropped connection is a retryable {@code NETWORK} (or {@code TIMEOUT}) failure and a reply that
 *       cannot be understood a non-retryable {@code INVALID_RESPONSE};
 *   <li>a caller whose call has stalled returns with {@link CancelledException} when its thread is interrupted. The
 *       check waits on events (the server saw the request, the caller finished), not on timing; the only time is a
 *       safety bound, {@link #cancellationBound()}, which must stay below the client's own timeouts;
 *   <li>calls from several threads at once each get their own reply;
 *   <li>the secret the client is configured with never appears in an exception's message (its causes included), not
 *       even when the provider echoes it, nor in the client's {@code toString()}.
 * </ul>
 */
public abstract class LlmClientContract {
    /** Creates the suite. */
    protected LlmClientContract() {}

    /** Returns the credential (API key) the clients of this test are built with. */
    protected abstract String secret();

    /**
     * Returns a client whose server answers every call with the assistant text {@code text}, a normal stop, and the
     * token counts of {@code usage}.
     */
    protected abstract LlmClient clientAnsweringText(String text, TokenUsage usage);

    /**
     * Returns a client whose server answers every call with {@code calls} (ids, names, and arguments written exactly
     * as given) and a stop to have tools run.
     */
    protected abstract LlmClient clientAnsweringToolCalls(List<ToolCall> calls);

    /** Returns a client whose server answers each call with the text of the request's last user message. */
    protected abstract LlmClient clientEchoingTheLastUserMessage();

    /**
     * Returns a client whose server answers every call with HTTP status {@code status} and an error whose message,
     * in the provider's error format, is {@code message}. Retries may stay on (the server answers every attempt the
     * same way), but waits between attempts should be short.
     */
    protected abstract LlmClient clientFailingWith(int status, String message);

    /** Returns a client whose server closes each connection without answering. Waits between retries should be short. */
    protected abstract LlmClient clientWhoseServerDisconnects();

    /** Returns a client whose server answers with status 200 and a body that is not a reply of the provider's. */
    protected abstract LlmClient clientGettingAMalformedReply();

    /**
     * Returns a client whose server takes each request and never answers; {@code requestArrived} must run when a
     * request has arrived at the server. The client's timeouts must be longer than {@link #cancellationBound()}.
     */
    protected abstract LlmClient clientWhoseServerStalls(Runnable requestArrived);

    /**
     * Returns how long the suite waits for an interrupted caller to finish before it declares the client deaf to
     * interrupts: a safety bound, not a timing check (an interrupted call normally returns at once). Default: 30 s.
     */
    protected Duration cancellationBound() {
        return Duration.ofSeconds(30);
    }

    /** Returns how many threads call the client at once in the concurrency check; default: 8. */
    protected int threads() {
        return 8;
    }

    private static ChatRequest ask(String text) {
        return ChatRequest.builder().addMessage(new UserMessage(text)).build();
    }

    private static ChatRequest askWithTools(String text) {
        return ChatRequest.builder()
                .addMessage(new UserMessage(text))
                .addTool(new ToolSpec(
                        "run_sql",
                        "Runs one SQL statement.",
                        "{\"type\":\"object\",\"properties\":{\"sql\":{\"type\":\"string\"}},\"required\":[\"sql\"]}"))
                .addTool(new ToolSpec(
                        "get_weather",
                        "Returns the weather of a city.",
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"))
                .build();
    }

    @Test
    void returnsTheTextOfAReply() {
        ChatResponse r = clientAnsweringText("Forty-two orders were placed today.", new TokenUsage(31, 9))
                .chat(ask("How many orders were placed today?"));

        assertThat(r).isNotNull();
        assertThat(r.message().text()).isEqualTo("Forty-two orders were placed today.");
        assertThat(r.message().toolCalls()).isEmpty();
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void reportsTheProvidersTokenUsage() {
        ChatResponse r = clientAnsweringText("ok", new TokenUsage(1234, 56)).chat(ask("q"));

        assertThat(r.usage()).isEqualTo(new TokenUsage(1234, 56));
    }

    @Test
    void returnsToolCallsWithTheirIdsNamesAndArgumentsVerbatim() {
        List<ToolCall> calls = List.of(
                new ToolCall("call_contract_1", "run_sql", "{\"sql\":\"SELECT count(*) FROM orders\"}"),
                new ToolCall("call_contract_2", "get_weather", "{\"city\":\"Zürich \\\"old town\\\"\"}"));

        ChatResponse r = clientAnsweringToolCalls(calls).chat(askWithTools("Count the orders, and the weather?"));

        assertThat(r.message().toolCalls()).containsExactlyElementsOf(calls);
        assertThat(r.message().hasToolCalls()).isTrue();
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    private record StatusCase(int status, Reason reason, boolean retryable) {}

    private static final List<StatusCase> STATUSES = List.of(
            new StatusCase(400, Reason.BAD_REQUEST, false),
            new StatusCase(401, Reason.AUTHENTICATION, false),
            new StatusCase(403, Reason.AUTHENTICATION, false),
            new StatusCase(404, Reason.NOT_FOUND, false),
            new StatusCase(422, Reason.BAD_REQUEST, false),
            new StatusCase(429, Reason.RATE_LIMITED, true),
            new StatusCase(500, Reason.SERVER_ERROR, true),
            new StatusCase(502, Reason.SERVER_ERROR, true),
            new StatusCase(503, Reason.SERVER_ERROR, true));

    @TestFactory
    Stream<DynamicTest> mapsHttpFailuresToAReasonAndWhetherARetryMaySucceed() {
        return STATUSES.stream()
                .map(c -> DynamicTest.dynamicTest(
                        "HTTP " + c.status() + " is " + c.reason()
                                + (c.retryable() ? ", retryable" : ", not retryable"),
                        () -> {
                            LlmClient client = clientFailingWith(c.status(), "contract failure " + c.status());
                            Throwable thrown = catchThrowable(() -> client.chat(ask("q")));

                            assertThat(thrown).isInstanceOf(LlmException.class);
                            LlmException e = (LlmException) thrown;
                            assertThat(e.reason()).isEqualTo(c.reason());
                            assertThat(e.isRetryable()).isEqualTo(c.retryable());
                            assertThat(e.statusCode()).hasValue(c.status());
                            assertThat(e.getMessage()).isNotBlank();
                        }));
    }

    @Test
    void aDroppedConnectionIsARetryableNetworkFailure() {
        Throwable thrown = catchThrowable(() -> clientWhoseServerDisconnects().chat(ask("q")));

        assertThat(thrown).isInstanceOf(LlmException.class);
        LlmException e = (LlmException) thrown;
        assertThat(e.reason()).isIn(Reason.NETWORK, Reason.TIMEOUT);
        assertThat(e.isRetryable()).isTrue();
    }

    @Test
    void aReplyThatCannotBeUnderstoodIsANonRetryableInvalidResponse() {
        Throwable thrown = catchThrowable(() -> clientGettingAMalformedReply().chat(ask("q")));

        assertThat(thrown).isInstanceOf(LlmException.class);
        LlmException e = (LlmException) thrown;
        assertThat(e.reason()).isEqualTo(Reason.INVALID_RESPONSE);
        assertThat(e.isRetryable()).isFalse();
    }

    @Test
    void interruptingACallerWhoseCallStalledEndsItWithCancelledException() throws InterruptedException {
        CountDownLatch arrived = new CountDownLatch(1);
        LlmClient client = clientWhoseServerStalls(arrived::countDown);
        AtomicReference<@Nullable Throwable> thrown = new AtomicReference<>();
        AtomicReference<@Nullable ChatResponse> returned = new AtomicReference<>();
        Thread caller = new Thread(
                () -> {
                    try {
                        returned.set(client.chat(ask("a question the server never answers")));
                    } catch (Throwable e) {
                        thrown.set(e);
                    }
                },
                "pgagent-contract-stalled-caller");
        caller.setDaemon(true);
        caller.start();

        boolean inFlight = arrived.await(cancellationBound().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(inFlight).as("the server received the request").isTrue();
        caller.interrupt();
        caller.join(cancellationBound().toMillis());

        assertThat(caller.isAlive()).as("the interrupted caller finished").isFalse();
        assertThat(returned.get()).isNull();
        assertThat(thrown.get()).isInstanceOf(CancelledException.class);
    }

    @Test
    void callsFromSeveralThreadsAtOnceEachGetTheirOwnReply() throws InterruptedException {
        LlmClient client = clientEchoingTheLastUserMessage();
        int calls = 4;
        Concurrently.run(threads(), cancellationBound(), t -> {
            for (int c = 0; c < calls; c++) {
                String question = "thread " + t + " call " + c;
                ChatResponse r = client.chat(ask(question));
                assertThat(r.message().text()).isEqualTo(question);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> neverPutsTheSecretInAnException() {
        List<Integer> statuses = List.of(400, 401, 403, 404, 429, 500);
        return statuses.stream()
                .map(status -> DynamicTest.dynamicTest("HTTP " + status + " whose message echoes the key", () -> {
                    String echo = "Incorrect API key provided: " + secret() + ". You can find your API key at"
                            + " the dashboard; Authorization: Bearer " + secret();
                    Throwable thrown =
                            catchThrowable(() -> clientFailingWith(status, echo).chat(ask("q")));

                    assertThat(thrown).isInstanceOf(LlmException.class);
                    assertNoSecret(thrown);
                }));
    }

    @Test
    void neverPutsTheSecretInAnExceptionOfADroppedConnectionOrABadReply() {
        assertNoSecret(catchThrowable(() -> clientWhoseServerDisconnects().chat(ask("q"))));
        assertNoSecret(catchThrowable(() -> clientGettingAMalformedReply().chat(ask("q"))));
    }

    @Test
    void toStringDoesNotShowTheSecret() {
        assertThat(clientAnsweringText("ok", TokenUsage.ZERO).toString()).doesNotContain(secret());
        assertThat(clientFailingWith(401, "no").toString()).doesNotContain(secret());
    }

    private void assertNoSecret(@Nullable Throwable thrown) {
        assertThat(thrown).isNotNull();
        List<Throwable> all = new ArrayList<>();
        collect(thrown, all, 0);
        for (Throwable t : all) {
            assertThat(String.valueOf(t.getMessage()))
                    .as("message of %s", t.getClass().getName())
                    .doesNotContain(secret());
            assertThat(t.toString()).doesNotContain(secret());
        }
    }

    private static void collect(@Nullable Throwable t, List<Throwable> into, int depth) {
        if (t == null || depth > 20 || into.contains(t)) {
            return;
        }
        into.add(t);
        collect(t.getCause(), into, depth + 1);
        for (Throwable s : t.getSuppressed()) {
            collect(s, into, depth + 1);
        }
    }
}
