package dev.pgagent.api.llm;

/**
 * Tokens counted by the provider for one call, or summed over several. {@code inputTokens} counts the whole prompt,
 * cached parts included; {@code cacheReadTokens} and {@code cacheWriteTokens} say how much of it was read from or
 * written to the provider's prompt cache (both 0 when the provider reports no caching).
 *
 * @param inputTokens tokens in the prompt, cached ones included; at least 0
 * @param outputTokens tokens the model wrote, reasoning included; at least 0
 * @param cacheReadTokens prompt tokens read from the provider's cache; at least 0
 * @param cacheWriteTokens prompt tokens written to the provider's cache; at least 0
 */
public record TokenUsage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens) {
    /** No tokens. */
    public static final TokenUsage ZERO = new TokenUsage(0, 0);

    /** Validates the counts. */
    public TokenUsage {
        check("inputTokens", inputTokens);
        check("outputTokens", outputTokens);
        check("cacheReadTokens", cacheReadTokens);
        check("cacheWriteTokens", cacheWriteTokens);
    }

    /** Creates a usage without cache counts. */
    public TokenUsage(long inputTokens, long outputTokens) {
        this(inputTokens, outputTokens, 0, 0);
    }

    private static void check(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0 but was " + value);
        }
    }

    /** Returns input plus output tokens. */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /** Returns the sum of this usage and {@code other}. */
    public TokenUsage plus(TokenUsage other) {
        return new TokenUsage(
                inputTokens + other.inputTokens,
                outputTokens + other.outputTokens,
                cacheReadTokens + other.cacheReadTokens,
                cacheWriteTokens + other.cacheWriteTokens);
    }
}
