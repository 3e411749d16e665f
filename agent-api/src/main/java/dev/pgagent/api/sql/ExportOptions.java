package dev.pgagent.api.sql;

import java.time.Duration;
import java.util.Objects;

/**
 * How a result is exported: its format, CSV details, how bytea is written, whether personal data is redacted, and
 * the export's own row, byte and time limits (exports do not use the caps on what the model is shown). Immutable
 * and thread-safe.
 *
 * <pre>{@code
 * ExportOptions csv = ExportOptions.builder().format(ExportFormat.CSV).delimiter(';').build();
 * ExportOptions json = ExportOptions.of(ExportFormat.JSONL);
 * }</pre>
 */
public final class ExportOptions {
    /** The default row limit: 10,000,000 rows. */
    public static final long DEFAULT_MAX_ROWS = 10_000_000L;

    /** The default byte limit: 4 GiB. */
    public static final long DEFAULT_MAX_BYTES = 4L * 1024 * 1024 * 1024;

    /** The default time limit: 10 minutes. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    /** CSV with a header, default limits. */
    public static final ExportOptions DEFAULTS = builder().build();

    /** How bytea values are written. */
    public enum ByteaEncoding {
        /** As PostgreSQL prints them: {@code \x} followed by hex digits. */
        HEX,
        /** As base64 (RFC 4648, no line breaks). */
        BASE64
    }

    private final ExportFormat format;
    private final char delimiter;
    private final boolean header;
    private final ByteaEncoding byteaEncoding;
    private final boolean redact;
    private final long maxRows;
    private final long maxBytes;
    private final Duration timeout;
    private final ExportProgress progress;

    private ExportOptions(Builder b) {
        this.format = b.format;
        this.delimiter = b.delimiter;
        this.header = b.header;
        this.byteaEncoding = b.byteaEncoding;
        this.redact = b.redact;
        this.maxRows = b.maxRows;
        this.maxBytes = b.maxBytes;
        this.timeout = b.timeout;
        this.progress = b.progress;
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the default options with another format. */
    public static ExportOptions of(ExportFormat format) {
        return builder().format(format).build();
    }

    /** Returns a builder holding these options. */
    public Builder toBuilder() {
        return builder()
                .format(format)
                .delimiter(delimiter)
                .header(header)
                .byteaEncoding(byteaEncoding)
                .redact(redact)
                .maxRows(maxRows)
                .maxBytes(maxBytes)
                .timeout(timeout)
                .progress(progress);
    }

    /** Returns the format. */
    public ExportFormat format() {
        return format;
    }

    /** Returns the CSV field delimiter. */
    public char delimiter() {
        return delimiter;
    }

    /** Returns whether a CSV export starts with a header line of column names. */
    public boolean header() {
        return header;
    }

    /** Returns how bytea values are written. */
    public ByteaEncoding byteaEncoding() {
        return byteaEncoding;
    }

    /** Returns whether personal data is redacted by the policy's redactor, as for the model. */
    public boolean redact() {
        return redact;
    }

    /** Returns the most data rows written; a longer result is cut and the export says so. */
    public long maxRows() {
        return maxRows;
    }

    /** Returns the most bytes written (header included); a row that would pass it is not written. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Returns the export's statement timeout. */
    public Duration timeout() {
        return timeout;
    }

    /** Returns who hears of the export's progress. */
    public ExportProgress progress() {
        return progress;
    }

    /** Returns whether the options ask for nothing PostgreSQL's own CSV writer cannot do. */
    public boolean isPlainCsv() {
        return format == ExportFormat.CSV && byteaEncoding == ByteaEncoding.HEX && !redact;
    }

    @Override
    public String toString() {
        return "ExportOptions{format=" + format + ", delimiter='" + delimiter + "', header=" + header + ", bytea="
                + byteaEncoding + ", redact=" + redact + ", maxRows=" + maxRows + ", maxBytes=" + maxBytes
                + ", timeout=" + timeout + '}';
    }

    /** Builds {@link ExportOptions}. Not thread-safe. */
    public static final class Builder {
        private ExportFormat format = ExportFormat.CSV;
        private char delimiter = ',';
        private boolean header = true;
        private ByteaEncoding byteaEncoding = ByteaEncoding.HEX;
        private boolean redact;
        private long maxRows = DEFAULT_MAX_ROWS;
        private long maxBytes = DEFAULT_MAX_BYTES;
        private Duration timeout = DEFAULT_TIMEOUT;
        private ExportProgress progress = ExportProgress.NONE;

        private Builder() {}

        /** Sets the format. Default: {@link ExportFormat#CSV}. */
        public Builder format(ExportFormat format) {
            this.format = Objects.requireNonNull(format, "format == null");
            return this;
        }

        /**
         * Sets the CSV field delimiter: one ASCII character other than a quote, a line break or a backslash.
         * Default: {@code ','}.
         */
        public Builder delimiter(char delimiter) {
            if (delimiter == '"'
                    || delimiter == '\n'
                    || delimiter == '\r'
                    || delimiter == '\\'
                    || delimiter > 127
                    || (delimiter < 32 && delimiter != '\t')) {
                throw new IllegalArgumentException("delimiter must be a printable ASCII character or a tab other "
                        + "than '\"' and '\\' but was " + (int) delimiter);
            }
            this.delimiter = delimiter;
            return this;
        }

        /** Sets whether a CSV export starts with a header line. Default: true. */
        public Builder header(boolean header) {
            this.header = header;
            return this;
        }

        /** Sets how bytea values are written. Default: {@link ByteaEncoding#HEX}. */
        public Builder byteaEncoding(ByteaEncoding byteaEncoding) {
            this.byteaEncoding = Objects.requireNonNull(byteaEncoding, "byteaEncoding == null");
            return this;
        }

        /**
         * Sets whether values are redacted by the database policy's PII redactor, as the model would see them.
         * Default: false (an export is the host's own read of real values).
         */
        public Builder redact(boolean redact) {
            this.redact = redact;
            return this;
        }

        /** Sets the most data rows written; at least 1. Default: 10,000,000. */
        public Builder maxRows(long maxRows) {
            if (maxRows < 1) {
                throw new IllegalArgumentException("maxRows must be >= 1 but was " + maxRows);
            }
            this.maxRows = maxRows;
            return this;
        }

        /** Sets the most bytes written, header included; at least 1. Default: 4 GiB. */
        public Builder maxBytes(long maxBytes) {
            if (maxBytes < 1) {
                throw new IllegalArgumentException("maxBytes must be >= 1 but was " + maxBytes);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /**
         * Sets the export's statement timeout, at most {@link Integer#MAX_VALUE} ms; it replaces the policy's
         * statement timeout for the export, which does not count against an ask's database time. Default: 10 min.
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout == null");
            if (timeout.isZero()
                    || timeout.isNegative()
                    || timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
                throw new IllegalArgumentException(
                        "timeout must be positive and at most " + Integer.MAX_VALUE + " ms but was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Sets who hears of the export's progress. Default: {@link ExportProgress#NONE}. */
        public Builder progress(ExportProgress progress) {
            this.progress = Objects.requireNonNull(progress, "progress == null");
            return this;
        }

        /** Returns the options. */
        public ExportOptions build() {
            return new ExportOptions(this);
        }
    }
}
