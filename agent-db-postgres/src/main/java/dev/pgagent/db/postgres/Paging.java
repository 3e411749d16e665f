package dev.pgagent.db.postgres;

import java.util.Objects;

/**
 * Builds the statement that reads one page of a read's rows: {@code SELECT * FROM (<the read>) AS pgagent_page
 * OFFSET n LIMIT m}. The page is a statement of its own: it is validated, plan-checked, guarded and audited like
 * any other, and rows come in the order the read gives them (give it an ORDER BY for stable pages). Stateless.
 *
 * <pre>{@code
 * String second = Paging.page("SELECT id, name FROM customers ORDER BY id", 100, 100);
 * }</pre>
 */
public final class Paging {
    private Paging() {}

    /**
     * Returns the statement reading the rows of {@code sql} from {@code offset} on, at most {@code limit} of them.
     * Trailing semicolons of {@code sql} are dropped; a trailing line comment is ended by a line break.
     *
     * @param offset the rows to skip; at least 0
     * @param limit the most rows; at least 1, or 0 for no limit
     * @throws IllegalArgumentException if {@code offset} or {@code limit} is negative
     */
    public static String page(String sql, long offset, long limit) {
        Objects.requireNonNull(sql, "sql == null");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0 but was " + offset);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 but was " + limit);
        }
        return "SELECT * FROM (\n" + GuardedExport.withoutTrailingSemicolons(sql) + "\n) AS pgagent_page"
                + (offset > 0 ? " OFFSET " + offset : "") + (limit > 0 ? " LIMIT " + limit : "");
    }
}
