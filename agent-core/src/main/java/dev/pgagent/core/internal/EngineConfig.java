package dev.pgagent.core.internal;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.SafetyValidator;
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
 * @param tools every tool, built-in and host, names unique
 * @param policy the policy in force
 * @param validator the validator enforcing it
 * @param db the database operations
 * @param schema the schema summariser for the system prompt
 * @param audit the audit fan-out
 * @param confirmationHandler who approves statements needing confirmation
 * @param maxSteps model turns per ask
 * @param maxToolCallsPerStep tool calls run per step
 * @param timeout whole-ask time limit
 * @param tokenBudget tokens per ask
 * @param historyTokenBudget tokens of past turns sent with each request
 * @param schemaContextTokens tokens of schema summary in the system prompt
 * @param modelOptions options of every model call
 * @param listener step listener
 * @param tokenCounter counts tokens of texts
 * @param redactor hides personal data from the model
 * @param instructions extra instructions from the host, or null
 */
public record EngineConfig(
        LlmClient llm,
        List<Tool> tools,
        SafetyPolicy policy,
        SafetyValidator validator,
        DatabaseOps db,
        SchemaSummarizer schema,
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
        ResultRedactor redactor,
        @Nullable String instructions) {
    /** Validates and copies the components. */
    public EngineConfig {
        Objects.requireNonNull(llm, "llm == null");
        tools = List.copyOf(tools);
        Objects.requireNonNull(policy, "policy == null");
        Objects.requireNonNull(validator, "validator == null");
        Objects.requireNonNull(db, "db == null");
        Objects.requireNonNull(schema, "schema == null");
        Objects.requireNonNull(audit, "audit == null");
        Objects.requireNonNull(confirmationHandler, "confirmationHandler == null");
        Objects.requireNonNull(timeout, "timeout == null");
        Objects.requireNonNull(modelOptions, "modelOptions == null");
        Objects.requireNonNull(listener, "listener == null");
        Objects.requireNonNull(tokenCounter, "tokenCounter == null");
        Objects.requireNonNull(redactor, "redactor == null");
    }
}
