package dev.pgagent.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MiniJsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = MiniJson.parse(" {\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\", \"i\":-12, \"d\":1.5e2, \"big\":"
                + "123456789012345678901234567890, \"t\":true, \"f\":false, \"n\":null, \"a\":[1,[],{}]}\n");
        assertThat(v).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(m.get("s")).isEqualTo("a\"b\\c/d\b\f\n\r\t\u00e9");
        assertThat(m.get("i")).isEqualTo(-12L);
        assertThat(m.get("d")).isEqualTo(150.0);
        assertThat(m.get("big")).isInstanceOf(Double.class);
        assertThat(m.get("t")).isEqualTo(true);
        assertThat(m.get("f")).isEqualTo(false);
        assertThat(m.containsKey("n")).isTrue();
        assertThat(m.get("n")).isNull();
        assertThat(m.get("a")).isEqualTo(List.of(1L, List.of(), Map.of()));
        assertThat(MiniJson.parse("0.25")).isEqualTo(0.25);
    }

    @Test
    void rejectsInvalidTextWithItsOffset() {
        for (String bad : new String[] {
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "{1:2}",
            "{\"a\":1,\"a\":2}",
            "\"open",
            "\"tab\there\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\uzzzz\"",
            "-",
            "1.",
            "1e",
            "nul",
            "1 2",
            "@"
        }) {
            assertThatThrownBy(() -> MiniJson.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("invalid JSON at offset ");
        }
        assertThatThrownBy(() -> MiniJson.parse("[".repeat(300))).hasMessageContaining("nested too deeply");
        assertThatThrownBy(() -> MiniJson.parse("{\"a\":1,\"a\":2}")).hasMessageContaining("duplicate member 'a'");
    }

    @Test
    void writesWhatItParses() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "q\"\\\n\r\t\u0001");
        m.put("n", null);
        m.put("list", Arrays.asList(1, 2.5, true, null));
        m.put("other", java.time.Duration.ofSeconds(1));
        String json = MiniJson.write(m);
        assertThat(json)
                .isEqualTo(
                        "{\"s\":\"q\\\"\\\\\\n\\r\\t\\u0001\",\"n\":null,\"list\":[1,2.5,true,null],\"other\":\"PT1S\"}");
        Map<?, ?> back = (Map<?, ?>) MiniJson.parse(json);
        assertThat(back.get("s")).isEqualTo("q\"\\\n\r\t\u0001");
        assertThat(back.get("list")).isEqualTo(Arrays.asList(1L, 2.5, true, null));
    }
}
