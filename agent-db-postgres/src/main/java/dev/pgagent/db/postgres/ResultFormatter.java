package dev.pgagent.db.postgres;

import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.Truncation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Renders query results as compact text tables for a model's context or a terminal. Stateless and thread-safe.
 *
 * <pre>{@code
 * id | name  | price
 * ---+-------+------
 * 1  | Apple | 0.50
 * 2  | NULL  | 1.25
 * (2 rows)
 * }</pre>
 *
 * <p>SQL NULL shows as {@code NULL}; line breaks and tabs inside values as {@code \n} and {@code \t}; values longer
 * than {@value #MAX_CELL} characters are cut with {@code ...}. The last line always gives the row count and says
 * whether rows were left out, by the query's row or byte cap or by the size budget.
 */
public final class ResultFormatter {
    /** The longest value shown in full, in characters. */
    public static final int MAX_CELL = 200;

    private static final int MAX_ALIGN = 40;
    private static final int FOOTER_RESERVE = 220;

    private ResultFormatter() {}

    /**
     * Returns {@code result} as an aligned text table of at most {@code maxChars} characters, with a footer giving
     * the row count and saying whether (and why) rows were cut, by the query's caps or by {@code maxChars}.
     *
     * @param maxChars the size budget; at least 100 (below about 300 the footer alone may exceed it)
     * @throws IllegalArgumentException if {@code maxChars} is below 100
     */
    public static String toText(QueryResult result, int maxChars) {
        return page(result, maxChars).text();
    }

    /**
     * The text of a result and how many of its rows it shows.
     *
     * @param text the text table with its footer
     * @param shownRows the rows of the result the text shows, from the first
     */
    public record Page(String text, int shownRows) {
        /** Validates the components. */
        public Page {
            Objects.requireNonNull(text, "text == null");
        }
    }

    /**
     * Returns what {@link #toText(QueryResult, int)} returns, with the number of rows shown: the rows after them
     * did not fit in {@code maxChars}.
     *
     * @throws IllegalArgumentException if {@code maxChars} is below 100
     */
    public static Page page(QueryResult result, int maxChars) {
        Objects.requireNonNull(result, "result == null");
        if (maxChars < 100) {
            throw new IllegalArgumentException("maxChars must be >= 100 but was " + maxChars);
        }
        List<ResultColumn> columns = result.columns();
        if (columns.isEmpty()) {
            return new Page("(the statement returned no columns)", 0);
        }
        int n = columns.size();
        List<String[]> cells = new ArrayList<>();
        int[] width = new int[n];
        String[] header = new String[n];
        for (int i = 0; i < n; i++) {
            header[i] = cell(columns.get(i).name());
            width[i] = Math.min(MAX_ALIGN, header[i].length());
        }
        for (List<@Nullable String> row : result.rows()) {
            String[] r = new String[n];
            for (int i = 0; i < n; i++) {
                String v = row.get(i);
                r[i] = v == null ? "NULL" : cell(v);
                width[i] = Math.max(width[i], Math.min(MAX_ALIGN, r[i].length()));
            }
            cells.add(r);
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append("-+-");
            }
            sb.append("-".repeat(Math.max(1, width[i])));
        }
        sb.append('\n');
        int budget = maxChars - Math.min(FOOTER_RESERVE, maxChars / 2);
        int shown = 0;
        StringBuilder rowText = new StringBuilder();
        for (String[] r : cells) {
            rowText.setLength(0);
            line(rowText, r, width);
            if (sb.length() + rowText.length() > budget) {
                break;
            }
            sb.append(rowText);
            shown++;
        }
        if (sb.length() > budget) {
            // Even the header is too wide: keep its start.
            sb.setLength(Math.max(0, budget - 4));
            sb.append("...\n");
        }
        int total = result.rowCount();
        if (shown == total) {
            sb.append('(').append(total).append(total == 1 ? " row" : " rows");
        } else {
            sb.append(String.format(
                    Locale.ROOT,
                    "(showing %d of %d rows; the rest did not fit in %d characters",
                    shown,
                    total,
                    maxChars));
        }
        if (result.truncation() == Truncation.ROW_LIMIT) {
            sb.append("; result truncated at the row limit, the query returns more rows");
        } else if (result.truncation() == Truncation.BYTE_LIMIT) {
            sb.append("; result truncated at the byte limit, the query returns more rows");
        }
        sb.append(')');
        return new Page(sb.toString(), shown);
    }

    private static void line(StringBuilder sb, String[] values, int[] width) {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(" | ");
            }
            sb.append(values[i]);
            if (i < values.length - 1) {
                sb.append(" ".repeat(Math.max(0, width[i] - values[i].length())));
            }
        }
        sb.append('\n');
    }

    private static String cell(String v) {
        String s = v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\t') >= 0
                ? v.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
                : v;
        return s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 3) + "..." : s;
    }
}
