package dev.pgagent.config;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.llm.ModelOptions;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@code model} section: which provider and model, how to reach it, the API key and the generation options.
 * The names follow {@code OpenAiLlmClient.Builder}, so a host maps them one to one. Immutable and thread-safe.
 */
@Experimental
public final class ModelConfig {
    private final String provider;
    private final @Nullable String baseUrl;
    private final String model;
    private final @Nullable Secret apiKey;
    private final @Nullable String organization;
    private final @Nullable String project;
    private final @Nullable String azureApiVersion;
    private final boolean useMaxCompletionTokens;
    private final int maxConcurrentRequests;
    private final ModelOptions options;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration callTimeout;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final double backoffMultiplier;
    private final Duration maxBackoff;

    ModelConfig(
            String provider,
            @Nullable String baseUrl,
            String model,
            @Nullable Secret apiKey,
            @Nullable String organization,
            @Nullable String project,
            @Nullable String azureApiVersion,
            boolean useMaxCompletionTokens,
            int maxConcurrentRequests,
            ModelOptions options,
            Duration connectTimeout,
            Duration readTimeout,
            Duration callTimeout,
            int maxAttempts,
            Duration initialBackoff,
            double backoffMultiplier,
            Duration maxBackoff) {
        this.provider = provider;
        this.baseUrl = baseUrl;
        this.model = model;
        this.apiKey = apiKey;
        this.organization = organization;
        this.project = project;
        this.azureApiVersion = azureApiVersion;
        this.useMaxCompletionTokens = useMaxCompletionTokens;
        this.maxConcurrentRequests = maxConcurrentRequests;
        this.options = options;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.callTimeout = callTimeout;
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.backoffMultiplier = backoffMultiplier;
        this.maxBackoff = maxBackoff;
    }

    /** Returns the provider: {@code openai} (OpenAI and every compatible server). Default: {@code openai}. */
    public String provider() {
        return provider;
    }

    /** Returns the API's base URL; empty for the provider's own ({@code https://api.openai.com/v1}). */
    public Optional<String> baseUrl() {
        return Optional.ofNullable(baseUrl);
    }

    /** Returns the model name. Default: {@code gpt-4o-mini}. */
    public String model() {
        return model;
    }

    /**
     * Returns the API key, if a source gave one: {@code apiKey: ${VAR}}, {@code apiKeyEnv}, {@code apiKeyFile}, an
     * override, else {@code OPENAI_API_KEY} while the base URL is OpenAI's (or comes from {@code OPENAI_BASE_URL}).
     * Empty for servers that need none.
     */
    public Optional<Secret> apiKey() {
        return Optional.ofNullable(apiKey);
    }

    /** Returns the {@code OpenAI-Organization} header. Default: none. */
    public Optional<String> organization() {
        return Optional.ofNullable(organization);
    }

    /** Returns the {@code OpenAI-Project} header. Default: none. */
    public Optional<String> project() {
        return Optional.ofNullable(project);
    }

    /** Returns the Azure OpenAI {@code api-version}, when Azure conventions are wanted. Default: none. */
    public Optional<String> azureApiVersion() {
        return Optional.ofNullable(azureApiVersion);
    }

    /** Returns whether the output cap is sent as {@code max_completion_tokens}. Default: false. */
    public boolean useMaxCompletionTokens() {
        return useMaxCompletionTokens;
    }

    /** Returns the most calls in flight at once. Default: 64. */
    public int maxConcurrentRequests() {
        return maxConcurrentRequests;
    }

    /** Returns the generation options (temperature, maxTokens, ...); unset ones are the provider's. */
    public ModelOptions options() {
        return options;
    }

    /** Returns the connect timeout; zero for none. Default: 10 s. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Returns the read timeout; zero for none. Default: 120 s. */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** Returns the time limit of one HTTP attempt; zero for none. Default: 180 s. */
    public Duration callTimeout() {
        return callTimeout;
    }

    /** Returns the attempts in total for a retryable failure; 1 means no retry. Default: 3. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Returns the delay before the first retry. Default: 500 ms. */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** Returns the growth of the delay between retries. Default: 2. */
    public double backoffMultiplier() {
        return backoffMultiplier;
    }

    /** Returns the longest delay between attempts. Default: 30 s. */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** Returns a summary without the key's value. */
    @Override
    public String toString() {
        return "ModelConfig[provider=" + provider + ", baseUrl=" + (baseUrl == null ? "(provider's)" : baseUrl)
                + ", model=" + model + ", apiKey=" + (apiKey == null ? "(none)" : apiKey) + "]";
    }
}
