package dev.pgagent.cli;

import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.Truncation;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Renders a {@link QueryResult} as an aligned text table, the way psql does. */
final class TextTable {
    static final int MAX_CELL = 40;

    private TextTable() {}

    /** Returns the table, at most {@code maxRows} rows of it, with a footer giving the row count. */
    static String render(QueryResult result, int maxRows) {
        List<ResultColumn> columns = result.columns();
        int shown = Math.min(maxRows, result.rowCount());
        List<String[]> cells = new ArrayList<>();
        for (int r = 0; r < shown; r++) {
            List<@Nullable String> row = result.rows().get(r);
            String[] line = new String[columns.size()];
            for (int c = 0; c < line.length; c++) {
                line[c] = cell(row.get(c));
            }
            cells.add(line);
        }
        int[] width = new int[columns.size()];
        boolean[] right = new boolean[columns.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = cell(columns.get(c).name()).length();
            right[c] = numeric(columns.get(c));
            for (String[] line : cells) {
                width[c] = Math.max(width[c], line[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!columns.isEmpty()) {
            for (int c = 0; c < width.length; c++) {
                sb.append(c == 0 ? " " : " | ")
                        .append(center(cell(columns.get(c).name()), width[c]));
            }
            sb.append('\n');
            for (int c = 0; c < width.length; c++) {
                sb.append(c == 0 ? "" : "+").append("-".repeat(width[c] + 2));
            }
            sb.append('\n');
            for (String[] line : cells) {
                for (int c = 0; c < width.length; c++) {
                    sb.append(c == 0 ? " " : " | ").append(pad(line[c], width[c], right[c]));
                }
                sb.append('\n');
            }
        }
        sb.append(footer(result, shown));
        return sb.toString();
    }

    private static String footer(QueryResult result, int shown) {
        int rows = result.rowCount();
        StringBuilder f = new StringBuilder("(").append(rows).append(rows == 1 ? " row" : " rows");
        if (shown < rows) {
            f.append(", ").append(shown).append(" shown");
        }
        if (result.truncation() == Truncation.ROW_LIMIT) {
            f.append("; more rows were cut by the row limit");
        } else if (result.truncation() == Truncation.BYTE_LIMIT) {
            f.append("; more rows were cut by the size limit");
        }
        return f.append(")").toString();
    }

    private static String cell(@Nullable String value) {
        if (value == null) {
            return "";
        }
        String flat = value.replace("\r", "").replace('\n', ' ').replace('\t', ' ');
        return flat.length() <= MAX_CELL ? flat : flat.substring(0, MAX_CELL - 3) + "...";
    }

    private static boolean numeric(ResultColumn column) {
        switch (column.jdbcType()) {
            case Types.TINYINT,
                    Types.SMALLINT,
                    Types.INTEGER,
                    Types.BIGINT,
                    Types.NUMERIC,
                    Types.DECIMAL,
                    Types.REAL,
                    Types.FLOAT,
                    Types.DOUBLE -> {
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private static String pad(String s, int width, boolean right) {
        String space = " ".repeat(width - s.length());
        return right ? space + s : s + space;
    }

    private static String center(String s, int width) {
        int left = (width - s.length()) / 2;
        return " ".repeat(left) + s + " ".repeat(width - s.length() - left);
    }
}
