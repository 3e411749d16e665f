package dev.pgagent.config;

import dev.pgagent.api.Experimental;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@code agent} section: the limits of one question and what the system prompt holds. The names follow
 * {@code PostgresAgent.Builder}, so a host maps them one to one. Immutable and thread-safe.
 */
@Experimental
public final class AgentSettings {
    private final int maxSteps;
    private final int maxToolCallsPerStep;
    private final Duration timeout;
    private final long tokenBudget;
    private final int historyTokenBudget;
    private final int schemaContextTokens;
    private final boolean valueGrounding;
    private final @Nullable String instructions;

    AgentSettings(
            int maxSteps,
            int maxToolCallsPerStep,
            Duration timeout,
            long tokenBudget,
            int historyTokenBudget,
            int schemaContextTokens,
            boolean valueGrounding,
            @Nullable String instructions) {
        this.maxSteps = maxSteps;
        this.maxToolCallsPerStep = maxToolCallsPerStep;
        this.timeout = timeout;
        this.tokenBudget = tokenBudget;
        this.historyTokenBudget = historyTokenBudget;
        this.schemaContextTokens = schemaContextTokens;
        this.valueGrounding = valueGrounding;
        this.instructions = instructions;
    }

    /** Returns the most model turns in one question. Default: 8. */
    public int maxSteps() {
        return maxSteps;
    }

    /** Returns the most tool calls run in one turn. Default: 8. */
    public int maxToolCallsPerStep() {
        return maxToolCallsPerStep;
    }

    /** Returns the time limit of one question. Default: 120 s. */
    public Duration timeout() {
        return timeout;
    }

    /** Returns the most tokens one question may use. Default: 200,000. */
    public long tokenBudget() {
        return tokenBudget;
    }

    /** Returns the tokens of earlier turns a conversation sends with each question. Default: 8,000. */
    public int historyTokenBudget() {
        return historyTokenBudget;
    }

    /** Returns the tokens of schema summary in the system prompt. Default: 2,000. */
    public int schemaContextTokens() {
        return schemaContextTokens;
    }

    /** Returns whether sample values ground the schema summary. Default: true. */
    public boolean valueGrounding() {
        return valueGrounding;
    }

    /** Returns extra instructions for the system prompt. Default: none. */
    public Optional<String> instructions() {
        return Optional.ofNullable(instructions);
    }

    @Override
    public String toString() {
        return "AgentSettings[maxSteps=" + maxSteps + ", maxToolCallsPerStep=" + maxToolCallsPerStep + ", timeout="
                + timeout + ", tokenBudget=" + tokenBudget + ", historyTokenBudget=" + historyTokenBudget
                + ", schemaContextTokens=" + schemaContextTokens + ", valueGrounding=" + valueGrounding + "]";
    }
}
