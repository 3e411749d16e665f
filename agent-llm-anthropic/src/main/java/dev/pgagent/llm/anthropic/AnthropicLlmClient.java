package dev.pgagent.llm.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.llm.Capability;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.llm.ProviderInfo;
import dev.pgagent.api.llm.ResponseSchema;
import dev.pgagent.api.llm.RetryPolicy;
import dev.pgagent.api.llm.SecretScrubber;
import dev.pgagent.api.llm.StreamListener;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.llm.anthropic.internal.ErrorMapper;
import dev.pgagent.llm.anthropic.internal.Exchange;
import dev.pgagent.llm.anthropic.internal.Json;
import dev.pgagent.llm.anthropic.internal.MessagesMapper;
import dev.pgagent.llm.anthropic.internal.StreamAssembler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * Sends chat turns to Anthropic's Messages API ({@code POST {baseUrl}/v1/messages}) over OkHttp and Jackson, without
 * the vendor's SDK: the system prompt, tools with {@code tool_use} and {@code tool_result} blocks paired by id
 * (several tool uses in one reply), stop reasons, usage with prompt-cache reads and writes, prompt caching of the
 * stable prefix (tools and system prompt, {@code cache_control}), extended thinking (from
 * {@link ModelOptions#reasoningEffort()}) with its blocks sent back as the API requires, structured output through a
 * forced tool, and streaming. Retryable failures (429, 529 overloaded, 408, 409, 5xx, network errors) are retried
 * with backoff, honouring {@code Retry-After}. Immutable and safe for concurrent use; build one and share it.
 *
 * <pre>{@code
 * LlmClient claude = AnthropicLlmClient.builder()
 *     .apiKey(System.getenv("ANTHROPIC_API_KEY"))
 *     .model("claude-sonnet-4-5")
 *     .build();
 * }</pre>
 *
 * <p>The API key ({@code x-api-key}) never appears in a log line, an exception message or {@link #toString()}.
 */
public final class AnthropicLlmClient implements LlmClient {
    private static final Logger LOG = LoggerFactory.getLogger(AnthropicLlmClient.class);
    private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");

    /** The default base URL: Anthropic's public API. */
    public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";

    /** The API version sent as {@code anthropic-version} unless another is set. */
    public static final String DEFAULT_VERSION = "2023-06-01";

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
    private final MessagesMapper.Settings settings;
    private final ProviderInfo info;

    private AnthropicLlmClient(Builder b) {
        this.config = b.copy();
        this.endpoint = endpoint(b.baseUrl);
        this.target = endpoint.newBuilder().username("").password("").build().toString();
        this.headers = headers(b);
        this.retry = b.retries ? b.retry.build() : RetryPolicy.NONE;
        this.scrubber = SecretScrubber.of(b.apiKey);
        this.sleeper = b.sleeper;
        this.jitter = b.jitter;
        this.clock = b.clock;
        String model = Objects.requireNonNull(b.model);
        this.settings = new MessagesMapper.Settings(model, b.defaultOptions, b.maxTokens, b.promptCaching);
        Set<Capability> caps = EnumSet.of(
                Capability.TOOLS,
                Capability.PARALLEL_TOOL_CALLS,
                Capability.STREAMING,
                Capability.STRUCTURED_OUTPUT,
                Capability.REASONING);
        this.info = ProviderInfo.builder("anthropic", model)
                .capabilities(b.capabilities != null ? b.capabilities : caps)
                .contextWindow(b.contextWindow >= 0 ? b.contextWindow : model.startsWith("claude") ? 200_000 : 0)
                .build();
        this.http = httpClient(b);
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
        return settings.model();
    }

    /** Returns the URL messages are sent to. */
    public String endpoint() {
        return target;
    }

    /**
     * Returns {@code anthropic}, the default model and its capabilities: tools, parallel tool calls, streaming,
     * structured output and reasoning; a context window of 200,000 tokens for Claude models.
     */
    @Override
    public ProviderInfo info() {
        return info;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request == null");
        String outputTool = request.responseSchema().map(ResponseSchema::name).orElse(null);
        Request httpRequest = httpRequest(request, false);
        return retry.execute(
                n -> {
                    try {
                        return attempt(httpRequest, outputTool, n);
                    } catch (LlmException e) {
                        throw scrubber.scrub(e);
                    }
                },
                sleeper,
                jitter,
                this::beforeRetry);
    }

    /**
     * Streams the reply: text and thinking as they arrive, each tool call once its block stops. A failure before
     * anything reached the listener is retried like {@link #chat(ChatRequest)}; after that it is thrown. A stream
     * that ends before {@code message_stop} is a retryable {@link LlmException.Reason#NETWORK} failure.
     */
    @Override
    public ChatResponse chat(ChatRequest request, StreamListener listener) {
        Objects.requireNonNull(request, "request == null");
        Objects.requireNonNull(listener, "listener == null");
        String outputTool = request.responseSchema().map(ResponseSchema::name).orElse(null);
        Request httpRequest = httpRequest(request, true);
        AtomicBoolean delivered = new AtomicBoolean();
        StreamListener tracking = new StreamListener() {
            @Override
            public void onText(String delta) {
                delivered.set(true);
                listener.onText(delta);
            }

            @Override
            public void onToolCall(ToolCall call) {
                delivered.set(true);
                listener.onToolCall(call);
            }

            @Override
            public void onThinking(String delta) {
                delivered.set(true);
                listener.onThinking(delta);
            }
        };
        return retry.execute(
                n -> {
                    try {
                        return streamAttempt(httpRequest, outputTool, n, tracking);
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
                "Anthropic messages attempt {}/{} failed ({}), retrying in {} ms",
                failed,
                max,
                e.reason(),
                delay.toMillis());
        return true;
    }

    private Request httpRequest(ChatRequest request, boolean stream) {
        ObjectNode wire = MessagesMapper.toWire(request, settings, stream);
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(wire);
        } catch (JsonProcessingException e) {
            throw new LlmException(
                    "Anthropic messages request could not be written: " + e.getOriginalMessage(),
                    LlmException.Reason.BAD_REQUEST,
                    false,
                    e);
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace(
                    "POST {} headers={} body={}",
                    target,
                    redacted(headers),
                    scrubber.scrub(new String(body, StandardCharsets.UTF_8)));
        }
        Request.Builder r =
                new Request.Builder().url(endpoint).headers(headers).post(RequestBody.create(body, JSON_TYPE));
        if (stream) {
            r.header("Accept", "text/event-stream");
        }
        return r.build();
    }

    private ChatResponse attempt(Request httpRequest, @Nullable String outputTool, int attempt) {
        long start = System.nanoTime();
        Exchange.Received received;
        try {
            received = Exchange.execute(http, httpRequest);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("chat call cancelled: the thread was interrupted");
        } catch (IOException e) {
            LOG.debug(
                    "Anthropic messages call failed after {} ms (attempt {}): {}",
                    millis(start),
                    attempt,
                    e.getClass().getSimpleName());
            throw ErrorMapper.fromIoException(e, target);
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("HTTP {} from {} body={}", received.code(), target, scrubber.scrub(received.body()));
        }
        if (received.code() < 200 || received.code() > 299) {
            LOG.debug(
                    "Anthropic messages status={} latency={} ms (attempt {})", received.code(), millis(start), attempt);
            throw ErrorMapper.fromResponse(received.code(), received.body(), received.headers()::get, clock, target);
        }
        ChatResponse response = MessagesMapper.parseResponse(received.body(), received.code(), outputTool);
        logDone(response, start);
        return response;
    }

    private ChatResponse streamAttempt(
            Request httpRequest, @Nullable String outputTool, int attempt, StreamListener listener) {
        long start = System.nanoTime();
        StreamAssembler assembler = new StreamAssembler(listener, target, outputTool);
        Exchange.Received received;
        try {
            received = Exchange.stream(http, httpRequest, assembler::onEvent);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("chat call cancelled: the thread was interrupted");
        } catch (IOException e) {
            LOG.debug(
                    "Anthropic messages stream failed after {} ms (attempt {}): {}",
                    millis(start),
                    attempt,
                    e.getClass().getSimpleName());
            throw ErrorMapper.fromIoException(e, target);
        }
        if (received != null) {
            if (received.code() < 200 || received.code() > 299) {
                LOG.debug(
                        "Anthropic messages stream status={} latency={} ms (attempt {})",
                        received.code(),
                        millis(start),
                        attempt);
                throw ErrorMapper.fromResponse(
                        received.code(), received.body(), received.headers()::get, clock, target);
            }
            ChatResponse whole = MessagesMapper.parseResponse(received.body(), received.code(), outputTool);
            String text = whole.message().text();
            if (text != null && !text.isEmpty()) {
                listener.onText(text);
            }
            whole.message().toolCalls().forEach(listener::onToolCall);
            return whole;
        }
        ChatResponse response = assembler.finish();
        logDone(response, start);
        return response;
    }

    private void logDone(ChatResponse response, long start) {
        LOG.debug(
                "Anthropic messages model={} latency={} ms tokens in={} (cache read {}, write {}) out={} finish={} "
                        + "toolCalls={}",
                response.model(),
                millis(start),
                response.usage().inputTokens(),
                response.usage().cacheReadTokens(),
                response.usage().cacheWriteTokens(),
                response.usage().outputTokens(),
                response.finishReason(),
                response.message().toolCalls().size());
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static String redacted(Headers headers) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            sb.append(i > 0 ? ", " : "")
                    .append(name)
                    .append(": ")
                    .append(SecretScrubber.isSecretHeader(name) ? SecretScrubber.MASK : headers.value(i));
        }
        return sb.append('}').toString();
    }

    private static HttpUrl endpoint(String baseUrl) {
        HttpUrl base = Objects.requireNonNull(HttpUrl.parse(baseUrl));
        HttpUrl.Builder url = base.newBuilder();
        String path = base.encodedPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
            url.encodedPath(path.isEmpty() ? "/" : path);
        }
        if (!path.endsWith("/v1")) {
            url.addPathSegment("v1");
        }
        return url.addPathSegment("messages").build();
    }

    private static Headers headers(Builder b) {
        Headers.Builder h = new Headers.Builder();
        h.add("Accept", "application/json");
        h.add("anthropic-version", b.version);
        if (b.apiKey != null) {
            h.add("x-api-key", b.apiKey);
        }
        if (!b.betas.isEmpty()) {
            h.add("anthropic-beta", String.join(",", b.betas.keySet()));
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
        return "AnthropicLlmClient{" + config.describe() + '}';
    }

    /** Builds an {@link AnthropicLlmClient}. Only {@link #model(String)} is required. Not thread-safe. */
    public static final class Builder {
        static final Duration DEFAULT_CONNECT = Duration.ofSeconds(10);
        static final Duration DEFAULT_READ = Duration.ofSeconds(120);
        static final Duration DEFAULT_CALL = Duration.ofSeconds(300);

        private @Nullable String apiKey;
        private String baseUrl = DEFAULT_BASE_URL;
        private @Nullable String model;
        private String version = DEFAULT_VERSION;
        private final Map<String, Boolean> betas = new LinkedHashMap<>();
        private final Map<String, String> extraHeaders = new LinkedHashMap<>();
        private int maxTokens = 4096;
        private boolean promptCaching = true;
        private @Nullable Duration connectTimeout;
        private @Nullable Duration readTimeout;
        private @Nullable Duration callTimeout;
        private @Nullable OkHttpClient httpClient;
        private int maxConcurrentRequests = 64;
        private boolean retries = true;
        private RetryPolicy.Builder retry = RetryPolicy.builder();
        private ModelOptions defaultOptions = ModelOptions.DEFAULTS;
        private @Nullable Set<Capability> capabilities;
        private int contextWindow = -1;
        private RetryPolicy.Sleeper sleeper = RetryPolicy.Sleeper.THREAD_SLEEP;
        private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        private Builder copy() {
            Builder b = new Builder();
            b.apiKey = apiKey;
            b.baseUrl = baseUrl;
            b.model = model;
            b.version = version;
            b.betas.putAll(betas);
            b.extraHeaders.putAll(extraHeaders);
            b.maxTokens = maxTokens;
            b.promptCaching = promptCaching;
            b.connectTimeout = connectTimeout;
            b.readTimeout = readTimeout;
            b.callTimeout = callTimeout;
            b.httpClient = httpClient;
            b.maxConcurrentRequests = maxConcurrentRequests;
            b.retries = retries;
            b.retry = retry.build().toBuilder();
            b.defaultOptions = defaultOptions;
            b.capabilities = capabilities;
            b.contextWindow = contextWindow;
            b.sleeper = sleeper;
            b.jitter = jitter;
            b.clock = clock;
            return b;
        }

        /**
         * Sets the API key, sent as {@code x-api-key}. Null sends none (for a gateway that adds its own). Default:
         * none.
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
         * Sets the API's base URL; {@code /v1/messages} is appended ({@code /messages} when it already ends with
         * {@code /v1}). Default: {@code https://api.anthropic.com}.
         *
         * @throws IllegalArgumentException if it is not an http or https URL, or has a query string
         */
        public Builder baseUrl(String baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl == null");
            HttpUrl url = HttpUrl.parse(baseUrl.strip());
            if (url == null) {
                throw new IllegalArgumentException("baseUrl must be an http or https URL but was " + baseUrl);
            }
            if (url.query() != null) {
                throw new IllegalArgumentException("baseUrl must not have a query string but had one");
            }
            this.baseUrl = baseUrl.strip();
            return this;
        }

        /** Sets the model used when a request's options name none, for example {@code claude-sonnet-4-5}. Required. */
        public Builder model(String model) {
            Objects.requireNonNull(model, "model == null");
            if (model.isBlank()) {
                throw new IllegalArgumentException("model must not be blank but was '" + model + "'");
            }
            this.model = model;
            return this;
        }

        /** Sets the {@code anthropic-version} header. Default: {@value AnthropicLlmClient#DEFAULT_VERSION}. */
        public Builder version(String version) {
            Objects.requireNonNull(version, "version == null");
            if (version.isBlank()) {
                throw new IllegalArgumentException("version must not be blank but was '" + version + "'");
            }
            this.version = version.strip();
            return this;
        }

        /** Adds a beta feature, sent in the {@code anthropic-beta} header. Default: none. */
        public Builder beta(String feature) {
            Objects.requireNonNull(feature, "feature == null");
            if (!feature.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("beta must be a feature name but was '" + feature + "'");
            }
            betas.put(feature, true);
            return this;
        }

        /**
         * Adds a header sent with every call; replaces an earlier header of the same name. Values are not printed
         * by {@link #toString()}. Default: none.
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name == null");
            Objects.requireNonNull(value, "value == null");
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new IllegalArgumentException("header name must be an HTTP token but was '" + name + "'");
            }
            if (value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
                throw new IllegalArgumentException("header " + name + " must not contain control characters");
            }
            extraHeaders.put(name, value);
            return this;
        }

        /**
         * Sets {@code max_tokens} for calls whose options set no {@link ModelOptions#maxTokens()} (the API requires
         * one); at least 1. With extended thinking, a cap not above the thinking budget is raised by the budget.
         * Default: 4096.
         */
        public Builder maxTokens(int maxTokens) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1 but was " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * Marks the stable prefix of each request (the tool definitions and the system prompt) for Anthropic's
         * prompt cache, so that the steps of an ask read it from the cache. Default: on.
         */
        public Builder promptCaching(boolean promptCaching) {
            this.promptCaching = promptCaching;
            return this;
        }

        /** Sets the connect timeout; zero means none. Default: 10 s (or the host client's, when one is given). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = nonNegative(timeout, "connectTimeout");
            return this;
        }

        /**
         * Sets the read (and write) timeout, the longest silence while a response arrives; zero means none.
         * Default: 120 s (or the host client's).
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = nonNegative(timeout, "readTimeout");
            return this;
        }

        /**
         * Sets the timeout of one non-streamed HTTP attempt; zero means none (a stream is bounded by the read
         * timeout alone). Default: 300 s (or the host client's).
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = nonNegative(timeout, "callTimeout");
            return this;
        }

        /**
         * Uses the host's OkHttp client (its pool, interceptors, proxy, TLS); the adapter derives its own with a
         * dispatcher of its own. Default: a new client.
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

        /** Turns retries of retryable failures on or off. Default: on. */
        public Builder retries(boolean retries) {
            this.retries = retries;
            return this;
        }

        /** Sets the attempts and backoff. Default: {@link RetryPolicy#DEFAULT} (3 attempts, 500 ms doubling). */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy == null").toBuilder();
            return this;
        }

        /** Sets the number of attempts in total, first one included; at least 1. Default: 3. */
        public Builder maxAttempts(int maxAttempts) {
            retry.maxAttempts(maxAttempts);
            return this;
        }

        /** Sets options applied to every call; options a request sets win. Default: nothing set. */
        public Builder defaultOptions(ModelOptions defaultOptions) {
            this.defaultOptions = Objects.requireNonNull(defaultOptions, "defaultOptions == null");
            return this;
        }

        /** Replaces the capabilities {@link AnthropicLlmClient#info()} reports; null for the default. */
        public Builder capabilities(@Nullable Set<Capability> capabilities) {
            this.capabilities = capabilities == null ? null : Set.copyOf(capabilities);
            return this;
        }

        /** Sets the context window {@link AnthropicLlmClient#info()} reports; 0 for unknown. Default: 200,000. */
        public Builder contextWindow(int tokens) {
            if (tokens < 0) {
                throw new IllegalArgumentException("contextWindow must be >= 0 but was " + tokens);
            }
            this.contextWindow = tokens;
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
         * @throws IllegalStateException if no model is set or the backoff settings disagree
         */
        public AnthropicLlmClient build() {
            if (model == null) {
                throw new IllegalStateException("model must be set but was null");
            }
            retry.build();
            return new AnthropicLlmClient(this);
        }

        private String describe() {
            HttpUrl url = HttpUrl.parse(baseUrl);
            String shownUrl = url == null
                    ? "?"
                    : url.newBuilder().username("").password("").build().toString();
            return "baseUrl=" + shownUrl
                    + ", model=" + model
                    + ", apiKey=" + (apiKey == null ? "none" : SecretScrubber.MASK)
                    + ", version=" + version
                    + (betas.isEmpty() ? "" : ", betas=" + betas.keySet())
                    + (extraHeaders.isEmpty() ? "" : ", headers=" + extraHeaders.keySet())
                    + ", maxTokens=" + maxTokens + ", promptCaching=" + promptCaching
                    + ", hostHttpClient=" + (httpClient != null)
                    + ", retries=" + (retries ? retryText() : "off")
                    + ", defaultOptions=" + defaultOptions;
        }

        private String retryText() {
            try {
                return retry.build().toString();
            } catch (IllegalStateException e) {
                return "invalid";
            }
        }

        /** Prints the settings; the API key is masked. */
        @Override
        public String toString() {
            return "AnthropicLlmClient.Builder{" + describe() + '}';
        }
    }
}
