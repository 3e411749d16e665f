package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.llm.openai.OpenAiLlmClient;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The options that say which language model to use; a picocli mixin. */
final class ModelOptions {
    static final String DEFAULT_MODEL = "gpt-4o-mini";

    static final String HOW_TO_CONFIGURE = "set OPENAI_API_KEY for OpenAI, or OPENAI_BASE_URL for any "
            + "OpenAI-compatible server (for a local Ollama: OPENAI_BASE_URL=http://localhost:11434/v1 "
            + "PGAGENT_MODEL=llama3.1)";

    @Option(
            names = "--model",
            paramLabel = "NAME",
            description = "The model name. Default: PGAGENT_MODEL, else " + DEFAULT_MODEL + ".")
    @Nullable String model;

    @Option(
            names = "--base-url",
            paramLabel = "URL",
            description = "An OpenAI-compatible API base URL. Default: OPENAI_BASE_URL, else https://api.openai.com/v1."
                    + " The key is read from OPENAI_API_KEY only.")
    @Nullable String baseUrl;

    /** Returns the model name to use. */
    String model(Cli cli) {
        if (model != null && !model.isBlank()) {
            return model;
        }
        String fromEnv = cli.env("PGAGENT_MODEL");
        return fromEnv != null ? fromEnv : DEFAULT_MODEL;
    }

    /** Returns the base URL, or null for OpenAI's. */
    @Nullable String baseUrl(Cli cli) {
        return baseUrl != null && !baseUrl.isBlank() ? baseUrl : cli.env("OPENAI_BASE_URL");
    }

    /** Returns whether a model is configured: an API key or a base URL. */
    boolean configured(Cli cli) {
        return cli.env("OPENAI_API_KEY") != null || baseUrl(cli) != null;
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
