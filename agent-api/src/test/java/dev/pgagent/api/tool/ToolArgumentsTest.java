package dev.pgagent.api.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolArgumentsTest {

    private final ToolArguments args = ToolArguments.of(
            Map.of(
                    "sql",
                    "SELECT 1",
                    "limit",
                    10,
                    "limitText",
                    "25",
                    "flag",
                    true,
                    "names",
                    List.of("a", "b"),
                    "blank",
                    " "),
            "{...}");

    @Test
    void readsTypedValues() {
        assertThat(args.requireString("sql")).isEqualTo("SELECT 1");
        assertThat(args.integer("limit")).contains(10L);
        assertThat(args.integer("limitText")).contains(25L);
        assertThat(args.bool("flag")).contains(true);
        assertThat(args.strings("names")).containsExactly("a", "b");
        assertThat(args.string("missing")).isEmpty();
    }

    @Test
    void explainsWrongArgumentsInWordsTheModelCanUse() {
        assertThatThrownBy(() -> args.requireString("table"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("argument 'table' is required");
        assertThatThrownBy(() -> args.requireString("blank")).hasMessage("argument 'blank' must not be empty");
        assertThatThrownBy(() -> args.string("limit")).hasMessage("argument 'limit' must be a string");
        assertThatThrownBy(() -> args.integer("sql")).hasMessage("argument 'sql' must be an integer");
    }
}
