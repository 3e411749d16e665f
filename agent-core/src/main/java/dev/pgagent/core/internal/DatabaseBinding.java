package dev.pgagent.core.internal;

import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.api.tool.Tool;
import java.util.List;
import java.util.Objects;

/**
 * One named database of an agent, with everything the guarded path needs for it: its policy and validator, its
 * operations, its schema summary, its redactor and its built-in tools.
 *
 * @param name the name the model and the host use
 * @param description what it holds, shown to the model; may be empty
 * @param policy the policy of statements on it
 * @param validator the validator enforcing that policy
 * @param ops the database operations
 * @param summarizer the schema summary for the system prompt
 * @param redactor hides personal data of its results from the model
 * @param tools its built-in tools (execute_query, describe_table, ...), bound to it
 */
public record DatabaseBinding(
        String name,
        String description,
        SafetyPolicy policy,
        SafetyValidator validator,
        DatabaseOps ops,
        SchemaSummarizer summarizer,
        ResultRedactor redactor,
        List<Tool> tools) {

    /** Validates and copies the components. */
    public DatabaseBinding {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(description, "description == null");
        Objects.requireNonNull(policy, "policy == null");
        Objects.requireNonNull(validator, "validator == null");
        Objects.requireNonNull(ops, "ops == null");
        Objects.requireNonNull(summarizer, "summarizer == null");
        Objects.requireNonNull(redactor, "redactor == null");
        tools = List.copyOf(tools);
    }
}
