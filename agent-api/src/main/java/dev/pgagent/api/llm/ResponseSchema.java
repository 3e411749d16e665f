package dev.pgagent.api.llm;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Asks for a reply that is one JSON value matching a JSON Schema. Providers that can constrain their output do so
 * (OpenAI's {@code response_format} of type {@code json_schema}, Anthropic's forced tool); for the others the schema
 * goes in the prompt. Either way the reply's text is the JSON; checking it against the schema is the caller's job
 * (pgagent's agent does it, with one repair attempt).
 *
 * @param name a name for the schema: 1 to 64 letters, digits, underscores or hyphens
 * @param schema the JSON Schema of the reply, as JSON text (an object)
 * @param strict whether to ask the provider for strict adherence (OpenAI's {@code strict}: every property required,
 *     no additional properties)
 */
public record ResponseSchema(String name, String schema, boolean strict) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** Validates the components. */
    public ResponseSchema {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(schema, "schema == null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must match [A-Za-z0-9_-]{1,64} but was " + name);
        }
        if (!schema.strip().startsWith("{")) {
            throw new IllegalArgumentException(
                    "schema must be a JSON object but was " + dev.pgagent.api.PgAgentException.abbreviate(schema, 80));
        }
    }

    /** Returns a strict schema. */
    public static ResponseSchema of(String name, String schema) {
        return new ResponseSchema(name, schema, true);
    }
}
