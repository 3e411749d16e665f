package dev.pgagent.core;

import dev.pgagent.api.Experimental;

/**
 * Adds text to the system prompt of each ask, per database: examples, conventions, reminders. Called once per ask
 * and database while the prompt is assembled (on the asking thread), after the schema summary, whose block the text
 * joins; so it needs a schema context budget above zero. The agent's query memory (examples of earlier questions and
 * their SQL) is one. Implementations must be quick and safe for concurrent use; one that throws is logged at WARN and
 * left out of that prompt.
 *
 * <pre>{@code
 * .addPromptContributor((database, question, maxTokens) ->
 *         database.equals("sales") ? "Amounts are in cents; divide by 100 for euros." : "")
 * }</pre>
 */
@Experimental
@FunctionalInterface
public interface PromptContributor {
    /**
     * Returns the text to add for an ask about {@code question} on {@code database}, or an empty string for none.
     *
     * @param database the database's name in the agent
     * @param question the user's question
     * @param maxTokens about how many tokens the text may take
     */
    String contribute(String database, String question, int maxTokens);
}
