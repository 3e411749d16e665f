package dev.pgagent.core.eval;

import dev.pgagent.api.sql.QueryResult;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a predicted result equals the gold result, the way execution accuracy is scored: the rows as a
 * multiset (in order only when the gold SQL orders them), the columns in any order (their labels are ignored; a
 * permutation of the predicted columns must make the rows match), numbers equal within a relative tolerance (so
 * {@code 2}, {@code 2.0} and {@code 2.0000000001} are one value), SQL NULL equal only to NULL, other values equal
 * only as identical text. Two results with no rows match when they have the same number of columns. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * ResultComparator compare = ResultComparator.builder().relativeTolerance(1e-6).build();
 * boolean right = compare.matches(gold, predicted, false);
 * }</pre>
 */
public final class ResultComparator {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    /** Most column permutations tried for one comparison; columns with equal values are rare, so few are tried. */
    private static final int MAX_PERMUTATIONS = 10_000;

    private final double relativeTolerance;

    private ResultComparator(Builder b) {
        this.relativeTolerance = b.relativeTolerance;
    }

    /** Returns a comparator with the default tolerance. */
    public static ResultComparator defaults() {
        return builder().build();
    }

    /** Returns a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the relative tolerance for numbers. */
    public double relativeTolerance() {
        return relativeTolerance;
    }

    /**
     * Returns whether {@code predicted} holds the same rows as {@code gold}; see the class comment.
     *
     * @param ordered whether row order counts (the gold SQL has a top-level {@code ORDER BY})
     */
    public boolean matches(QueryResult gold, QueryResult predicted, boolean ordered) {
        Objects.requireNonNull(gold, "gold == null");
        Objects.requireNonNull(predicted, "predicted == null");
        return matches(gold.columns().size(), gold.rows(), predicted.columns().size(), predicted.rows(), ordered);
    }

    /**
     * Returns whether the {@code predicted} rows equal the {@code gold} rows; each row a list of values rendered as
     * text, null for SQL NULL. The column count is taken from the first row (results without rows match each other).
     */
    public boolean matches(
            List<? extends List<@Nullable String>> gold,
            List<? extends List<@Nullable String>> predicted,
            boolean ordered) {
        Objects.requireNonNull(gold, "gold == null");
        Objects.requireNonNull(predicted, "predicted == null");
        int goldColumns = gold.isEmpty() ? 0 : gold.get(0).size();
        int predictedColumns =
                predicted.isEmpty() ? goldColumns : predicted.get(0).size();
        return matches(gold.isEmpty() ? predictedColumns : goldColumns, gold, predictedColumns, predicted, ordered);
    }

    private boolean matches(
            int goldColumns,
            List<? extends List<@Nullable String>> gold,
            int predictedColumns,
            List<? extends List<@Nullable String>> predicted,
            boolean ordered) {
        if (goldColumns != predictedColumns || gold.size() != predicted.size()) {
            return false;
        }
        if (gold.isEmpty()) {
            return true;
        }
        Value[][] g = values(gold, goldColumns);
        Value[][] p = values(predicted, predictedColumns);
        // which predicted column can stand for each gold column: the same values, in any order
        boolean[][] candidate = new boolean[goldColumns][goldColumns];
        for (int i = 0; i < goldColumns; i++) {
            Value[] gc = sortedColumn(g, i);
            boolean any = false;
            for (int j = 0; j < goldColumns; j++) {
                candidate[i][j] = sameSorted(gc, sortedColumn(p, j));
                any |= candidate[i][j];
            }
            if (!any) {
                return false;
            }
        }
        Value[][] goldRows = ordered ? g : sortedRows(g);
        return permute(0, new int[goldColumns], new boolean[goldColumns], candidate, goldRows, p, ordered, new int[] {
            MAX_PERMUTATIONS
        });
    }

    private boolean permute(
            int column,
            int[] mapping,
            boolean[] used,
            boolean[][] candidate,
            Value[][] goldRows,
            Value[][] predicted,
            boolean ordered,
            int[] budget) {
        int n = mapping.length;
        if (column == n) {
            budget[0]--;
            Value[][] mapped = new Value[predicted.length][n];
            for (int r = 0; r < predicted.length; r++) {
                for (int c = 0; c < n; c++) {
                    mapped[r][c] = predicted[r][mapping[c]];
                }
            }
            return sameRows(goldRows, ordered ? mapped : sortedRows(mapped));
        }
        for (int j = 0; j < n && budget[0] > 0; j++) {
            if (!used[j] && candidate[column][j]) {
                used[j] = true;
                mapping[column] = j;
                if (permute(column + 1, mapping, used, candidate, goldRows, predicted, ordered, budget)) {
                    return true;
                }
                used[j] = false;
            }
        }
        return false;
    }

    private boolean sameRows(Value[][] a, Value[][] b) {
        for (int r = 0; r < a.length; r++) {
            for (int c = 0; c < a[r].length; c++) {
                if (!same(a[r][c], b[r][c])) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean sameSorted(Value[] a, Value[] b) {
        for (int i = 0; i < a.length; i++) {
            if (!same(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }

    private boolean same(Value a, Value b) {
        if (a.text == null || b.text == null) {
            return a.text == null && b.text == null;
        }
        if (a.number != null && b.number != null) {
            int cmp = a.number.compareTo(b.number);
            if (cmp == 0) {
                return true;
            }
            BigDecimal scale = a.number.abs().max(b.number.abs());
            BigDecimal allowed = scale.multiply(BigDecimal.valueOf(relativeTolerance), MathContext.DECIMAL64);
            return a.number.subtract(b.number).abs().compareTo(allowed) <= 0;
        }
        return a.text.equals(b.text);
    }

    private static Value[][] values(List<? extends List<@Nullable String>> rows, int columns) {
        Value[][] out = new Value[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            List<@Nullable String> row = rows.get(r);
            if (row.size() != columns) {
                throw new IllegalArgumentException(
                        "row " + r + " must have " + columns + " values but had " + row.size());
            }
            Value[] v = new Value[columns];
            for (int c = 0; c < columns; c++) {
                v[c] = Value.of(row.get(c));
            }
            out[r] = v;
        }
        return out;
    }

    private static Value[] sortedColumn(Value[][] rows, int column) {
        Value[] out = new Value[rows.length];
        for (int r = 0; r < rows.length; r++) {
            out[r] = rows[r][column];
        }
        Arrays.sort(out, Value.ORDER);
        return out;
    }

    private static Value[][] sortedRows(Value[][] rows) {
        Value[][] copy = rows.clone();
        Arrays.sort(copy, (x, y) -> {
            for (int c = 0; c < x.length; c++) {
                int cmp = Value.ORDER.compare(x[c], y[c]);
                if (cmp != 0) {
                    return cmp;
                }
            }
            return 0;
        });
        return copy;
    }

    /** One value: its text (null for SQL NULL) and, when the text is a number, the number. */
    private static final class Value {
        /** NULL first, then numbers by value, then text by code point. */
        static final Comparator<Value> ORDER = (a, b) -> {
            if (a.text == null || b.text == null) {
                return a.text == null ? (b.text == null ? 0 : -1) : 1;
            }
            if (a.number != null && b.number != null) {
                return a.number.compareTo(b.number);
            }
            if (a.number != null || b.number != null) {
                return a.number != null ? -1 : 1;
            }
            return a.text.compareTo(b.text);
        };

        final @Nullable String text;
        final @Nullable BigDecimal number;

        private Value(@Nullable String text, @Nullable BigDecimal number) {
            this.text = text;
            this.number = number;
        }

        static Value of(@Nullable String text) {
            if (text == null) {
                return new Value(null, null);
            }
            String t = text.strip();
            // long digit strings are identifiers or codes more than numbers; they compare as text
            if (t.length() <= 60 && NUMBER.matcher(t).matches()) {
                return new Value(text, new BigDecimal(t));
            }
            return new Value(text, null);
        }
    }

    /** Builds a {@link ResultComparator}. Not thread-safe. */
    public static final class Builder {
        private double relativeTolerance = 1e-6;

        private Builder() {}

        /**
         * Sets the relative tolerance for numbers: two numbers are equal when they differ by at most this share of
         * the larger's magnitude. Default: 1e-6; 0 compares numbers exactly (yet {@code 2} still equals
         * {@code 2.0}).
         *
         * @throws IllegalArgumentException if negative, not finite, or 1 or more
         */
        public Builder relativeTolerance(double relativeTolerance) {
            if (!(relativeTolerance >= 0 && relativeTolerance < 1)) {
                throw new IllegalArgumentException(
                        "relativeTolerance must be >= 0 and < 1 but was " + relativeTolerance);
            }
            this.relativeTolerance = relativeTolerance;
            return this;
        }

        /** Returns the comparator. */
        public ResultComparator build() {
            return new ResultComparator(this);
        }
    }

    @Override
    public String toString() {
        return "ResultComparator{relativeTolerance=" + relativeTolerance + '}';
    }
}
