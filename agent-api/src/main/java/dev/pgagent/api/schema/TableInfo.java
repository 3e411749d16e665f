package dev.pgagent.api.schema;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One relation (table, partitioned table, view, materialized view or foreign table) with its columns, keys,
 * constraints and indexes. Immutable.
 *
 * <p>Partitions are folded under their parent: a partition ({@code pg_class.relispartition}) is not a
 * {@link SchemaModel#tables() table} of its own; its parent lists it in {@link #partitions()} and the parent's
 * {@link #rowEstimate()} is the sum of its partitions' estimates.
 *
 * @param schema the schema name
 * @param name the relation name
 * @param kind the kind of relation
 * @param columns the columns, in attribute order
 * @param primaryKey the primary key's columns, in key order; empty when there is none
 * @param uniqueConstraints the column lists of the UNIQUE constraints, each in constraint order
 * @param foreignKeys the outgoing foreign keys
 * @param checkConstraints the CHECK constraints as {@code pg_get_constraintdef} prints them
 * @param indexes the indexes
 * @param comment the relation's comment, or null
 * @param rowEstimate the planner's row estimate ({@code reltuples}), or -1 when unknown (never analyzed)
 * @param partitions the qualified names ({@code schema.name}) of the partitions of a partitioned table, in name
 *     order; empty for other relations
 */
public record TableInfo(
        String schema,
        String name,
        TableKind kind,
        List<ColumnInfo> columns,
        List<String> primaryKey,
        List<List<String>> uniqueConstraints,
        List<ForeignKey> foreignKeys,
        List<String> checkConstraints,
        List<IndexInfo> indexes,
        @Nullable String comment,
        long rowEstimate,
        List<String> partitions) {

    /** Validates and copies the components. */
    public TableInfo {
        Objects.requireNonNull(schema, "schema == null");
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(kind, "kind == null");
        columns = List.copyOf(Objects.requireNonNull(columns, "columns == null"));
        primaryKey = List.copyOf(Objects.requireNonNull(primaryKey, "primaryKey == null"));
        uniqueConstraints = Objects.requireNonNull(uniqueConstraints, "uniqueConstraints == null").stream()
                .map(List::copyOf)
                .toList();
        foreignKeys = List.copyOf(Objects.requireNonNull(foreignKeys, "foreignKeys == null"));
        checkConstraints = List.copyOf(Objects.requireNonNull(checkConstraints, "checkConstraints == null"));
        indexes = List.copyOf(Objects.requireNonNull(indexes, "indexes == null"));
        partitions = List.copyOf(Objects.requireNonNull(partitions, "partitions == null"));
        if (rowEstimate < -1) {
            throw new IllegalArgumentException("rowEstimate must be >= -1 but was " + rowEstimate);
        }
    }

    /** Creates a relation without partitions (the contract's original shape). */
    public TableInfo(
            String schema,
            String name,
            TableKind kind,
            List<ColumnInfo> columns,
            List<String> primaryKey,
            List<List<String>> uniqueConstraints,
            List<ForeignKey> foreignKeys,
            List<String> checkConstraints,
            List<IndexInfo> indexes,
            @Nullable String comment,
            long rowEstimate) {
        this(
                schema,
                name,
                kind,
                columns,
                primaryKey,
                uniqueConstraints,
                foreignKeys,
                checkConstraints,
                indexes,
                comment,
                rowEstimate,
                List.of());
    }

    /** Returns {@code schema.name}. */
    public String qualifiedName() {
        return schema + "." + name;
    }

    /** Returns the column named {@code columnName} (exact match first, then case-insensitive), if any. */
    public java.util.Optional<ColumnInfo> column(String columnName) {
        Objects.requireNonNull(columnName, "columnName == null");
        for (ColumnInfo c : columns) {
            if (c.name().equals(columnName)) {
                return java.util.Optional.of(c);
            }
        }
        return columns.stream()
                .filter(c -> c.name().equalsIgnoreCase(columnName))
                .findFirst();
    }
}
