package dev.pgagent.context.internal;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.EnumType;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.TableInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Renders tables compactly for a model: a header line ({@code TABLE schema.name (~rows) -- comment}), then one line
 * a column ({@code name type PK -> other.table.id -- comment; values: 'a','b'}). Stateless and thread-safe.
 */
public final class Renderer {
    private static final int TABLE_COMMENT_CHARS = 100;
    private static final int COLUMN_COMMENT_CHARS = 60;
    private static final int VALUE_CHARS = 40;
    private static final int SHOWN_VALUES = 12;
    private static final int SHOWN_ENUM_LABELS = 6;
    private static final int COMPACT_COLUMNS = 8;

    private Renderer() {}

    /**
     * Renders one table.
     *
     * @param index the schema index
     * @param id the table's id
     * @param columnScores the columns' relevance to the question, in column order
     * @param values sample values to show, by column position
     * @param compact whether to leave out columns that are neither keys nor relevant
     */
    public static String table(
            SchemaIndex index, int id, double[] columnScores, Map<Integer, List<String>> values, boolean compact) {
        TableInfo t = index.table(id);
        StringBuilder sb = new StringBuilder(64 + 32 * t.columns().size());
        sb.append(
                        switch (t.kind()) {
                            case VIEW -> "VIEW ";
                            case MATERIALIZED_VIEW -> "MATVIEW ";
                            case FOREIGN_TABLE -> "FOREIGN TABLE ";
                            default -> "TABLE ";
                        })
                .append(t.qualifiedName());
        if (t.rowEstimate() > 0) {
            sb.append(" (~").append(humanCount(t.rowEstimate())).append(" rows)");
        }
        if (t.comment() != null && !t.comment().isBlank()) {
            sb.append(" -- ").append(cut(t.comment(), TABLE_COMMENT_CHARS));
        }
        sb.append('\n');
        Map<String, String> fkTargets = new HashMap<>();
        for (ForeignKey fk : t.foreignKeys()) {
            for (int i = 0; i < fk.columns().size(); i++) {
                fkTargets.putIfAbsent(
                        fk.columns().get(i),
                        fk.referencedQualifiedName() + "."
                                + fk.referencedColumns().get(i));
            }
        }
        boolean[] relevant = compact ? bestColumns(columnScores) : new boolean[0];
        int hidden = 0;
        for (int c = 0; c < t.columns().size(); c++) {
            ColumnInfo col = t.columns().get(c);
            boolean pk = t.primaryKey().contains(col.name());
            String fk = fkTargets.get(col.name());
            List<String> vals = values.get(c);
            if (compact && !pk && fk == null && vals == null && !relevant[c]) {
                hidden++;
                continue;
            }
            sb.append("  ").append(col.name()).append(' ').append(shortType(col.type()));
            if (pk) {
                sb.append(" PK");
            } else if (isUnique(t, col.name())) {
                sb.append(" UNIQUE");
            }
            if (fk != null) {
                sb.append(" -> ").append(fk);
            }
            String note = null;
            if (col.comment() != null && !col.comment().isBlank() && !compact) {
                note = cut(col.comment(), COLUMN_COMMENT_CHARS);
            }
            String valueText = null;
            if (vals != null && !vals.isEmpty()) {
                valueText = "values: " + valueList(vals, SHOWN_VALUES, vals.size());
            } else if (!compact) {
                EnumType e = index.enumOf(col);
                if (e != null && !e.labels().isEmpty()) {
                    valueText = "one of "
                            + valueList(
                                    e.labels(), SHOWN_ENUM_LABELS, e.labels().size());
                }
            }
            if (note != null || valueText != null) {
                sb.append(" -- ");
                if (note != null) {
                    sb.append(note);
                    if (valueText != null) {
                        sb.append("; ");
                    }
                }
                if (valueText != null) {
                    sb.append(valueText);
                }
            }
            sb.append('\n');
        }
        if (hidden > 0) {
            sb.append("  ... ").append(hidden).append(hidden == 1 ? " more column\n" : " more columns\n");
        }
        return sb.toString();
    }

    /** Marks the best {@value #COMPACT_COLUMNS} columns with a positive score (ties in column order). */
    private static boolean[] bestColumns(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        boolean[] keep = new boolean[scores.length];
        for (int k = 0; k < order.length && k < COMPACT_COLUMNS && scores[order[k]] > 0; k++) {
            keep[order[k]] = true;
        }
        return keep;
    }

    /** Returns the short spelling of a type PostgreSQL also accepts ({@code timestamptz}, {@code varchar(20)}). */
    static String shortType(String type) {
        return type.replace("timestamp with time zone", "timestamptz")
                .replace("timestamp without time zone", "timestamp")
                .replace("time with time zone", "timetz")
                .replace("time without time zone", "time")
                .replace("character varying", "varchar")
                .replace("character(", "char(")
                .replace("double precision", "float8")
                .replace("integer", "int");
    }

    /** Returns whether column {@code name} alone is a unique key of {@code t}. */
    private static boolean isUnique(TableInfo t, String name) {
        for (List<String> u : t.uniqueConstraints()) {
            if (u.size() == 1 && u.get(0).equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Returns {@code 'a','b',...} with at most {@code shown} values and a count of the rest. */
    static String valueList(List<String> values, int shown, int total) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(shown, values.size());
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('\'')
                    .append(cut(values.get(i), VALUE_CHARS).replace("'", "''"))
                    .append('\'');
        }
        if (total > n) {
            sb.append(",... (").append(total - n).append(" more)");
        }
        return sb.toString();
    }

    /** Returns {@code s} on one line, cut to {@code max} characters with an ellipsis. */
    static String cut(@Nullable String s, int max) {
        if (s == null) {
            return "";
        }
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= max ? one : one.substring(0, max - 3).stripTrailing() + "...";
    }

    private static String humanCount(long n) {
        if (n >= 1_000_000_000L) {
            return (n / 100_000_000L) / 10.0 + "B";
        }
        if (n >= 1_000_000L) {
            return (n / 100_000L) / 10.0 + "M";
        }
        if (n >= 1_000L) {
            return (n / 1_000L) + "k";
        }
        return Long.toString(n);
    }
}
