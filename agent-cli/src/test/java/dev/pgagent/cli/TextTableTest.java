package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.Truncation;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextTableTest {
    @Test
    void alignsNumbersRightAndTextLeftUnderCenteredHeaders() {
        QueryResult r = QueryResult.builder()
                .columns(List.of(
                        new ResultColumn("name", "text", Types.VARCHAR),
                        new ResultColumn("revenue", "numeric", Types.NUMERIC)))
                .addRow(List.of("Anna", "1234.50"))
                .addRow(Arrays.asList("Ben", null))
                .build();

        assertThat(TextTable.render(r, 10))
                .isEqualTo(String.join(
                        "\n", " name | revenue", "------+---------", " Anna | 1234.50", " Ben  |        ", "(2 rows)"));
    }

    @Test
    void saysHowManyRowsAreShownAndWhyTheResultWasCut() {
        QueryResult.Builder b = QueryResult.builder()
                .columns(List.of(new ResultColumn("n", "int4", Types.INTEGER)))
                .truncation(Truncation.ROW_LIMIT);
        for (int i = 0; i < 5; i++) {
            b.addRow(List.of(Integer.toString(i)));
        }

        String text = TextTable.render(b.build(), 2);

        assertThat(text).endsWith("(5 rows, 2 shown; more rows were cut by the row limit)");
        assertThat(text.lines()).hasSize(5);
    }

    @Test
    void shortensLongCellsAndFlattensNewlines() {
        QueryResult r = QueryResult.builder()
                .columns(List.of(new ResultColumn("body", "text", Types.VARCHAR)))
                .addRow(List.of("line one\nline two " + "x".repeat(100)))
                .build();

        String row = TextTable.render(r, 10).lines().skip(2).findFirst().orElseThrow();

        assertThat(row).startsWith(" line one line two x").endsWith("...").hasSize(TextTable.MAX_CELL + 1);
    }
}
