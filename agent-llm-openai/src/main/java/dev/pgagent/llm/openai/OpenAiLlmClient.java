package dev.pgagent.llm.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.llm.Capability;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.llm.ProviderInfo;
import dev.pgagent.api.llm.RetryPolicy;
import dev.pgagent.api.llm.SecretScrubber;
import dev.pgagent.api.llm.StreamListener;
import dev.pgagent.llm.openai.internal.ChatMapper;
import dev.pgagent.llm.openai.internal.ErrorMapper;
import dev.pgagent.llm.openai.internal.Exchange;
import dev.pgagent.llm.openai.internal.StreamAssembler;
import dev.pgagent.llm.openai.internal.WireRequest;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends chat turns to OpenAI's Chat Completions API ({@code POST {baseUrl}/chat/completions}) with tool calling, or
 * to any server that speaks it: Azure OpenAI, Ollama, vLLM, LM Studio, OpenRouter. Retryable failures (rate limits,
 * timeouts, server errors, network errors) are retried with exponential backoff and jitter, honouring the provider's
 * {@code Retry-After}. (OkHttp itself also repeats a request once after a stale pooled connection or an HTTP 408
 * without {@code Retry-After}; those repeats are not counted as attempts.) Immutable and safe for concurrent use;
 * build one and share it.
 *
 * <pre>{@code
 * // OpenAI
 * LlmClient openAi = OpenAiLlmClient.builder()
 *     .apiKey(System.getenv("OPENAI_API_KEY"))
 *     .model("gpt-4o-mini")
 *     .build();
 *
 * // A local Ollama server: no key needed
 * LlmClient ollama = OpenAiLlmClient.builder()
 *     .baseUrl("http://localhost:11434/v1")
 *     .model("qwen2.5:7b")
 *     .readTimeout(Duration.ofMinutes(5))
 *     .build();
 *
 * // Azure OpenAI: the deployment is part of the base URL
 * LlmClient azure = OpenAiLlmClient.builder()
 *     .baseUrl("https://my-resource.openai.azure.com/openai/deployments/my-gpt-4o")
 *     .azure("2024-10-21")
 *     .apiKey(System.getenv("AZURE_OPENAI_API_KEY"))
 *     .model("gpt-4o")
 *     .build();
 *
 * ChatResponse reply = openAi.chat(ChatRequest.builder()
 *     .addMessage(new UserMessage("How many customers are there?"))
 *     .build());
 * }</pre>
 *
 * <p>The API key never appears in a log line, an exception message or {@link #toString()}. Each call is logged at
 * DEBUG (status, latency, tokens); request and response bodies at TRACE, with credentials redacted.
 */
public final class OpenAiLlmClient implements LlmClient {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiLlmClient.class);
    private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");

    /** The default base URL: OpenAI's public API. */
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    private final Builder config;
    private final OkHttpClient http;
    private final HttpUrl endpoint;
    private final String target;
    private final Headers headers;
    private final RetryPolicy retry;
    private final SecretScrubber scrubber;
    private final RetryPolicy.Sleeper sleeper;
    private final DoubleSupplier jitter;
    private final Clock clock;
    private final boolean reasoning;
    private final ProviderInfo info;

    private OpenAiLlmClient(Builder b) {
        this.config = b.copy();
        this.endpoint = endpoint(b);
        this.target = endpoint.newBuilder()
                .query(null)
                .username("")
                .password("")
                .build()
                .toString();
        this.headers = headers(b);
        this.retry = b.retries ? b.retry.build() : RetryPolicy.NONE;
        this.scrubber = SecretScrubber.of(b.apiKey);
        this.sleeper = b.sleeper;
        this.jitter = b.jitter;
        this.clock = b.clock;
        String model = Objects.requireNonNull(b.model);
        this.reasoning = b.reasoningModel != null ? b.reasoningModel : ChatMapper.isReasoningModel(model);
        this.info = info(b, model, reasoning);
        this.http = httpClient(b);
    }

    private static ProviderInfo info(Builder b, String model, boolean reasoning) {
        Set<Capability> caps = EnumSet.of(Capability.TOOLS, Capability.STRUCTURED_OUTPUT);
        if (b.streaming) {
            caps.add(Capability.STREAMING);
        }
        if (!reasoning) {
            caps.add(Capability.PARALLEL_TOOL_CALLS);
        } else {
            caps.add(Capability.REASONING);
        }
        return ProviderInfo.builder(b.azureApiVersion != null ? "azure-openai" : "openai", model)
                .capabilities(b.capabilities != null ? b.capabilities : caps)
                .contextWindow(b.contextWindow >= 0 ? b.contextWindow : ChatMapper.contextWindow(model))
                .build();
    }

    /** Returns a new builder; {@link Builder#model(String)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder initialised with this client's settings. */
    public Builder toBuilder() {
        return config.copy();
    }

    /** Returns the model used when a request's options name none. */
    public String model() {
        return Objects.requireNonNull(config.model);
    }

    /** Returns the URL chat requests are sent to, without query parameters. */
    public String endpoint() {
        return target;
    }

    /** Returns the OkHttp client calls run on; for tests. */
    OkHttpClient httpClient() {
        return http;
    }

    /**
     * Returns {@code openai} (or {@code azure-openai}), the default model and its capabilities: tools, streaming,
     * structured output, and parallel tool calls except for reasoning models; the context window of known models.
     */
    @Override
    public ProviderInfo info() {
        return info;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request == null");
        WireRequest wire = wire(request);
        Request httpRequest = httpRequest(wire);
        return retry.execute(
                n -> {
                    try {
                        return attempt(httpRequest, wire.model(), n, retry.maxAttempts());
                    } catch (LlmException e) {
                        throw scrubber.scrub(e);
                    }
                },
                sleeper,
                jitter,
                this::beforeRetry);
    }

    /**
     * Streams the reply ({@code "stream": true} with the usage in a last chunk): text as it arrives, each tool call
     * once its argument fragments are whole. A failure before anything reached the listener is retried like
     * {@link #chat(ChatRequest)}; after that it is thrown, since a repeat would show the text twice. A stream that
     * ends before the reply is complete is a retryable {@link LlmException.Reason#NETWORK} failure. A server that
     * answers with a whole JSON reply instead of a stream is understood too. With {@link Builder#streaming(boolean)}
     * off, this makes a plain call and passes the whole reply on.
     */
    @Override
    public ChatResponse chat(ChatRequest request, StreamListener listener) {
        Objects.requireNonNull(request, "request == null");
        Objects.requireNonNull(listener, "listener == null");
        if (!config.streaming) {
            return LlmClient.super.chat(request, listener);
        }
        WireRequest wire = wire(request).streaming();
        Request httpRequest = httpRequest(wire)
                .newBuilder()
                .header("Accept", "text/event-stream")
                .build();
        AtomicBoolean delivered = new AtomicBoolean();
        StreamListener tracking = new StreamListener() {
            @Override
            public void onText(String delta) {
                delivered.set(true);
                listener.onText(delta);
            }

            @Override
            public void onToolCall(dev.pgagent.api.llm.ToolCall call) {
                delivered.set(true);
                listener.onToolCall(call);
            }
        };
        return retry.execute(
                n -> {
                    try {
                        return streamAttempt(httpRequest, wire.model(), n, tracking);
                    } catch (LlmException e) {
                        throw scrubber.scrub(e);
                    }
                },
                sleeper,
                jitter,
                (failed, max, e, delay) -> !delivered.get() && beforeRetry(failed, max, e, delay));
    }

    private boolean beforeRetry(int failed, int max, LlmException e, Duration delay) {
        LOG.debug(
                "OpenAI chat attempt {}/{} failed ({}), retrying in {} ms", failed, max, e.reason(), delay.toMillis());
        return true;
    }

    private WireRequest wire(ChatRequest request) {
        return ChatMapper.toWire(
                request,
                Objects.requireNonNull(config.model),
                config.defaultOptions,
                config.maxCompletionTokens,
                reasoning);
    }

    private Request httpRequest(WireRequest wire) {
        byte[] body;
        try {
            body = ChatMapper.JSON.writeValueAsBytes(wire);
        } catch (JsonProcessingException e) {
            throw new LlmException(
                    "OpenAI chat request could not be written: " + e.getOriginalMessage(),
                    LlmException.Reason.BAD_REQUEST,
                    false,
                    e);
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace(
                    "POST {} headers={} body={}",
                    target,
                    redacted(headers),
                    scrubber.scrub(new String(body, java.nio.charset.StandardCharsets.UTF_8)));
        }
        return new Request.Builder()
                .url(endpoint)
                .headers(headers)
                .post(RequestBody.create(body, JSON_TYPE))
                .build();
    }

    private ChatResponse streamAttempt(Request httpRequest, String model, int attempt, StreamListener listener) {
        long start = System.nanoTime();
        StreamAssembler assembler = new StreamAssembler(listener, target);
        Exchange.Received received;
        try {
            received = Exchange.stream(http, httpRequest, (type, data) -> assembler.onData(data));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("chat call cancelled: the thread was interrupted");
        } catch (IOException e) {
            LOG.debug(
                    "OpenAI chat stream model={} failed after {} ms (attempt {}): {}",
                    model,
                    millis(start),
                    attempt,
                    e.getClass().getSimpleName());
            throw ErrorMapper.fromIoException(e, target);
        }
        if (received != null) {
            if (received.code() < 200 || received.code() > 299) {
                LOG.debug(
                        "OpenAI chat stream model={} status={} latency={} ms (attempt {})",
                        model,
                        received.code(),
                        millis(start),
                        attempt);
                throw ErrorMapper.fromResponse(
                        received.code(), received.body(), received.headers()::get, clock, target);
            }
            // A server that ignored "stream": the whole reply at once.
            ChatResponse whole = ChatMapper.parseResponse(received.body(), received.code());
            String text = whole.message().text();
            if (text != null && !text.isEmpty()) {
                listener.onText(text);
            }
            whole.message().toolCalls().forEach(listener::onToolCall);
            return whole;
        }
        ChatResponse response = assembler.finish();
        LOG.debug(
                "OpenAI chat stream model={} latency={} ms tokens in={} (cached {}) out={} finish={} toolCalls={}",
                model,
                millis(start),
                response.usage().inputTokens(),
                response.usage().cacheReadTokens(),
                response.usage().outputTokens(),
                response.finishReason(),
                response.message().toolCalls().size());
        return response;
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private ChatResponse attempt(Request httpRequest, String model, int attempt, int max) {
        long start = System.nanoTime();
        Exchange.Received received;
        try {
            received = Exchange.execute(http, httpRequest);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("chat call cancelled: the thread was interrupted");
        } catch (IOException e) {
            long ms = (System.nanoTime() - start) / 1_000_000;
            LOG.debug(
                    "OpenAI chat model={} failed after {} ms (attempt {}/{}): {}",
                    model,
                    ms,
                    attempt,
                    max,
                    e.getClass().getSimpleName());
            throw ErrorMapper.fromIoException(e, target);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (LOG.isTraceEnabled()) {
            LOG.trace("HTTP {} from {} body={}", received.code(), target, scrubber.scrub(received.body()));
        }
        if (received.code() < 200 || received.code() > 299) {
            LOG.debug(
                    "OpenAI chat model={} status={} latency={} ms (attempt {}/{})",
                    model,
                    received.code(),
                    ms,
                    attempt,
                    max);
            throw ErrorMapper.fromResponse(received.code(), received.body(), received.headers()::get, clock, target);
        }
        ChatResponse response = ChatMapper.parseResponse(received.body(), received.code());
        LOG.debug(
                "OpenAI chat model={} status={} latency={} ms tokens in={} out={} finish={} toolCalls={}",
                model,
                received.code(),
                ms,
                response.usage().inputTokens(),
                response.usage().outputTokens(),
                response.finishReason(),
                response.message().toolCalls().size());
        return response;
    }

    private static String redacted(Headers headers) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(name)
                    .append(": ")
                    .append(SecretScrubber.isSecretHeader(name) ? SecretScrubber.MASK : headers.value(i));
        }
        return sb.append('}').toString();
    }

    private static HttpUrl endpoint(Builder b) {
        HttpUrl base = Objects.requireNonNull(HttpUrl.parse(b.baseUrl));
        HttpUrl.Builder url = base.newBuilder();
        String path = base.encodedPath();
        if (path.endsWith("/")) {
            url.encodedPath(path.substring(0, path.length() - 1));
        }
        url.addPathSegment("chat").addPathSegment("completions");
        if (b.azureApiVersion != null) {
            url.setQueryParameter("api-version", b.azureApiVersion);
        }
        return url.build();
    }

    private static Headers headers(Builder b) {
        Headers.Builder h = new Headers.Builder();
        h.add("Accept", "application/json");
        if (b.apiKey != null) {
            if (b.azureApiVersion != null) {
                h.add("api-key", b.apiKey);
            } else {
                h.add("Authorization", "Bearer " + b.apiKey);
            }
        }
        if (b.organization != null) {
            h.add("OpenAI-Organization", b.organization);
        }
        if (b.project != null) {
            h.add("OpenAI-Project", b.project);
        }
        b.extraHeaders.forEach(h::set);
        return h.build();
    }

    private static OkHttpClient httpClient(Builder b) {
        OkHttpClient.Builder h = b.httpClient == null ? new OkHttpClient.Builder() : b.httpClient.newBuilder();
        boolean own = b.httpClient == null;
        Duration connect = b.connectTimeout != null ? b.connectTimeout : own ? Builder.DEFAULT_CONNECT : null;
        Duration read = b.readTimeout != null ? b.readTimeout : own ? Builder.DEFAULT_READ : null;
        Duration call = b.callTimeout != null ? b.callTimeout : own ? Builder.DEFAULT_CALL : null;
        if (connect != null) {
            h.connectTimeout(connect);
        }
        if (read != null) {
            h.readTimeout(read);
            h.writeTimeout(read);
        }
        if (call != null) {
            h.callTimeout(call);
        }
        h.dispatcher(Exchange.newDispatcher(b.maxConcurrentRequests));
        return h.build();
    }

    /** Prints the settings; the API key is masked as {@code apiKey=****}. */
    @Override
    public String toString() {
        return "OpenAiLlmClient{" + config.describe() + '}';
    }

    /**
     * Builds an {@link OpenAiLlmClient}. Only {@link #model(String)} is required. Not thread-safe.
     *
     * <p>{@link #toString()} masks the API key.
     */
    public static final class Builder {
        static final Duration DEFAULT_CONNECT = Duration.ofSeconds(10);
        static final Duration DEFAULT_READ = Duration.ofSeconds(120);
        static final Duration DEFAULT_CALL = Duration.ofSeconds(180);

        private @Nullable String apiKey;
        private String baseUrl = DEFAULT_BASE_URL;
        private @Nullable String model;
        private @Nullable String organization;
        private @Nullable String project;
        private @Nullable String azureApiVersion;
        private final Map<String, String> extraHeaders = new LinkedHashMap<>();
        private @Nullable Duration connectTimeout;
        private @Nullable Duration readTimeout;
        private @Nullable Duration callTimeout;
        private @Nullable OkHttpClient httpClient;
        private int maxConcurrentRequests = 64;
        private boolean retries = true;
        private RetryPolicy.Builder retry = RetryPolicy.builder();
        private boolean maxCompletionTokens;
        private @Nullable Boolean reasoningModel;
        private @Nullable Set<Capability> capabilities;
        private int contextWindow = -1;
        private boolean streaming = true;
        private ModelOptions defaultOptions = ModelOptions.DEFAULTS;
        private RetryPolicy.Sleeper sleeper = RetryPolicy.Sleeper.THREAD_SLEEP;
        private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        private Builder copy() {
            Builder b = new Builder();
            b.apiKey = apiKey;
            b.baseUrl = baseUrl;
            b.model = model;
            b.organization = organization;
            b.project = project;
            b.azureApiVersion = azureApiVersion;
            b.extraHeaders.putAll(extraHeaders);
            b.connectTimeout = connectTimeout;
            b.readTimeout = readTimeout;
            b.callTimeout = callTimeout;
            b.httpClient = httpClient;
            b.maxConcurrentRequests = maxConcurrentRequests;
            b.retries = retries;
            b.retry = retry.build().toBuilder();
            b.maxCompletionTokens = maxCompletionTokens;
            b.reasoningModel = reasoningModel;
            b.capabilities = capabilities;
            b.contextWindow = contextWindow;
            b.streaming = streaming;
            b.defaultOptions = defaultOptions;
            b.sleeper = sleeper;
            b.jitter = jitter;
            b.clock = clock;
            return b;
        }

        /**
         * Sets the API key, sent as {@code Authorization: Bearer <key>} (or as {@code api-key} in
         * {@linkplain #azure(String) Azure style}). Null sends no credentials, as local servers such as Ollama
         * expect. Default: none.
         *
         * @throws IllegalArgumentException if the key is blank or contains control characters
         */
        public Builder apiKey(@Nullable String apiKey) {
            if (apiKey != null) {
                if (apiKey.isBlank()) {
                    throw new IllegalArgumentException("apiKey must not be blank");
                }
                if (apiKey.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                    // The value is a secret: say what is wrong, never what it is.
                    throw new IllegalArgumentException("apiKey must not contain control characters");
                }
            }
            this.apiKey = apiKey == null ? null : apiKey.strip();
            return this;
        }

        /**
         * Sets the API's base URL; {@code /chat/completions} is appended. Examples: {@code https://api.openai.com/v1}
         * (the default), {@code http://localhost:11434/v1} (Ollama), {@code http://localhost:8000/v1} (vLLM),
         * {@code http://localhost:1234/v1} (LM Studio), {@code https://openrouter.ai/api/v1}, and for Azure
         * {@code https://<resource>.openai.azure.com/openai/deployments/<deployment>}.
         *
         * @throws IllegalArgumentException if it is not an http or https URL
         */
        public Builder baseUrl(String baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl == null");
            HttpUrl url = HttpUrl.parse(baseUrl.strip());
            if (url == null) {
                throw new IllegalArgumentException("baseUrl must be an http or https URL but was " + baseUrl);
            }
            if (url.query() != null) {
                throw new IllegalArgumentException(
                        "baseUrl must not have a query string but had one (use azure(apiVersion) for api-version)");
            }
            this.baseUrl = baseUrl.strip();
            return this;
        }

        /** Sets the model used when a request's options name none, for example {@code gpt-4o-mini}. Required. */
        public Builder model(String model) {
            Objects.requireNonNull(model, "model == null");
            if (model.isBlank()) {
                throw new IllegalArgumentException("model must not be blank but was '" + model + "'");
            }
            this.model = model;
            return this;
        }

        /** Sets the {@code OpenAI-Organization} header; null for none. Default: none. */
        public Builder organization(@Nullable String organization) {
            this.organization = checkHeaderValue("organization", organization);
            return this;
        }

        /** Sets the {@code OpenAI-Project} header; null for none. Default: none. */
        public Builder project(@Nullable String project) {
            this.project = checkHeaderValue("project", project);
            return this;
        }

        /**
         * Uses Azure OpenAI conventions: the key goes in an {@code api-key} header instead of
         * {@code Authorization}, and {@code api-version=<apiVersion>} is added to the URL. Pair it with a base URL
         * of the form {@code https://<resource>.openai.azure.com/openai/deployments/<deployment>}. Default: off
         * (OpenAI style).
         */
        public Builder azure(String apiVersion) {
            Objects.requireNonNull(apiVersion, "apiVersion == null");
            if (apiVersion.isBlank()) {
                throw new IllegalArgumentException("apiVersion must not be blank but was '" + apiVersion + "'");
            }
            this.azureApiVersion = apiVersion.strip();
            return this;
        }

        /**
         * Adds a header sent with every call (for example OpenRouter's {@code HTTP-Referer}); replaces an earlier
         * header of the same name. Values are not printed by {@link #toString()}. Default: none.
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name == null");
            Objects.requireNonNull(value, "value == null");
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new IllegalArgumentException("header name must be an HTTP token but was '" + name + "'");
            }
            checkHeaderValue("header " + name, value);
            extraHeaders.put(name, value);
            return this;
        }

        /** Adds every header of {@code headers}, as {@link #header(String, String)} does. */
        public Builder headers(Map<String, String> headers) {
            Objects.requireNonNull(headers, "headers == null").forEach(this::header);
            return this;
        }

        private static @Nullable String checkHeaderValue(String what, @Nullable String value) {
            if (value != null && value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
                throw new IllegalArgumentException(what + " must not contain control characters");
            }
            return value;
        }

        /**
         * Sets the connect timeout; zero means none. Default: 10 s (or the host client's, when one is given).
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = nonNegative(timeout, "connectTimeout");
            return this;
        }

        /**
         * Sets the read (and write) timeout, the longest silence while a response arrives; zero means none. A model
         * may think for a while before its first byte. Default: 120 s (or the host client's, when one is given).
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = nonNegative(timeout, "readTimeout");
            return this;
        }

        /**
         * Sets the timeout of one HTTP attempt, from connecting to the last byte of the response; zero means none.
         * Retries each get their own. Default: 180 s (or the host client's, when one is given).
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = nonNegative(timeout, "callTimeout");
            return this;
        }

        /**
         * Uses the host's OkHttp client: calls share its connection pool, interceptors, proxy and TLS settings.
         * The adapter derives its own client with {@link OkHttpClient#newBuilder()} and gives it a dispatcher of its
         * own; timeouts set on this builder override the host client's, the others keep the host client's values.
         * Default: a new client.
         */
        public Builder httpClient(OkHttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient == null");
            return this;
        }

        /** Sets how many calls may be in flight at once; at least 1. Default: 64. */
        public Builder maxConcurrentRequests(int maxConcurrentRequests) {
            if (maxConcurrentRequests < 1) {
                throw new IllegalArgumentException(
                        "maxConcurrentRequests must be >= 1 but was " + maxConcurrentRequests);
            }
            this.maxConcurrentRequests = maxConcurrentRequests;
            return this;
        }

        /** Turns retries of retryable failures on or off; off is the same as {@code maxAttempts(1)}. Default: on. */
        public Builder retries(boolean retries) {
            this.retries = retries;
            return this;
        }

        /** Sets the number of attempts in total, first one included; at least 1 (1 means no retry). Default: 3. */
        public Builder maxAttempts(int maxAttempts) {
            retry.maxAttempts(maxAttempts);
            return this;
        }

        /** Sets the base delay before the first retry; positive. Default: 500 ms. */
        public Builder initialBackoff(Duration initialBackoff) {
            retry.initialBackoff(initialBackoff);
            return this;
        }

        /** Sets the growth factor of the delay from one retry to the next; at least 1. Default: 2. */
        public Builder backoffMultiplier(double backoffMultiplier) {
            if (!(backoffMultiplier >= 1) || Double.isInfinite(backoffMultiplier)) {
                throw new IllegalArgumentException("backoffMultiplier must be >= 1 but was " + backoffMultiplier);
            }
            retry.multiplier(backoffMultiplier);
            return this;
        }

        /** Sets the longest delay between attempts, also the cap on a provider's Retry-After. Default: 30 s. */
        public Builder maxBackoff(Duration maxBackoff) {
            retry.maxBackoff(maxBackoff);
            return this;
        }

        /**
         * Sets attempts and backoff at once, replacing what {@link #maxAttempts(int)} and the backoff setters set.
         * Default: {@link RetryPolicy#DEFAULT}.
         */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy == null").toBuilder();
            return this;
        }

        /**
         * Turns streaming on or off. Off, {@link OpenAiLlmClient#chat(ChatRequest, StreamListener)} makes a plain
         * call (for a compatible server that cannot stream) and {@link OpenAiLlmClient#info()} leaves out
         * {@link Capability#STREAMING}. Default: on.
         */
        public Builder streaming(boolean streaming) {
            this.streaming = streaming;
            return this;
        }

        /**
         * Says whether the model is a reasoning model (o1, o3, o4-mini, gpt-5): system messages then go with the
         * {@code developer} role, the token cap as {@code max_completion_tokens}, the reasoning effort of the options
         * is sent, and sampling options and {@code parallel_tool_calls}, which such models refuse, are left out.
         * Null decides from the model's name. Default: null.
         */
        public Builder reasoningModel(@Nullable Boolean reasoningModel) {
            this.reasoningModel = reasoningModel;
            return this;
        }

        /**
         * Replaces the capabilities {@link OpenAiLlmClient#info()} reports, for a compatible server that lacks some
         * (for example no {@link Capability#STRUCTURED_OUTPUT}, so the agent puts the schema in the prompt). Null
         * derives them from the model. Default: null.
         */
        public Builder capabilities(@Nullable Set<Capability> capabilities) {
            this.capabilities = capabilities == null ? null : Set.copyOf(capabilities);
            return this;
        }

        /** Sets the model's context window in tokens for {@link OpenAiLlmClient#info()}; 0 for unknown. Default:
         * known for OpenAI's models, else unknown. */
        public Builder contextWindow(int tokens) {
            if (tokens < 0) {
                throw new IllegalArgumentException("contextWindow must be >= 0 but was " + tokens);
            }
            this.contextWindow = tokens;
            return this;
        }

        /**
         * Sends the output token cap as {@code max_completion_tokens} (which newer OpenAI models, such as the o-series,
         * require) instead of {@code max_tokens} (which most compatible servers understand). Default: false.
         */
        public Builder useMaxCompletionTokens(boolean useMaxCompletionTokens) {
            this.maxCompletionTokens = useMaxCompletionTokens;
            return this;
        }

        /**
         * Sets options applied to every call; options a request sets win. Default: {@link ModelOptions#DEFAULTS}
         * (nothing set).
         */
        public Builder defaultOptions(ModelOptions defaultOptions) {
            this.defaultOptions = Objects.requireNonNull(defaultOptions, "defaultOptions == null");
            return this;
        }

        /** Replaces how the client waits between retries; for tests. */
        Builder sleeper(RetryPolicy.Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper == null");
            return this;
        }

        /** Replaces the jitter source (numbers in [0, 1)); for tests. */
        Builder jitter(DoubleSupplier jitter) {
            this.jitter = Objects.requireNonNull(jitter, "jitter == null");
            return this;
        }

        /** Replaces the clock used to read Retry-After dates; for tests. */
        Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock == null");
            return this;
        }

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name + " == null");
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must be >= 0 but was " + d);
            }
            return d;
        }

        /**
         * Returns the client.
         *
         * @throws IllegalStateException if no model is set or maxBackoff is shorter than initialBackoff
         */
        public OpenAiLlmClient build() {
            if (model == null) {
                throw new IllegalStateException("model must be set but was null");
            }
            retry.build(); // checks the backoff settings together
            return new OpenAiLlmClient(this);
        }

        private String describe() {
            HttpUrl url = HttpUrl.parse(baseUrl);
            String shownUrl = url == null
                    ? "?"
                    : url.newBuilder().username("").password("").build().toString();
            return "baseUrl=" + shownUrl
                    + ", model=" + model
                    + ", apiKey=" + (apiKey == null ? "none" : SecretScrubber.MASK)
                    + (azureApiVersion == null ? "" : ", azureApiVersion=" + azureApiVersion)
                    + (organization == null ? "" : ", organization=" + organization)
                    + (project == null ? "" : ", project=" + project)
                    + (extraHeaders.isEmpty() ? "" : ", headers=" + extraHeaders.keySet())
                    + ", connectTimeout=" + orDefault(connectTimeout) + ", readTimeout=" + orDefault(readTimeout)
                    + ", callTimeout=" + orDefault(callTimeout)
                    + ", hostHttpClient=" + (httpClient != null)
                    + ", retries=" + (retries ? retryText() : "off")
                    + ", maxCompletionTokens=" + maxCompletionTokens
                    + (reasoningModel == null ? "" : ", reasoningModel=" + reasoningModel)
                    + (streaming ? "" : ", streaming=false")
                    + ", defaultOptions=" + defaultOptions;
        }

        private String retryText() {
            try {
                RetryPolicy p = retry.build();
                return p.maxAttempts() + " attempts, " + p.initialBackoff().toMillis() + " ms x" + p.multiplier()
                        + " up to " + p.maxBackoff().toMillis() + " ms";
            } catch (IllegalStateException e) {
                return "invalid";
            }
        }

        private static String orDefault(@Nullable Duration d) {
            return d == null ? "default" : d.toString();
        }

        /** Prints the settings; the API key is masked as {@code apiKey=****}. */
        @Override
        public String toString() {
            return "OpenAiLlmClient.Builder{" + describe() + '}';
        }
    }
}
