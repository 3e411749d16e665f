package dev.pgagent.api.llm;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Describes a tool to the model.
 *
 * @param name the name the model calls it by: 1 to 64 letters, digits, underscores or hyphens
 * @param description what the tool does and when to use it, written for the model
 * @param parametersSchema a JSON Schema object, as JSON text, describing the arguments
 */
public record ToolSpec(String name, String description, String parametersSchema) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** An empty parameters schema, for tools that take no arguments. */
    public static final String NO_PARAMETERS = "{\"type\":\"object\",\"properties\":{}}";

    /** Validates the components. */
    public ToolSpec {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(description, "description == null");
        Objects.requireNonNull(parametersSchema, "parametersSchema == null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must match [A-Za-z0-9_-]{1,64} but was " + name);
        }
        if (!parametersSchema.strip().startsWith("{")) {
            throw new IllegalArgumentException("parametersSchema must be a JSON object but was " + parametersSchema);
        }
    }
}
