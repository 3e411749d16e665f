package dev.pgagent.core.internal;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.core.AgentListener;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything the engine needs, resolved by the public builder (or by a test).
 *
 * @param llm the model
 * @param hostTools the host's tools, offered besides the databases' built-in ones
 * @param databases the databases, the default one first; names unique
 * @param policy the agent's policy: the per-ask budgets (rows, bytes, database time) come from it
 * @param audit the audit fan-out
 * @param confirmationHandler who approves statements needing confirmation
 * @param maxSteps model turns per ask
 * @param maxToolCallsPerStep tool calls run per step
 * @param timeout whole-ask time limit
 * @param tokenBudget tokens per ask
 * @param historyTokenBudget tokens of past turns sent with each request
 * @param schemaContextTokens tokens of schema summary in the system prompt
 * @param modelOptions options of every model call
 * @param listener event listener
 * @param tokenCounter counts tokens of texts
 * @param instructions extra instructions from the host, or null
 * @param maxQuestionChars the longest question accepted, in characters
 */
public record EngineConfig(
        LlmClient llm,
        List<Tool> hostTools,
        List<DatabaseBinding> databases,
        SafetyPolicy policy,
        AuditFanout audit,
        ConfirmationHandler confirmationHandler,
        int maxSteps,
        int maxToolCallsPerStep,
        Duration timeout,
        long tokenBudget,
        int historyTokenBudget,
        int schemaContextTokens,
        ModelOptions modelOptions,
        AgentListener listener,
        TextTokenCounter tokenCounter,
        @Nullable String instructions,
        int maxQuestionChars) {
    /** Validates and copies the components. */
    public EngineConfig {
        Objects.requireNonNull(llm, "llm == null");
        hostTools = List.copyOf(hostTools);
        databases = List.copyOf(databases);
        if (databases.isEmpty()) {
            throw new IllegalArgumentException("databases must not be empty");
        }
        Objects.requireNonNull(policy, "policy == null");
        Objects.requireNonNull(audit, "audit == null");
        Objects.requireNonNull(confirmationHandler, "confirmationHandler == null");
        Objects.requireNonNull(timeout, "timeout == null");
        Objects.requireNonNull(modelOptions, "modelOptions == null");
        Objects.requireNonNull(listener, "listener == null");
        Objects.requireNonNull(tokenCounter, "tokenCounter == null");
        if (maxQuestionChars < 1) {
            throw new IllegalArgumentException("maxQuestionChars must be >= 1 but was " + maxQuestionChars);
        }
    }

    /** Returns the default database (the first). */
    public DatabaseBinding defaultDatabase() {
        return databases.get(0);
    }
}
