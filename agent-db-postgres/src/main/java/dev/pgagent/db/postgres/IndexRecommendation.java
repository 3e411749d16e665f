package dev.pgagent.db.postgres;

import dev.pgagent.api.Experimental;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One index {@link IndexAdvisor} recommends, with what it is estimated to gain. Costs are the planner's estimates
 * (its arbitrary units, weighted by each statement's call count), summed over the statements it helps, measured with
 * the indexes picked before it already in place.
 *
 * @param table the table, {@code schema.table} as the catalog names it (unquoted)
 * @param columns the key columns, in index order
 * @param include the INCLUDE columns of a covering index; empty otherwise
 * @param predicate the WHERE clause of a partial index, e.g. {@code status = 'open'::text}, or null
 * @param kind what shape of index this is
 * @param sizeBytes the index's estimated size in bytes (hypopg's estimate, or the size of the rolled-back build)
 * @param costBefore the helped statements' estimated cost without this index
 * @param costAfter the helped statements' estimated cost with it
 * @param statements the numbers (1-based, as in {@link IndexAdvice#statements()}) of the statements it helps
 * @param indexName the name the statement gives the index
 * @param createStatement {@code CREATE INDEX CONCURRENTLY name ON table (...)}, identifiers quoted
 * @param description one sentence saying what it is for, e.g. for a migration's description
 */
@Experimental
public record IndexRecommendation(
        String table,
        List<String> columns,
        List<String> include,
        @Nullable String predicate,
        Kind kind,
        long sizeBytes,
        double costBefore,
        double costAfter,
        List<Integer> statements,
        String indexName,
        String createStatement,
        String description) {

    /** The shape of a recommended index. */
    public enum Kind {
        /** A B-tree on one column. */
        SINGLE_COLUMN,
        /** A B-tree on several columns: equality columns, then a range or the sort keys. */
        MULTI_COLUMN,
        /** A B-tree whose INCLUDE columns let the statement read the index alone (index-only scan). */
        COVERING,
        /** A B-tree over only the rows under a constant filter the statements share. */
        PARTIAL
    }

    /** Validates and copies the components. */
    public IndexRecommendation {
        Objects.requireNonNull(table, "table == null");
        columns = List.copyOf(columns);
        include = List.copyOf(include);
        Objects.requireNonNull(kind, "kind == null");
        statements = List.copyOf(statements);
        Objects.requireNonNull(indexName, "indexName == null");
        Objects.requireNonNull(createStatement, "createStatement == null");
        Objects.requireNonNull(description, "description == null");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must be >= 0 but was " + sizeBytes);
        }
    }

    /** Returns the estimated gain as a fraction of {@link #costBefore()}, 0 to 1. */
    public double gain() {
        return costBefore <= 0 ? 0 : Math.max(0, (costBefore - costAfter) / costBefore);
    }
}
