package dev.pgagent.db.postgres;

import dev.pgagent.api.safety.SafetyPolicy;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The tables and columns whose data no statement may read, checked against PostgreSQL's own plan of each statement
 * before it runs: what the planner scans after expanding views, inheritance children, partitions and materialized
 * views' definitions. The {@link dev.pgagent.api.safety.SafetyValidator} refuses the names a statement spells; this
 * check refuses the data a statement reaches. Immutable.
 *
 * <p>Names are lower-cased; a table is {@code table} (any schema) or {@code schema.table}, a column
 * {@code table.column} or {@code schema.table.column}. A rule on a table also covers its inheritance children and
 * partitions.
 *
 * @param tables the denied tables
 * @param columns the denied columns
 */
public record DeniedData(Set<String> tables, Set<String> columns) {
    private static final DeniedData NONE = new DeniedData(Set.of(), Set.of());

    /** Validates, lower-cases and copies the names. */
    public DeniedData {
        tables = lower(Objects.requireNonNull(tables, "tables == null"));
        columns = lower(Objects.requireNonNull(columns, "columns == null"));
        for (String c : columns) {
            int parts = c.split("\\.", -1).length;
            if (parts < 2 || parts > 3) {
                throw new IllegalArgumentException("columns must be table.column or schema.table.column but held " + c);
            }
        }
    }

    private static Set<String> lower(Set<String> names) {
        return names.stream()
                .map(n -> {
                    if (n == null || n.isBlank()) {
                        throw new IllegalArgumentException("names must not be blank but held " + n);
                    }
                    return n.strip().toLowerCase(Locale.ROOT);
                })
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Returns no rules: nothing is checked. */
    public static DeniedData none() {
        return NONE;
    }

    /** Returns the denied tables and columns of {@code policy}. */
    public static DeniedData from(SafetyPolicy policy) {
        Objects.requireNonNull(policy, "policy == null");
        if (policy.deniedTables().isEmpty() && policy.deniedColumns().isEmpty()) {
            return NONE;
        }
        return new DeniedData(policy.deniedTables(), policy.deniedColumns());
    }

    /** Returns whether there is nothing to check. */
    public boolean isEmpty() {
        return tables.isEmpty() && columns.isEmpty();
    }
}
