package dev.pgagent.api.sql;

/**
 * Hears how far an export got: called on the exporting thread every few thousand rows and once at the end, so it
 * must be quick. An exception thrown here stops the export (the transaction is rolled back).
 */
@FunctionalInterface
public interface ExportProgress {
    /** Does nothing. */
    ExportProgress NONE = (rows, bytes) -> {};

    /**
     * Reports the rows and bytes written so far.
     *
     * @param rows the data rows written (the header is not a row)
     * @param bytes the bytes written, header included
     */
    void onProgress(long rows, long bytes);
}
