package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.schema.EnumType;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaModelTest {
    private static TableInfo table(String schema, String name) {
        return new TableInfo(
                schema,
                name,
                TableKind.TABLE,
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                null,
                -1);
    }

    private static final SchemaModel MODEL = new SchemaModel(
            List.of(
                    table("public", "orders"),
                    table("sales", "orders"),
                    table("sales", "Leads"),
                    table("crm", "contacts"),
                    table("crm", "Contacts")),
            List.of(new EnumType("public", "mood", List.of("sad", "happy"))),
            Instant.EPOCH);

    @Test
    void findsQualifiedNamesCaseInsensitively() {
        assertThat(MODEL.table("SALES.orders")).map(TableInfo::qualifiedName).contains("sales.orders");
        assertThat(MODEL.table("leads")).map(TableInfo::qualifiedName).contains("sales.Leads");
    }

    @Test
    void refusesToGuessBetweenSchemas() {
        assertThat(MODEL.table("orders")).isEmpty();
        assertThat(MODEL.table("public.orders")).map(TableInfo::qualifiedName).contains("public.orders");
    }

    @Test
    void prefersTheExactCaseAndOtherwiseRefusesToGuess() {
        assertThat(MODEL.table("Contacts")).map(TableInfo::name).contains("Contacts");
        assertThat(MODEL.table("CONTACTS")).isEmpty();
        assertThat(MODEL.table("missing")).isEmpty();
    }

    @Test
    void findsEnumsAndListsSchemas() {
        assertThat(MODEL.enumType("public.mood")).map(EnumType::labels).contains(List.of("sad", "happy"));
        assertThat(MODEL.schemas()).containsExactly("crm", "public", "sales");
    }

    @Test
    void validatesRecords() {
        assertThatThrownBy(() -> new ForeignKey("fk", List.of("a", "b"), "s", "t", List.of("x")))
                .hasMessage("referencedColumns must have 2 entries but had 1");
        assertThatThrownBy(() -> new TableInfo(
                        "s",
                        "t",
                        TableKind.TABLE,
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        null,
                        -2))
                .hasMessage("rowEstimate must be >= -1 but was -2");
    }
}
