package dev.pgagent.core.internal;

/** Returns a compact schema summary for a question within a token budget, for the system prompt. */
@FunctionalInterface
public interface SchemaSummarizer {
    /** Returns the summary text; may be empty. May throw when the schema cannot be read. */
    String summarize(String question, int tokenBudget);
}
