package dev.pgagent.context;

import java.util.List;
import java.util.Objects;

/**
 * The part of a schema chosen for one question, rendered for a model. Immutable.
 *
 * @param text the rendering: one block a table, one line a column, and a last line saying how to reach the rest
 * @param tokens the number of tokens of {@code text}, counted with the builder's {@link TokenCounter}; never more
 *     than the budget asked for
 * @param tables the tables in {@code text}, in the order shown
 */
public record SchemaContext(String text, int tokens, List<ScoredTable> tables) {
    /** Validates and copies the components. */
    public SchemaContext {
        Objects.requireNonNull(text, "text == null");
        tables = List.copyOf(Objects.requireNonNull(tables, "tables == null"));
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens must be >= 0 but was " + tokens);
        }
    }

    /** Returns whether the table {@code schema.name} is in this context (case-insensitive). */
    public boolean contains(String qualifiedName) {
        Objects.requireNonNull(qualifiedName, "qualifiedName == null");
        return tables.stream().anyMatch(t -> t.qualifiedName().equalsIgnoreCase(qualifiedName));
    }
}
