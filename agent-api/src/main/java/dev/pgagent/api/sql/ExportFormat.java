package dev.pgagent.api.sql;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** The formats a result can be exported in. */
public enum ExportFormat {
    /**
     * CSV as RFC 4180 and PostgreSQL's {@code COPY ... (FORMAT csv)} write it: a header line, values as PostgreSQL
     * prints them, SQL NULL as nothing and the empty string as {@code ""}, lines ended by {@code \n}. Byte for byte
     * what {@code psql -c "\copy (query) TO 'file' CSV HEADER"} writes for the same query and session settings.
     */
    CSV("csv"),
    /**
     * One JSON array of objects, one object a row keyed by column name: numbers as JSON numbers (exact), booleans,
     * {@code json}/{@code jsonb} embedded as JSON, arrays as JSON arrays, timestamps in ISO 8601 (with the offset for
     * {@code timestamptz}), intervals as ISO 8601 durations, bytea as a hex or base64 string, NULL as {@code null}.
     */
    JSON("json"),
    /** JSON Lines: the objects of {@link #JSON}, one a line, without the enclosing array. */
    JSONL("jsonl"),
    /** A Markdown (GitHub) table; NULL shows as {@code *NULL*}, line breaks as {@code <br>}. */
    MARKDOWN("md");

    private final String extension;

    ExportFormat(String extension) {
        this.extension = extension;
    }

    /** Returns the usual file extension, without the dot ({@code csv}, {@code json}, {@code jsonl}, {@code md}). */
    public String extension() {
        return extension;
    }

    /**
     * Returns the format a file name's extension names: {@code .csv}, {@code .json}, {@code .jsonl} or
     * {@code .ndjson}, {@code .md} or {@code .markdown} (any case); empty for any other name.
     */
    public static Optional<ExportFormat> fromFileName(String fileName) {
        Objects.requireNonNull(fileName, "fileName == null");
        String name = fileName.toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        return switch (name.substring(dot + 1)) {
            case "csv" -> Optional.of(CSV);
            case "json" -> Optional.of(JSON);
            case "jsonl", "ndjson" -> Optional.of(JSONL);
            case "md", "markdown" -> Optional.of(MARKDOWN);
            default -> Optional.empty();
        };
    }

    /**
     * Returns the format named {@code name}: {@code csv}, {@code json}, {@code jsonl} (or {@code ndjson}),
     * {@code md} (or {@code markdown}), in any case.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static ExportFormat of(String name) {
        Objects.requireNonNull(name, "name == null");
        return fromFileName("x." + name.strip())
                .orElseThrow(() ->
                        new IllegalArgumentException("format must be csv, json, jsonl or md but was '" + name + "'"));
    }
}
