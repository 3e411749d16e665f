package dev.pgagent.db.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchemaIntrospectorTest {
    private static final Set<String> KEYWORDS = Set.of("user", "order", "select");

    @Test
    void quotesIdentifiersLikePostgres() {
        assertThat(SchemaIntrospector.quote("plain_name1", KEYWORDS, false)).isEqualTo("plain_name1");
        assertThat(SchemaIntrospector.quote("_x", KEYWORDS, false)).isEqualTo("_x");
        assertThat(SchemaIntrospector.quote("Mixed", KEYWORDS, false)).isEqualTo("\"Mixed\"");
        assertThat(SchemaIntrospector.quote("1abc", KEYWORDS, false)).isEqualTo("\"1abc\"");
        assertThat(SchemaIntrospector.quote("has space", KEYWORDS, false)).isEqualTo("\"has space\"");
        assertThat(SchemaIntrospector.quote("dollar$", KEYWORDS, false)).isEqualTo("\"dollar$\"");
        assertThat(SchemaIntrospector.quote("user", KEYWORDS, false)).isEqualTo("\"user\"");
        assertThat(SchemaIntrospector.quote("say\"hi", KEYWORDS, false)).isEqualTo("\"say\"\"hi\"");
        assertThat(SchemaIntrospector.quote("ünï", KEYWORDS, false)).isEqualTo("\"ünï\"");
        assertThat(SchemaIntrospector.quote("plain", KEYWORDS, true)).isEqualTo("\"plain\"");
    }

    @Test
    void parsesIntegerArrayText() {
        assertThat(SchemaIntrospector.ints("{3,1,2}")).containsExactly(3, 1, 2);
        assertThat(SchemaIntrospector.ints("{7}")).containsExactly(7);
        assertThat(SchemaIntrospector.ints(null)).isEqualTo(List.of());
        assertThat(SchemaIntrospector.ints("{}")).isEmpty();
    }

    @Test
    void filtersSystemSchemas() {
        assertThat(SchemaIntrospector.schemaFilter("n"))
                .contains("'pg_catalog', 'information_schema', 'pg_toast'")
                .contains("pg\\_temp\\_%")
                .contains("pg\\_toast\\_temp\\_%");
    }
}
