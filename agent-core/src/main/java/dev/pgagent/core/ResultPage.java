package dev.pgagent.core;

import dev.pgagent.api.sql.QueryResult;
import java.util.Objects;

/**
 * One page of a read's rows, read with {@link GuardedPath#page(String, String, long, int)}.
 *
 * @param rows the page's rows (redacted as a model would see them)
 * @param offset the rows of the read before this page
 * @param hasMore whether the read has rows after this page (known exactly: one row more than the page is fetched)
 */
public record ResultPage(QueryResult rows, long offset, boolean hasMore) {
    /** Validates the components. */
    public ResultPage {
        Objects.requireNonNull(rows, "rows == null");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0 but was " + offset);
        }
    }

    /** Returns the offset of the next page. */
    public long nextOffset() {
        return offset + rows.rowCount();
    }
}
