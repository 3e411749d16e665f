package dev.pgagent.core.eval;

/**
 * A model's price per million tokens, for the cost estimate of an evaluation.
 *
 * @param inputPerMillion the price of one million input (prompt) tokens, in any currency
 * @param outputPerMillion the price of one million output (completion) tokens, in the same currency
 */
public record Pricing(double inputPerMillion, double outputPerMillion) {
    /** Validates the prices. */
    public Pricing {
        if (!(inputPerMillion >= 0) || Double.isInfinite(inputPerMillion)) {
            throw new IllegalArgumentException("inputPerMillion must be >= 0 but was " + inputPerMillion);
        }
        if (!(outputPerMillion >= 0) || Double.isInfinite(outputPerMillion)) {
            throw new IllegalArgumentException("outputPerMillion must be >= 0 but was " + outputPerMillion);
        }
    }

    /** Returns the cost of the given tokens. */
    public double cost(long inputTokens, long outputTokens) {
        return inputTokens / 1e6 * inputPerMillion + outputTokens / 1e6 * outputPerMillion;
    }
}
