package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.RetryPolicy;
import dev.pgagent.config.ModelConfig;
import dev.pgagent.config.Secret;
import dev.pgagent.llm.anthropic.AnthropicLlmClient;
import dev.pgagent.llm.openai.OpenAiLlmClient;

/** Builds the model client a configuration file describes. */
final class Models {
    private Models() {}

    /**
     * Returns the client for {@code model}: OpenAI's API (and every compatible server) or Anthropic's, with the
     * file's base URL, key, timeouts, retries and default options.
     *
     * @throws IllegalArgumentException or IllegalStateException from the client's builder, whose messages name the
     *     setting and never the key
     */
    static LlmClient client(ModelConfig model) {
        RetryPolicy retries = RetryPolicy.builder()
                .maxAttempts(model.maxAttempts())
                .initialBackoff(model.initialBackoff())
                .multiplier(model.backoffMultiplier())
                .maxBackoff(model.maxBackoff())
                .build();
        String key = model.apiKey().map(Secret::reveal).orElse(null);
        if (model.provider().equals("anthropic")) {
            AnthropicLlmClient.Builder b = AnthropicLlmClient.builder()
                    .model(model.model())
                    .apiKey(key)
                    .connectTimeout(model.connectTimeout())
                    .readTimeout(model.readTimeout())
                    .callTimeout(model.callTimeout())
                    .maxConcurrentRequests(model.maxConcurrentRequests())
                    .retryPolicy(retries)
                    .defaultOptions(model.options());
            model.baseUrl().ifPresent(b::baseUrl);
            model.options().maxTokens().ifPresent(b::maxTokens);
            return b.build();
        }
        OpenAiLlmClient.Builder b = OpenAiLlmClient.builder()
                .model(model.model())
                .apiKey(key)
                .organization(model.organization().orElse(null))
                .project(model.project().orElse(null))
                .connectTimeout(model.connectTimeout())
                .readTimeout(model.readTimeout())
                .callTimeout(model.callTimeout())
                .maxConcurrentRequests(model.maxConcurrentRequests())
                .retryPolicy(retries)
                .useMaxCompletionTokens(model.useMaxCompletionTokens())
                .defaultOptions(model.options());
        model.baseUrl().ifPresent(b::baseUrl);
        model.azureApiVersion().ifPresent(b::azure);
        return b.build();
    }
}
