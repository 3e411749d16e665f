package dev.pgagent.api.schema;

import java.util.Objects;

/**
 * Names one column of one table, as the catalog spells them. Immutable.
 *
 * @param schema the table's schema
 * @param table the table's name
 * @param column the column's name
 */
public record ColumnRef(String schema, String table, String column) {
    /** Validates the components. */
    public ColumnRef {
        Objects.requireNonNull(schema, "schema == null");
        Objects.requireNonNull(table, "table == null");
        Objects.requireNonNull(column, "column == null");
    }

    @Override
    public String toString() {
        return schema + "." + table + "." + column;
    }
}
