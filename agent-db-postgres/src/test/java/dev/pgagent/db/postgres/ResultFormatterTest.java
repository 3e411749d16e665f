package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.Truncation;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultFormatterTest {
    private static QueryResult result(int rows, Truncation truncation) {
        QueryResult.Builder b = QueryResult.builder()
                .columns(List.of(
                        new ResultColumn("id", "int4", Types.INTEGER),
                        new ResultColumn("name", "text", Types.VARCHAR)));
        for (int i = 1; i <= rows; i++) {
            b.addRow(Arrays.asList(Integer.toString(i), i % 2 == 0 ? null : "name\tnumber\n" + i));
        }
        return b.truncation(truncation).build();
    }

    @Test
    void rendersAnAlignedTableWithNullsAndEscapes() {
        String text = ResultFormatter.toText(result(2, Truncation.NONE), 1_000);
        assertThat(text).isEqualTo("""
                id | name
                ---+----------------
                1  | name\\tnumber\\n1
                2  | NULL
                (2 rows)""");
    }

    @Test
    void statesTruncationByTheQueryCaps() {
        assertThat(ResultFormatter.toText(result(3, Truncation.ROW_LIMIT), 1_000))
                .endsWith("(3 rows; result truncated at the row limit, the query returns more rows)");
        assertThat(ResultFormatter.toText(result(3, Truncation.BYTE_LIMIT), 1_000))
                .contains("byte limit");
    }

    @Test
    void cutsToTheCharacterBudgetAndSaysSo() {
        String text = ResultFormatter.toText(result(1_000, Truncation.NONE), 2_000);
        assertThat(text.length()).isLessThanOrEqualTo(2_000);
        assertThat(text).containsPattern("\\(showing \\d+ of 1000 rows; the rest did not fit in 2000 characters\\)");
    }

    @Test
    void cutsVeryLongValues() {
        QueryResult r = QueryResult.builder()
                .columns(List.of(new ResultColumn("v", "text", Types.VARCHAR)))
                .addRow(List.of("y".repeat(5_000)))
                .build();
        assertThat(ResultFormatter.toText(r, 4_000))
                .contains("y".repeat(197) + "...")
                .doesNotContain("y".repeat(201));
    }

    @Test
    void describesAStatementWithoutColumns() {
        assertThat(ResultFormatter.toText(QueryResult.builder().build(), 500)).contains("no columns");
    }

    @Test
    void rejectsATinyBudget() {
        assertThatThrownBy(() -> ResultFormatter.toText(result(1, Truncation.NONE), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxChars must be >= 100 but was 10");
    }
}
