package dev.pgagent.api.schema;

import java.util.Objects;

/**
 * An index on a table or materialized view. Immutable.
 *
 * @param name the index name
 * @param definition the full {@code CREATE INDEX} statement ({@code pg_get_indexdef})
 * @param unique whether the index enforces uniqueness
 * @param primary whether the index backs the primary key
 */
public record IndexInfo(String name, String definition, boolean unique, boolean primary) {

    /** Validates the components. */
    public IndexInfo {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(definition, "definition == null");
    }
}
