package dev.pgagent.api.llm;

import dev.pgagent.api.LlmException;
import java.util.List;
import java.util.Objects;

/**
 * Reports that the model's reply did not match the requested {@link ResponseSchema}, even after it was shown what
 * was wrong and asked once to repair it. Not retryable as such: asking again may or may not help.
 */
public class StructuredOutputException extends LlmException {
    private static final long serialVersionUID = 1L;

    private final String schemaName;
    private final List<String> problems;

    /**
     * Creates the failure.
     *
     * @param schemaName the schema's name
     * @param problems what was wrong with the last reply, each with its JSON path; not empty
     */
    public StructuredOutputException(String schemaName, List<String> problems) {
        super(
                "the model's reply did not match the schema '" + schemaName + "' after one repair attempt: "
                        + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                        + (problems.size() > 5 ? " (and " + (problems.size() - 5) + " more)" : ""),
                Reason.INVALID_RESPONSE,
                false,
                null);
        this.schemaName = Objects.requireNonNull(schemaName, "schemaName == null");
        this.problems = List.copyOf(problems);
    }

    /** Returns the schema's name. */
    public String schemaName() {
        return schemaName;
    }

    /** Returns what was wrong with the last reply, each with its JSON path. */
    public List<String> problems() {
        return problems;
    }
}
