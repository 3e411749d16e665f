package dev.pgagent.api.schema;

import java.util.List;
import java.util.Map;

/**
 * Supplies a sample of the distinct values of text columns, so the rendered context can show the model how values
 * are spelt ({@code status text -- values: 'shipped','pending'}). {@code SchemaContextBuilder} (agent-context) asks only about
 * text columns of the chosen tables that the question names or that are named like categories (status, type,
 * country, ...), all at once, and never about columns whose names suggest personal data or free text (email, phone,
 * name, address, password, note, description, ...). Implementations must be safe for concurrent use and should
 * cache; see {@code PgValueSampler} (agent-db-postgres).
 */
@FunctionalInterface
public interface ValueSampler {
    /** Samples nothing: the context is built from the schema alone. */
    ValueSampler NONE = columns -> Map.of();

    /**
     * Returns sample values for the columns asked about.
     *
     * @param columns the columns to sample
     * @return distinct values, most common first where known, by column; columns without a sample may be left out
     */
    Map<ColumnRef, List<String>> sample(List<ColumnRef> columns);
}
