package dev.pgagent.api.schema;

/** The kind of a relation in a {@link SchemaModel}, from {@code pg_class.relkind}. */
public enum TableKind {
    /** An ordinary table ({@code relkind = 'r'}), including a partition of a partitioned table. */
    TABLE,
    /** A partitioned table ({@code relkind = 'p'}); its rows live in its partitions. */
    PARTITIONED_TABLE,
    /** A view ({@code relkind = 'v'}). */
    VIEW,
    /** A materialized view ({@code relkind = 'm'}). */
    MATERIALIZED_VIEW,
    /** A foreign table ({@code relkind = 'f'}). */
    FOREIGN_TABLE
}
