package dev.pgagent.api.schema;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One column of a table or view, as the catalog describes it. Immutable.
 *
 * @param name the column name
 * @param type the type as written in DDL ({@code format_type(atttypid, atttypmod)}, e.g. {@code numeric(10,2)})
 * @param nullable whether the column accepts NULL (no NOT NULL constraint)
 * @param defaultValue the default expression ({@code pg_get_expr}), or null when there is none or the column is
 *     generated
 * @param identity {@code "ALWAYS"} or {@code "BY DEFAULT"} for an identity column, else null
 * @param generated the generation expression of a {@code GENERATED ALWAYS AS (...) STORED} column, else null
 * @param comment the column's comment, or null
 */
public record ColumnInfo(
        String name,
        String type,
        boolean nullable,
        @Nullable String defaultValue,
        @Nullable String identity,
        @Nullable String generated,
        @Nullable String comment) {

    /** Validates the components. */
    public ColumnInfo {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(type, "type == null");
    }
}
