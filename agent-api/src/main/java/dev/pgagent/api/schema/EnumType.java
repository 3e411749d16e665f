package dev.pgagent.api.schema;

import java.util.List;
import java.util.Objects;

/**
 * An enum type with its labels in sort order ({@code enumsortorder}). Immutable.
 *
 * @param schema the schema of the type
 * @param name the type name
 * @param labels the labels, in sort order
 */
public record EnumType(String schema, String name, List<String> labels) {

    /** Validates and copies the components. */
    public EnumType {
        Objects.requireNonNull(schema, "schema == null");
        Objects.requireNonNull(name, "name == null");
        labels = List.copyOf(Objects.requireNonNull(labels, "labels == null"));
    }

    /** Returns the type as {@code schema.name}. */
    public String qualifiedName() {
        return schema + "." + name;
    }
}
