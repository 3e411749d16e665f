package dev.pgagent.api.sql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A result table: typed columns and rows of values rendered as PostgreSQL prints them (numeric exactly, timestamptz
 * in ISO 8601 with offset, json as text, arrays in PostgreSQL's array syntax, bytea as {@code \x...} hex, SQL NULL as
 * Java null). Immutable and thread-safe.
 */
public final class QueryResult implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final List<ResultColumn> columns;
    private final List<List<@Nullable String>> rows;
    private final Truncation truncation;
    private final long byteCount;
    private final Duration elapsed;

    private QueryResult(Builder b) {
        this.columns = List.copyOf(b.columns);
        List<List<@Nullable String>> copy = new ArrayList<>(b.rows.size());
        for (List<@Nullable String> row : b.rows) {
            copy.add(Collections.unmodifiableList(new ArrayList<>(row)));
        }
        this.rows = Collections.unmodifiableList(copy);
        this.truncation = b.truncation;
        this.byteCount = b.byteCount;
        this.elapsed = b.elapsed;
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the columns, in result order. */
    public List<ResultColumn> columns() {
        return columns;
    }

    /** Returns the rows kept; each row has one entry a column, null for SQL NULL. */
    public List<List<@Nullable String>> rows() {
        return rows;
    }

    /** Returns the number of rows kept. */
    public int rowCount() {
        return rows.size();
    }

    /** Returns whether and why rows were cut. */
    public Truncation truncation() {
        return truncation;
    }

    /** Returns whether rows were cut by a cap. */
    public boolean isTruncated() {
        return truncation != Truncation.NONE;
    }

    /** Returns the approximate size in bytes (UTF-8) of the values kept. */
    public long byteCount() {
        return byteCount;
    }

    /** Returns how long the statement took, fetching included. */
    public Duration elapsed() {
        return elapsed;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof QueryResult other
                && columns.equals(other.columns)
                && rows.equals(other.rows)
                && truncation == other.truncation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(columns, rows, truncation);
    }

    @Override
    public String toString() {
        return "QueryResult{columns=" + columns.size() + ", rows=" + rows.size() + ", truncation=" + truncation
                + ", elapsed=" + elapsed + '}';
    }

    /** Builds a {@link QueryResult}. Not thread-safe. */
    public static final class Builder {
        private List<ResultColumn> columns = List.of();
        private final List<List<@Nullable String>> rows = new ArrayList<>();
        private Truncation truncation = Truncation.NONE;
        private long byteCount;
        private Duration elapsed = Duration.ZERO;

        private Builder() {}

        /** Sets the columns. Default: none. */
        public Builder columns(List<ResultColumn> columns) {
            this.columns = List.copyOf(Objects.requireNonNull(columns, "columns == null"));
            return this;
        }

        /** Appends a row; it must have one value a column. */
        public Builder addRow(List<@Nullable String> row) {
            Objects.requireNonNull(row, "row == null");
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("row must have " + columns.size() + " values but had " + row.size());
            }
            rows.add(row);
            return this;
        }

        /** Sets whether and why rows were cut. Default: {@link Truncation#NONE}. */
        public Builder truncation(Truncation truncation) {
            this.truncation = Objects.requireNonNull(truncation, "truncation == null");
            return this;
        }

        /** Sets the size of the values kept, in bytes. Default: 0. */
        public Builder byteCount(long byteCount) {
            if (byteCount < 0) {
                throw new IllegalArgumentException("byteCount must be >= 0 but was " + byteCount);
            }
            this.byteCount = byteCount;
            return this;
        }

        /** Sets the elapsed time. Default: zero. */
        public Builder elapsed(Duration elapsed) {
            this.elapsed = Objects.requireNonNull(elapsed, "elapsed == null");
            return this;
        }

        /** Returns the result. */
        public QueryResult build() {
            return new QueryResult(this);
        }
    }
}
