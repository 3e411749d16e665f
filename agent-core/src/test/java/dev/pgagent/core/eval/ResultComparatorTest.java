package dev.pgagent.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ResultComparatorTest {
    private final ResultComparator compare = ResultComparator.defaults();

    private static List<List<@Nullable String>> rows(@Nullable String[]... rows) {
        List<List<@Nullable String>> out = new ArrayList<>();
        for (String[] r : rows) {
            out.add(Arrays.asList(r));
        }
        return out;
    }

    private static String[] r(@Nullable String... values) {
        return values;
    }

    @Test
    void ignoresRowOrderUnlessTheGoldOrders() {
        var gold = rows(r("a", "1"), r("b", "2"));
        var swapped = rows(r("b", "2"), r("a", "1"));

        assertThat(compare.matches(gold, swapped, false)).isTrue();
        assertThat(compare.matches(gold, swapped, true)).isFalse();
        assertThat(compare.matches(gold, gold, true)).isTrue();
    }

    @Test
    void ignoresColumnOrderButKeepsRowsTogether() {
        var gold = rows(r("a", "1"), r("b", "2"));

        assertThat(compare.matches(gold, rows(r("1", "a"), r("2", "b")), false)).isTrue();
        assertThat(compare.matches(gold, rows(r("2", "b"), r("1", "a")), false)).isTrue();
        // the same values per column, paired differently: not the same rows
        assertThat(compare.matches(gold, rows(r("a", "2"), r("b", "1")), false)).isFalse();
        assertThat(compare.matches(gold, rows(r("1", "a"), r("2", "b")), true)).isTrue();
    }

    @Test
    void triesColumnPermutationsWhenColumnsHoldTheSameValues() {
        var gold = rows(r("1", "2", "x"), r("2", "1", "y"));

        assertThat(compare.matches(gold, rows(r("2", "1", "x"), r("1", "2", "y")), false))
                .isTrue();
        assertThat(compare.matches(gold, rows(r("x", "2", "1"), r("y", "1", "2")), false))
                .isTrue();
        assertThat(compare.matches(gold, rows(r("1", "1", "x"), r("2", "2", "y")), false))
                .isFalse();
    }

    @Test
    void comparesNumbersWithinTheRelativeTolerance() {
        assertThat(compare.matches(rows(r("2")), rows(r("2.0")), false)).isTrue();
        assertThat(compare.matches(rows(r("0.3333333333")), rows(r("0.33333333")), false))
                .isTrue();
        assertThat(compare.matches(rows(r("1000000")), rows(r("1000000.5")), false))
                .isTrue();
        assertThat(compare.matches(rows(r("1000000")), rows(r("1000002")), false))
                .isFalse();
        assertThat(compare.matches(rows(r("1.5e3")), rows(r("1500")), false)).isTrue();
        assertThat(compare.matches(rows(r("0")), rows(r("0.0000001")), false)).isFalse();

        ResultComparator exact = ResultComparator.builder().relativeTolerance(0).build();
        assertThat(exact.matches(rows(r("2")), rows(r("2.00")), false)).isTrue();
        assertThat(exact.matches(rows(r("0.3333333333")), rows(r("0.33333333")), false))
                .isFalse();
        assertThat(exact.relativeTolerance()).isZero();
    }

    @Test
    void treatsNullAsEqualOnlyToNull() {
        assertThat(compare.matches(rows(r((String) null)), rows(r((String) null)), false))
                .isTrue();
        assertThat(compare.matches(rows(r((String) null)), rows(r("")), false)).isFalse();
        assertThat(compare.matches(rows(r((String) null)), rows(r("0")), false)).isFalse();
        assertThat(compare.matches(rows(r("a", null), r(null, "b")), rows(r(null, "a"), r("b", null)), false))
                .isTrue();
    }

    @Test
    void countsDuplicateRows() {
        var gold = rows(r("a"), r("a"), r("b"));

        assertThat(compare.matches(gold, rows(r("a"), r("b"), r("a")), false)).isTrue();
        assertThat(compare.matches(gold, rows(r("a"), r("b"), r("b")), false)).isFalse();
        assertThat(compare.matches(gold, rows(r("a"), r("b")), false)).isFalse();
    }

    @Test
    void textComparesExactly() {
        assertThat(compare.matches(rows(r("Alice")), rows(r("alice")), false)).isFalse();
        assertThat(compare.matches(rows(r("1a")), rows(r("1a")), false)).isTrue();
        assertThat(compare.matches(rows(r("1")), rows(r("one")), false)).isFalse();
    }

    @Test
    void needsTheSameNumberOfColumns() {
        assertThat(compare.matches(rows(r("a", "1")), rows(r("a")), false)).isFalse();
        assertThat(compare.matches(rows(), rows(), false)).isTrue();
        assertThat(compare.matches(rows(r("a")), rows(), false)).isFalse();
    }

    @Test
    void comparesQueryResultsByTheirColumnsAndRows() {
        QueryResult gold = result(List.of("name", "n"), rows(r("a", "1")));
        QueryResult renamed = result(List.of("n", "label"), rows(r("1", "a")));
        QueryResult emptyOne = result(List.of("x"), rows());
        QueryResult emptyTwo = result(List.of("x", "y"), rows());

        assertThat(compare.matches(gold, renamed, true)).isTrue();
        assertThat(compare.matches(emptyOne, result(List.of("z"), rows()), false))
                .isTrue();
        assertThat(compare.matches(emptyOne, emptyTwo, false)).isFalse();
    }

    @Test
    void rejectsABadToleranceAndRaggedRows() {
        assertThatThrownBy(() -> ResultComparator.builder().relativeTolerance(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("relativeTolerance must be >= 0 and < 1 but was -1.0");
        assertThatThrownBy(() -> ResultComparator.builder().relativeTolerance(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> compare.matches(rows(r("a", "b"), r("c")), rows(r("a", "b"), r("c", "d")), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row 1 must have 2 values but had 1");
        assertThat(compare.toString()).contains("1.0E-6");
    }

    private static QueryResult result(List<String> names, List<List<@Nullable String>> rows) {
        QueryResult.Builder b = QueryResult.builder()
                .columns(names.stream()
                        .map(n -> new ResultColumn(n, "text", Types.VARCHAR))
                        .toList());
        rows.forEach(b::addRow);
        return b.build();
    }
}
