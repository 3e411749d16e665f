package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaTextTest {
    private static TableInfo table(long rowEstimate) {
        return new TableInfo(
                "shop",
                "orders",
                TableKind.TABLE,
                List.of(new ColumnInfo("id", "integer", false, null, null, null, null)),
                List.of("id"),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                null,
                rowEstimate,
                List.of());
    }

    @Test
    void aTableNeverAnalysedSaysSoInsteadOfZeroRows() {
        assertThat(SchemaText.header(table(-1))).isEqualTo("shop.orders (table, not analysed)");
    }

    @Test
    void rowEstimatesAreSingularOrPlural() {
        assertThat(SchemaText.header(table(1))).isEqualTo("shop.orders (table, ~1 row)");
        assertThat(SchemaText.header(table(0))).isEqualTo("shop.orders (table, ~0 rows)");
        assertThat(SchemaText.header(table(4000))).isEqualTo("shop.orders (table, ~4000 rows)");
    }
}
