package dev.pgagent.api.sql;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What an export wrote.
 *
 * @param format the format written
 * @param columns the result's columns
 * @param rowCount the data rows written
 * @param byteCount the bytes written, header included
 * @param truncation whether the export stopped at its row or byte limit (then the query had more rows)
 * @param elapsed how long it took, validation and plan check included
 * @param serverCopy whether PostgreSQL wrote the rows ({@code COPY ... TO STDOUT}) rather than pgagent from a cursor
 */
public record ExportResult(
        ExportFormat format,
        List<ResultColumn> columns,
        long rowCount,
        long byteCount,
        Truncation truncation,
        Duration elapsed,
        boolean serverCopy) {

    /** Validates and copies the components. */
    public ExportResult {
        Objects.requireNonNull(format, "format == null");
        columns = List.copyOf(columns);
        Objects.requireNonNull(truncation, "truncation == null");
        Objects.requireNonNull(elapsed, "elapsed == null");
        if (rowCount < 0 || byteCount < 0) {
            throw new IllegalArgumentException(
                    "rowCount and byteCount must be >= 0 but were " + rowCount + ", " + byteCount);
        }
    }

    /** Returns whether the export stopped at a limit before the end of the result. */
    public boolean isTruncated() {
        return truncation != Truncation.NONE;
    }

    /** Returns the same result with another elapsed time. */
    public ExportResult withElapsed(Duration elapsed) {
        return new ExportResult(format, columns, rowCount, byteCount, truncation, elapsed, serverCopy);
    }
}
