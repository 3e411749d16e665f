package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.llm.anthropic.AnthropicLlmClient;
import dev.pgagent.llm.openai.OpenAiLlmClient;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The options that say which language model to use; a picocli mixin. */
final class ModelOptions {
    static final String DEFAULT_MODEL = "gpt-4o-mini";
    static final String DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-5";

    static final String HOW_TO_CONFIGURE = "set OPENAI_API_KEY for OpenAI, or OPENAI_BASE_URL for any "
            + "OpenAI-compatible server (for a local Ollama: OPENAI_BASE_URL=http://localhost:11434/v1 "
            + "PGAGENT_MODEL=llama3.1), or ANTHROPIC_API_KEY with --provider anthropic";

    @Option(
            names = "--provider",
            paramLabel = "NAME",
            description = "The model provider: openai (any OpenAI-compatible server) or anthropic. Default: "
                    + "PGAGENT_PROVIDER, else openai.")
    @Nullable
    String provider;

    @Option(
            names = "--model",
            paramLabel = "NAME",
            description = "The model name. Default: PGAGENT_MODEL, else " + DEFAULT_MODEL + ".")
    @Nullable
    String model;

    @Option(
            names = "--base-url",
            paramLabel = "URL",
            description = "An OpenAI-compatible API base URL. Default: OPENAI_BASE_URL, else https://api.openai.com/v1."
                    + " The key is read from OPENAI_API_KEY only.")
    @Nullable
    String baseUrl;

    /** The configuration, once {@link Configs#apply} found a file; null otherwise. */
    dev.pgagent.config.@Nullable AgentConfig config;

    /**
     * Returns whether the provider is Anthropic.
     *
     * @throws UserException if the provider is neither openai nor anthropic
     */
    boolean anthropic(Cli cli) {
        if (config != null) {
            return config.model().provider().equals("anthropic");
        }
        String p = provider != null && !provider.isBlank() ? provider : cli.env("PGAGENT_PROVIDER");
        if (p == null || p.isBlank()) {
            return false;
        }
        return switch (p.strip().toLowerCase(Locale.ROOT)) {
            case "openai" -> false;
            case "anthropic" -> true;
            default -> throw new UserException("provider must be openai or anthropic but was " + p);
        };
    }

    /** Returns the model name to use. */
    String model(Cli cli) {
        if (config != null) {
            return config.model().model();
        }
        if (model != null && !model.isBlank()) {
            return model;
        }
        String fromEnv = cli.env("PGAGENT_MODEL");
        return fromEnv != null ? fromEnv : anthropic(cli) ? DEFAULT_ANTHROPIC_MODEL : DEFAULT_MODEL;
    }

    /** Returns the base URL, or null for the provider's own. */
    @Nullable
    String baseUrl(Cli cli) {
        if (config != null) {
            return config.model().baseUrl().orElse(null);
        }
        return baseUrl != null && !baseUrl.isBlank()
                ? baseUrl
                : cli.env(anthropic(cli) ? "ANTHROPIC_BASE_URL" : "OPENAI_BASE_URL");
    }

    /** Returns whether a model is configured: an API key or a base URL. */
    boolean configured(Cli cli) {
        if (config != null) {
            return config.model().apiKey().isPresent()
                    || config.model().baseUrl().isPresent();
        }
        return cli.env(anthropic(cli) ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY") != null || baseUrl(cli) != null;
    }

    /**
     * Returns the client for the configured model.
     *
     * @throws UserException if no model is configured
     */
    LlmClient client(Cli cli) {
        if (!configured(cli)) {
            throw new UserException("no model configured: " + HOW_TO_CONFIGURE);
        }
        try {
            if (config != null) {
                return Models.client(config.model());
            }
            if (anthropic(cli)) {
                AnthropicLlmClient.Builder b = AnthropicLlmClient.builder().model(model(cli));
                String key = cli.env("ANTHROPIC_API_KEY");
                if (key != null) {
                    b.apiKey(key);
                }
                String url = baseUrl(cli);
                if (url != null) {
                    b.baseUrl(url);
                }
                return b.build();
            }
            OpenAiLlmClient.Builder b = OpenAiLlmClient.builder().model(model(cli));
            String key = cli.env("OPENAI_API_KEY");
            if (key != null) {
                b.apiKey(key);
            }
            String url = baseUrl(cli);
            if (url != null) {
                b.baseUrl(url);
            }
            return b.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            // the builder's messages name the setting and never the key
            throw new UserException("the model settings are invalid: " + e.getMessage());
        }
    }
}
