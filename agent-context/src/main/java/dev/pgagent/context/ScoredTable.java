package dev.pgagent.context;

import java.util.Objects;

/**
 * A table chosen for a {@link SchemaContext}: its name, its relevance score and whether it is there only to join
 * other chosen tables. Immutable.
 *
 * @param qualifiedName the table as {@code schema.name}
 * @param score the ranker's score for the question (higher is more relevant; 0 when it did not match)
 * @param viaForeignKey whether the table came in through foreign-key expansion (a join path or a referenced
 *     table) rather than by matching the question itself
 */
public record ScoredTable(String qualifiedName, double score, boolean viaForeignKey) {
    /** Validates the components. */
    public ScoredTable {
        Objects.requireNonNull(qualifiedName, "qualifiedName == null");
    }
}
