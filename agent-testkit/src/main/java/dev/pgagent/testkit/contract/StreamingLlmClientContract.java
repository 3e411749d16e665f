package dev.pgagent.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.LlmException.Reason;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.Capability;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ProviderInfo;
import dev.pgagent.api.llm.ResponseSchema;
import dev.pgagent.api.llm.StreamListener;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.llm.UserMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Proves that a provider adapter streams, answers with structured output, pairs tool results by id, maps every
 * error status, retries as the provider asks, and keeps its secret, the same way for every provider. It adds to
 * {@code LlmClientContract} (the plain-call contract) what streaming and structured output need; an adapter's test
 * extends both. Extend it in your test sources and render each {@link Reply} in your provider's real wire format on
 * a scripted server (OkHttp's {@code MockWebServer}): as server-sent events when the request asks for a stream, as
 * one JSON body otherwise. No real model is called and nothing depends on timing: waits are on events, with
 * {@link #bound()} as a safety limit only.
 *
 * <pre>{@code
 * class MyProviderStreamingContractTest extends StreamingLlmClientContract {
 *     MockWebServer server = new MockWebServer();   // its dispatcher takes the replies in order
 *
 *     @Override protected String secret() { return "sk-test-0123456789"; }
 *     @Override protected LlmClient client(int maxAttempts) { ... pointed at server, sleeping into waits ... }
 *     @Override protected void enqueue(Reply reply) { ... render it in the provider's format ... }
 *     @Override protected List<SentRequest> sent() { ... decode each recorded request body ... }
 *     @Override protected List<Duration> waits() { ... the delays the client waited between attempts ... }
 * }
 * }</pre>
 *
 * <p>What it checks:
 * <ul>
 *   <li>text arrives in the pieces the provider sent, in order, and the reply returned is their join, with the
 *       provider's usage; tool calls arrive whole (their argument fragments assembled), once each, in order;
 *   <li>the plain call understands the same replies (a text answer, one and several tool calls);
 *   <li>tool results go back paired with their calls by id;
 *   <li>a {@link ResponseSchema} is sent the provider's way, and the reply's JSON comes back as the text, valid or
 *       not (checking it is the caller's job);
 *   <li>every error status maps to its {@link Reason} and retryability on the streaming call as on the plain one;
 *       retryable failures are retried, waiting what {@code Retry-After} says;
 *   <li>a stream that ends before the provider's end event is an {@link LlmException}, never a partial reply, and
 *       is not retried once text reached the listener;
 *   <li>interrupting a caller whose stream stalled mid-reply ends it with {@link CancelledException}; an exception
 *       thrown by the listener ends the call with that exception;
 *   <li>the secret appears in no exception message and not in {@code toString()}; {@link LlmClient#info()} says
 *       the client streams.
 * </ul>
 */
@NullMarked
public abstract class StreamingLlmClientContract {
    /** Creates the suite. */
    protected StreamingLlmClientContract() {}

    /** What the scripted server answers to one request. */
    public sealed interface Reply {}

    /**
     * A text answer (stop reason: the model finished).
     *
     * @param chunks the pieces of text, one stream event each when streamed; joined when not
     * @param usage the token counts the provider reports
     */
    public record Text(List<String> chunks, TokenUsage usage) implements Reply {
        /** Copies the chunks. */
        public Text {
            chunks = List.copyOf(chunks);
        }
    }

    /**
     * Tool calls (stop reason: tool use). When streamed, each call's arguments must be sent in at least two
     * fragments.
     *
     * @param calls the calls, with ids, names and arguments (compact JSON objects) to send exactly
     * @param usage the token counts the provider reports
     */
    public record ToolCalls(List<ToolCall> calls, TokenUsage usage) implements Reply {
        /** Copies the calls. */
        public ToolCalls {
            calls = List.copyOf(calls);
        }
    }

    /**
     * A structured answer, sent the provider's way for the request's {@link ResponseSchema} (OpenAI: the content;
     * Anthropic: the input of the forced tool).
     *
     * @param json the answer, a compact JSON object
     */
    public record Structured(String json) implements Reply {}

    /**
     * An HTTP failure.
     *
     * @param status the status
     * @param message the message, in the provider's error format
     * @param retryAfterSeconds the {@code Retry-After} header's value, or null for none
     */
    public record Failure(
            int status, String message, @Nullable String retryAfterSeconds) implements Reply {}

    /**
     * A stream that breaks off: the text pieces, then the body ends without the provider's end event.
     *
     * @param chunks the pieces sent before the end
     */
    public record Truncated(List<String> chunks) implements Reply {
        /** Copies the chunks. */
        public Truncated {
            chunks = List.copyOf(chunks);
        }
    }

    /**
     * A stream that stalls: the text pieces, then nothing more until the client goes away.
     *
     * @param chunks the pieces sent before the stall
     */
    public record Stalled(List<String> chunks) implements Reply {
        /** Copies the chunks. */
        public Stalled {
            chunks = List.copyOf(chunks);
        }
    }

    /**
     * What a request the server received said, decoded from the provider's format.
     *
     * @param streamed whether it asked for a stream
     * @param toolCalls the tool calls of the assistant turns it echoed, in order
     * @param toolResults the tool results it sent, keyed by the id of the call each answers, in order
     * @param responseSchemaName the name under which it asked for structured output, or null
     */
    public record SentRequest(
            boolean streamed,
            List<ToolCall> toolCalls,
            Map<String, String> toolResults,
            @Nullable String responseSchemaName) {
        /** Copies the collections. */
        public SentRequest {
            toolCalls = List.copyOf(toolCalls);
            toolResults = Map.copyOf(toolResults);
        }
    }

    /** Returns the credential the clients are built with. */
    protected abstract String secret();

    /**
     * Returns a client with {@link #secret()}, pointed at the scripted server, making at most {@code maxAttempts}
     * attempts per call and recording its waits between them (see {@link #waits()}) instead of sleeping.
     */
    protected abstract LlmClient client(int maxAttempts);

    /**
     * Appends a reply to the server's script; requests take the replies in order. When the script is empty, the
     * server should repeat the last reply if it was a {@link Failure}: OkHttp itself repeats a 408, and a 503 with
     * {@code Retry-After: 0}, once.
     */
    protected abstract void enqueue(Reply reply);

    /** Returns the requests the server received so far, oldest first, decoded. */
    protected abstract List<SentRequest> sent();

    /** Returns the delays the clients waited between attempts so far, in order. */
    protected abstract List<Duration> waits();

    /** Returns the safety bound of the waits on events; default 30 s. */
    protected Duration bound() {
        return Duration.ofSeconds(30);
    }

    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
            + "\"orders\":{\"type\":\"integer\"}},\"required\":[\"city\",\"orders\"],\"additionalProperties\":false}";

    private static ChatRequest ask(String text) {
        return ChatRequest.builder()
                .addMessage(new SystemMessage("You answer questions about a shop's database."))
                .addMessage(new UserMessage(text))
                .build();
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

    private static ChatRequest askForSchema(String text) {
        return ask(text).toBuilder()
                .responseSchema(ResponseSchema.of("city_orders", SCHEMA))
                .build();
    }

    /** Records what a stream delivered. */
    private static final class Recorder implements StreamListener {
        final List<String> text = new CopyOnWriteArrayList<>();
        final List<ToolCall> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch first = new CountDownLatch(1);

        @Override
        public void onText(String delta) {
            text.add(delta);
            first.countDown();
        }

        @Override
        public void onToolCall(ToolCall call) {
            calls.add(call);
            first.countDown();
        }
    }

    @Test
    void streamsTextInThePiecesSentAndReturnsTheWholeReplyWithUsage() {
        enqueue(new Text(List.of("Forty", "-two orders", " were placed today."), new TokenUsage(1234, 56)));
        Recorder r = new Recorder();

        ChatResponse response = client(1).chat(ask("How many orders today?"), r);

        assertThat(r.text).containsExactly("Forty", "-two orders", " were placed today.");
        assertThat(r.calls).isEmpty();
        assertThat(response.message().text()).isEqualTo("Forty-two orders were placed today.");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.usage().inputTokens()).isEqualTo(1234);
        assertThat(response.usage().outputTokens()).isEqualTo(56);
        assertThat(sent())
                .singleElement()
                .satisfies(s -> assertThat(s.streamed()).isTrue());
    }

    @Test
    void streamsEachToolCallWholeOnceItsFragmentsArrived() {
        List<ToolCall> calls = List.of(
                new ToolCall("call_contract_1", "run_sql", "{\"sql\":\"SELECT count(*) FROM orders\"}"),
                new ToolCall("call_contract_2", "get_weather", "{\"city\":\"Zürich \\\"old town\\\"\"}"));
        enqueue(new ToolCalls(calls, new TokenUsage(300, 40)));
        Recorder r = new Recorder();

        ChatResponse response = client(1).chat(askWithTools("Count the orders, and the weather?"), r);

        assertThat(r.calls).containsExactlyElementsOf(calls);
        assertThat(response.message().toolCalls()).containsExactlyElementsOf(calls);
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(response.usage().inputTokens()).isEqualTo(300);
        assertThat(response.usage().outputTokens()).isEqualTo(40);
    }

    @Test
    void streamsOneToolCall() {
        ToolCall call = new ToolCall("call_contract_9", "run_sql", "{\"sql\":\"SELECT 1\"}");
        enqueue(new ToolCalls(List.of(call), new TokenUsage(10, 2)));

        ChatResponse response = client(1).chat(askWithTools("q"), new Recorder());

        assertThat(response.message().toolCalls()).containsExactly(call);
    }

    @Test
    void thePlainCallUnderstandsTheSameRepliesUnstreamed() {
        List<ToolCall> calls = List.of(
                new ToolCall("call_plain_1", "run_sql", "{\"sql\":\"SELECT 1\"}"),
                new ToolCall("call_plain_2", "get_weather", "{\"city\":\"Bern\"}"));
        enqueue(new Text(List.of("Plain ", "answer."), new TokenUsage(12, 3)));
        enqueue(new ToolCalls(calls.subList(0, 1), new TokenUsage(12, 3)));
        enqueue(new ToolCalls(calls, new TokenUsage(12, 3)));
        LlmClient client = client(1);

        ChatResponse text = client.chat(ask("q"));
        ChatResponse one = client.chat(askWithTools("q"));
        ChatResponse two = client.chat(askWithTools("q"));

        assertThat(text.message().text()).isEqualTo("Plain answer.");
        assertThat(text.usage().inputTokens()).isEqualTo(12);
        assertThat(one.message().toolCalls()).containsExactly(calls.get(0));
        assertThat(two.message().toolCalls()).containsExactlyElementsOf(calls);
        assertThat(two.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(sent()).extracting(SentRequest::streamed).containsOnly(false);
    }

    @Test
    void sendsToolResultsBackPairedWithTheirCallsById() {
        ToolCall a = new ToolCall("call_echo_a", "run_sql", "{\"sql\":\"SELECT 1\"}");
        ToolCall b = new ToolCall("call_echo_b", "get_weather", "{\"city\":\"Basel\"}");
        ChatRequest request = askWithTools("q").toBuilder()
                .addMessage(AssistantMessage.ofToolCalls(List.of(a, b)))
                .addMessage(new ToolResultMessage(a.id(), a.name(), "1 row: 1", false))
                .addMessage(new ToolResultMessage(b.id(), b.name(), "no such city", true))
                .build();
        enqueue(new Text(List.of("Done."), new TokenUsage(5, 1)));
        enqueue(new Text(List.of("Done."), new TokenUsage(5, 1)));

        client(1).chat(request);
        client(1).chat(request, new Recorder());

        assertThat(sent()).hasSize(2).allSatisfy(s -> {
            assertThat(s.toolCalls()).containsExactly(a, b);
            assertThat(s.toolResults())
                    .containsExactlyInAnyOrderEntriesOf(Map.of(a.id(), "1 row: 1", b.id(), "no such city"));
        });
    }

    @Test
    void asksForStructuredOutputAndReturnsTheJsonAsTheText() {
        String json = "{\"city\":\"Bern\",\"orders\":42}";
        enqueue(new Structured(json));
        enqueue(new Structured(json));
        Recorder r = new Recorder();

        ChatResponse plain = client(1).chat(askForSchema("Orders per city?"));
        ChatResponse streamed = client(1).chat(askForSchema("Orders per city?"), r);

        assertThat(plain.message().text()).isEqualTo(json);
        assertThat(plain.message().toolCalls()).isEmpty();
        assertThat(plain.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(streamed.message().text()).isEqualTo(json);
        assertThat(String.join("", r.text)).isEqualTo(json);
        assertThat(r.calls).isEmpty();
        assertThat(sent()).extracting(SentRequest::responseSchemaName).containsOnly("city_orders");
    }

    @Test
    void returnsStructuredOutputThatDoesNotMatchTheSchemaAsItIs() {
        String json = "{\"city\":\"Bern\"}";
        enqueue(new Structured(json));

        ChatResponse r = client(1).chat(askForSchema("Orders per city?"), new Recorder());

        assertThat(r.message().text()).isEqualTo(json);
    }

    private record StatusCase(int status, Reason reason, boolean retryable) {}

    private static final List<StatusCase> STATUSES = List.of(
            new StatusCase(400, Reason.BAD_REQUEST, false),
            new StatusCase(401, Reason.AUTHENTICATION, false),
            new StatusCase(403, Reason.AUTHENTICATION, false),
            new StatusCase(404, Reason.NOT_FOUND, false),
            new StatusCase(408, Reason.TIMEOUT, true),
            new StatusCase(409, Reason.CONFLICT, true),
            new StatusCase(413, Reason.BAD_REQUEST, false),
            new StatusCase(422, Reason.BAD_REQUEST, false),
            new StatusCase(429, Reason.RATE_LIMITED, true),
            new StatusCase(500, Reason.SERVER_ERROR, true),
            new StatusCase(502, Reason.SERVER_ERROR, true),
            new StatusCase(503, Reason.SERVER_ERROR, true),
            new StatusCase(504, Reason.SERVER_ERROR, true),
            new StatusCase(529, Reason.SERVER_ERROR, true));

    @TestFactory
    Stream<DynamicTest> mapsEveryErrorStatusOnBothCalls() {
        return STATUSES.stream()
                .flatMap(c -> Stream.of(true, false)
                        .map(streamed -> DynamicTest.dynamicTest(
                                "HTTP " + c.status() + (streamed ? " streamed" : " plain") + " is " + c.reason()
                                        + (c.retryable() ? ", retryable" : ", not retryable"),
                                () -> {
                                    enqueue(new Failure(c.status(), "contract failure " + c.status(), null));
                                    LlmClient client = client(1);
                                    Throwable thrown = catchThrowable(() -> {
                                        if (streamed) {
                                            client.chat(ask("q"), new Recorder());
                                        } else {
                                            client.chat(ask("q"));
                                        }
                                    });

                                    assertThat(thrown).isInstanceOf(LlmException.class);
                                    LlmException e = (LlmException) thrown;
                                    assertThat(e.reason()).isEqualTo(c.reason());
                                    assertThat(e.isRetryable()).isEqualTo(c.retryable());
                                    assertThat(e.statusCode()).hasValue(c.status());
                                    assertThat(e.getMessage()).contains("contract failure " + c.status());
                                })));
    }

    @Test
    void retriesARateLimitWaitingWhatRetryAfterSays() {
        enqueue(new Failure(429, "slow down", "2"));
        enqueue(new Failure(529, "overloaded", "1"));
        enqueue(new Text(List.of("At last."), new TokenUsage(3, 2)));
        Recorder r = new Recorder();

        ChatResponse response = client(3).chat(ask("q"), r);

        assertThat(response.message().text()).isEqualTo("At last.");
        assertThat(r.text).containsExactly("At last.");
        assertThat(waits()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(1));
        assertThat(sent()).hasSize(3);
    }

    @Test
    void givesUpAfterTheLastAttemptSayingSo() {
        enqueue(new Failure(500, "down", "0"));
        enqueue(new Failure(500, "down", "0"));

        Throwable thrown = catchThrowable(() -> client(2).chat(ask("q")));

        assertThat(thrown).isInstanceOf(LlmException.class).hasMessageContaining("2 attempts");
        assertThat(((LlmException) thrown).reason()).isEqualTo(Reason.SERVER_ERROR);
        assertThat(sent()).hasSize(2);
    }

    @Test
    void aStreamThatBreaksOffIsAFailureAndIsNotRetriedOnceTextArrived() {
        enqueue(new Truncated(List.of("The answer is", " partly")));
        enqueue(new Text(List.of("never asked for"), TokenUsage.ZERO));
        Recorder r = new Recorder();

        Throwable thrown = catchThrowable(() -> client(3).chat(ask("q"), r));

        assertThat(thrown).isInstanceOf(LlmException.class);
        assertThat(((LlmException) thrown).reason()).isIn(Reason.NETWORK, Reason.INVALID_RESPONSE);
        assertThat(r.text).containsExactly("The answer is", " partly");
        assertThat(sent()).hasSize(1);
    }

    @Test
    void aStreamThatBreaksOffBeforeAnyTextIsRetried() {
        enqueue(new Truncated(List.of()));
        enqueue(new Text(List.of("Second time lucky."), new TokenUsage(1, 1)));

        ChatResponse response = client(3).chat(ask("q"), new Recorder());

        assertThat(response.message().text()).isEqualTo("Second time lucky.");
        assertThat(sent()).hasSize(2);
    }

    @Test
    void interruptingACallerWhoseStreamStalledMidReplyEndsItWithCancelledException() throws InterruptedException {
        enqueue(new Stalled(List.of("Thinking about", " it")));
        LlmClient client = client(1);
        Recorder r = new Recorder();
        AtomicReference<@Nullable Throwable> thrown = new AtomicReference<>();
        AtomicReference<@Nullable ChatResponse> returned = new AtomicReference<>();
        Thread caller = new Thread(
                () -> {
                    try {
                        returned.set(client.chat(ask("a question whose answer stalls"), r));
                    } catch (Throwable e) {
                        thrown.set(e);
                    }
                },
                "pgagent-contract-stalled-stream");
        caller.setDaemon(true);
        caller.start();

        assertThat(r.first.await(bound().toMillis(), TimeUnit.MILLISECONDS))
                .as("text arrived")
                .isTrue();
        caller.interrupt();
        caller.join(bound().toMillis());

        assertThat(caller.isAlive()).as("the interrupted caller finished").isFalse();
        assertThat(returned.get()).isNull();
        assertThat(thrown.get()).isInstanceOf(CancelledException.class);
        assertThat(r.text.get(0)).isEqualTo("Thinking about");
    }

    @Test
    void anExceptionThrownByTheListenerEndsTheCallWithIt() {
        enqueue(new Text(List.of("one", "two", "three"), TokenUsage.ZERO));
        IllegalStateException boom = new IllegalStateException("listener failed");
        List<String> seen = new ArrayList<>();

        Throwable thrown = catchThrowable(() -> client(3).chat(ask("q"), delta -> {
            seen.add(delta);
            throw boom;
        }));

        assertThat(thrown).isSameAs(boom);
        assertThat(seen).containsExactly("one");
        assertThat(sent()).hasSize(1);
    }

    @TestFactory
    Stream<DynamicTest> neverPutsTheSecretInAMessageOrToString() {
        return Stream.of(400, 401, 403, 429, 500, 529)
                .map(status ->
                        DynamicTest.dynamicTest("HTTP " + status + " whose message echoes the key, streamed", () -> {
                            enqueue(new Failure(
                                    status,
                                    "Invalid API key: " + secret() + " (x-api-key: " + secret()
                                            + "; Authorization: Bearer " + secret() + ")",
                                    null));
                            LlmClient client = client(1);
                            Throwable thrown = catchThrowable(() -> client.chat(ask("q"), new Recorder()));

                            assertThat(thrown).isInstanceOf(LlmException.class);
                            for (Throwable t = thrown; t != null; t = t.getCause()) {
                                assertThat(String.valueOf(t.getMessage())).doesNotContain(secret());
                            }
                            assertThat(client.toString()).doesNotContain(secret());
                            assertThat(client.info().toString()).doesNotContain(secret());
                        }));
    }

    @Test
    void saysItStreamsAndNamesItsProviderAndModel() {
        ProviderInfo info = client(1).info();

        assertThat(info.supports(Capability.STREAMING)).isTrue();
        assertThat(info.supports(Capability.TOOLS)).isTrue();
        assertThat(info.name()).isNotBlank().isNotEqualTo(ProviderInfo.UNKNOWN.name());
        assertThat(info.model()).isNotBlank();
        Objects.requireNonNull(info);
    }
}
