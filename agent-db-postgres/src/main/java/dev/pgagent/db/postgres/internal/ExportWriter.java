package dev.pgagent.db.postgres.internal;

import dev.pgagent.api.sql.ExportFormat;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.ResultColumn;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Writes one export format row by row into a {@link StringBuilder}: the text before the first row, each row, and
 * the text after the last. CSV follows PostgreSQL's {@code COPY ... (FORMAT csv)} to the byte (a value is quoted
 * when it is empty, holds the delimiter, a quote, a carriage return or a line feed, or is {@code \.} alone in a
 * one-column result; NULL is nothing). Not thread-safe; one per export.
 */
public abstract class ExportWriter {
    final List<ResultColumn> columns;
    final boolean base64;

    private ExportWriter(List<ResultColumn> columns, ExportOptions options) {
        this.columns = List.copyOf(columns);
        this.base64 = options.byteaEncoding() == ExportOptions.ByteaEncoding.BASE64;
    }

    /** Returns the writer of {@code options}' format over {@code columns}. */
    public static ExportWriter of(ExportOptions options, List<ResultColumn> columns) {
        return switch (options.format()) {
            case CSV -> new Csv(columns, options);
            case JSON -> new Json(columns, options, false);
            case JSONL -> new Json(columns, options, true);
            case MARKDOWN -> new Markdown(columns, options);
        };
    }

    /** Returns the format written. */
    public abstract ExportFormat format();

    /** Appends what comes before the first row (a header line, an opening bracket). */
    public abstract void begin(StringBuilder out);

    /** Appends the row {@code values} (text as PostgreSQL prints it, null for NULL); {@code first} if no row came. */
    public abstract void row(StringBuilder out, @Nullable String[] values, boolean first);

    /** Appends what comes after the last row; {@code rows} is the number written. */
    public abstract void end(StringBuilder out, long rows);

    /** Returns the text after the last row when at least one row was written. */
    public String endAfterRows() {
        StringBuilder sb = new StringBuilder();
        end(sb, 1);
        return sb.toString();
    }

    String bytea(int column, String value) {
        return base64 && "bytea".equals(columns.get(column).typeName()) ? PgValues.bytea(value, true) : value;
    }

    private static final class Csv extends ExportWriter {
        private final char delimiter;
        private final boolean header;

        Csv(List<ResultColumn> columns, ExportOptions options) {
            super(columns, options);
            this.delimiter = options.delimiter();
            this.header = options.header();
        }

        @Override
        public ExportFormat format() {
            return ExportFormat.CSV;
        }

        @Override
        public void begin(StringBuilder out) {
            if (!header) {
                return;
            }
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) {
                    out.append(delimiter);
                }
                value(out, columns.get(i).name());
            }
            out.append('\n');
        }

        @Override
        public void row(StringBuilder out, @Nullable String[] values, boolean first) {
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    out.append(delimiter);
                }
                String v = values[i];
                if (v != null) {
                    value(out, bytea(i, v));
                }
            }
            out.append('\n');
        }

        private void value(StringBuilder out, String v) {
            boolean quote = v.isEmpty() || (columns.size() == 1 && v.equals("\\."));
            if (!quote) {
                for (int i = 0, n = v.length(); i < n; i++) {
                    char c = v.charAt(i);
                    if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
                        quote = true;
                        break;
                    }
                }
            }
            if (!quote) {
                out.append(v);
                return;
            }
            out.append('"');
            for (int i = 0, n = v.length(); i < n; i++) {
                char c = v.charAt(i);
                if (c == '"') {
                    out.append('"');
                }
                out.append(c);
            }
            out.append('"');
        }

        @Override
        public void end(StringBuilder out, long rows) {}
    }

    private static final class Json extends ExportWriter {
        private final boolean lines;
        private final String[] keys;

        Json(List<ResultColumn> columns, ExportOptions options, boolean lines) {
            super(columns, options);
            this.lines = lines;
            this.keys = new String[columns.size()];
            Set<String> used = new HashSet<>();
            for (int i = 0; i < keys.length; i++) {
                String name = columns.get(i).name();
                String key = name;
                for (int k = 2; !used.add(key); k++) {
                    key = name + "_" + k; // a JSON object's keys must differ
                }
                StringBuilder sb = new StringBuilder();
                PgValues.appendString(sb, key);
                keys[i] = sb.append(':').toString();
            }
        }

        @Override
        public ExportFormat format() {
            return lines ? ExportFormat.JSONL : ExportFormat.JSON;
        }

        @Override
        public void begin(StringBuilder out) {
            if (!lines) {
                out.append('[');
            }
        }

        @Override
        public void row(StringBuilder out, @Nullable String[] values, boolean first) {
            if (!lines) {
                out.append(first ? "\n" : ",\n");
            }
            out.append('{');
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(keys[i]);
                PgValues.appendJson(out, columns.get(i).typeName(), values[i], base64);
            }
            out.append('}');
            if (lines) {
                out.append('\n');
            }
        }

        @Override
        public void end(StringBuilder out, long rows) {
            if (!lines) {
                out.append(rows > 0 ? "\n]\n" : "]\n");
            }
        }
    }

    private static final class Markdown extends ExportWriter {
        Markdown(List<ResultColumn> columns, ExportOptions options) {
            super(columns, options);
        }

        @Override
        public ExportFormat format() {
            return ExportFormat.MARKDOWN;
        }

        @Override
        public void begin(StringBuilder out) {
            out.append('|');
            for (ResultColumn c : columns) {
                out.append(' ');
                cell(out, c.name());
                out.append(" |");
            }
            out.append("\n|");
            for (int i = 0; i < columns.size(); i++) {
                out.append(" --- |");
            }
            out.append('\n');
        }

        @Override
        public void row(StringBuilder out, @Nullable String[] values, boolean first) {
            out.append('|');
            for (int i = 0; i < values.length; i++) {
                out.append(' ');
                String v = values[i];
                if (v == null) {
                    out.append("*NULL*");
                } else {
                    cell(out, bytea(i, v));
                }
                out.append(" |");
            }
            out.append('\n');
        }

        private static void cell(StringBuilder out, String v) {
            for (int i = 0, n = v.length(); i < n; i++) {
                char c = v.charAt(i);
                switch (c) {
                    case '\\', '|', '*', '`', '[', ']' -> out.append('\\').append(c);
                    case '_' -> {
                        // inside a word (snake_case) an underscore is plain text in GitHub's Markdown
                        boolean inWord = i > 0
                                && i + 1 < n
                                && Character.isLetterOrDigit(v.charAt(i - 1))
                                && Character.isLetterOrDigit(v.charAt(i + 1));
                        out.append(inWord ? "_" : "\\_");
                    }
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '&' -> out.append("&amp;");
                    case '\r' -> {
                        out.append("<br>");
                        if (i + 1 < n && v.charAt(i + 1) == '\n') {
                            i++;
                        }
                    }
                    case '\n' -> out.append("<br>");
                    default -> out.append(c);
                }
            }
        }

        @Override
        public void end(StringBuilder out, long rows) {}
    }
}
