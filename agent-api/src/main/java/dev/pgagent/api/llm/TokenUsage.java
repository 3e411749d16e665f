package dev.pgagent.api.llm;

/**
 * Tokens counted by the provider for one call, or summed over several.
 *
 * @param inputTokens tokens in the prompt; at least 0
 * @param outputTokens tokens the model wrote; at least 0
 */
public record TokenUsage(long inputTokens, long outputTokens) {
    /** No tokens. */
    public static final TokenUsage ZERO = new TokenUsage(0, 0);

    /** Validates the counts. */
    public TokenUsage {
        if (inputTokens < 0) {
            throw new IllegalArgumentException("inputTokens must be >= 0 but was " + inputTokens);
        }
        if (outputTokens < 0) {
            throw new IllegalArgumentException("outputTokens must be >= 0 but was " + outputTokens);
        }
    }

    /** Returns input plus output tokens. */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /** Returns the sum of this usage and {@code other}. */
    public TokenUsage plus(TokenUsage other) {
        return new TokenUsage(inputTokens + other.inputTokens, outputTokens + other.outputTokens);
    }
}
