package dev.pgagent.api.schema;

import java.util.List;
import java.util.Objects;

/**
 * A foreign key constraint. Columns are listed in constraint order, so {@code columns().get(i)} references
 * {@code referencedColumns().get(i)}. Immutable.
 *
 * @param name the constraint name
 * @param columns the referencing columns, in order
 * @param referencedSchema the schema of the referenced table
 * @param referencedTable the referenced table's name
 * @param referencedColumns the referenced columns, in order
 */
public record ForeignKey(
        String name,
        List<String> columns,
        String referencedSchema,
        String referencedTable,
        List<String> referencedColumns) {

    /** Validates and copies the components. */
    public ForeignKey {
        Objects.requireNonNull(name, "name == null");
        columns = List.copyOf(Objects.requireNonNull(columns, "columns == null"));
        Objects.requireNonNull(referencedSchema, "referencedSchema == null");
        Objects.requireNonNull(referencedTable, "referencedTable == null");
        referencedColumns = List.copyOf(Objects.requireNonNull(referencedColumns, "referencedColumns == null"));
        if (columns.size() != referencedColumns.size()) {
            throw new IllegalArgumentException(
                    "referencedColumns must have " + columns.size() + " entries but had " + referencedColumns.size());
        }
    }

    /** Returns the referenced table as {@code schema.table}. */
    public String referencedQualifiedName() {
        return referencedSchema + "." + referencedTable;
    }
}
