package dev.pgagent.db.postgres;

import dev.pgagent.api.sql.QueryResult;
import java.util.Objects;

/** Renders query results as compact text tables for a model's context or a terminal. Stateless and thread-safe. */
public final class ResultFormatter {
    private ResultFormatter() {}

    /**
     * Returns {@code result} as an aligned text table of at most about {@code maxChars} characters, with a footer
     * giving the row count and saying whether (and why) rows were cut, by the query's caps or by {@code maxChars}.
     *
     * @param maxChars the size budget; at least 200
     */
    public static String toText(QueryResult result, int maxChars) {
        Objects.requireNonNull(result, "result == null");
        throw new UnsupportedOperationException("not yet implemented");
    }
}
