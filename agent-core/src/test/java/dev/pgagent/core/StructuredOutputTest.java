package dev.pgagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ResponseSchema;
import dev.pgagent.api.llm.StructuredOutputException;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class StructuredOutputTest {
    enum Level {
        LOW,
        HIGH
    }

    record Inner(boolean flag, @Nullable Level level) {}

    record Everything(
            String s,
            int i,
            Long l,
            double d,
            BigDecimal money,
            UUID id,
            char c,
            List<Inner> inners,
            Set<String> tags,
            int[] numbers,
            @Nullable Inner maybe) {}

    record Loop(List<Loop> children) {}

    record WithMap(Map<String, String> map) {}

    private static ChatRequest ask() {
        return ChatRequest.builder().addMessage(new UserMessage("q")).build();
    }

    @Test
    void derivesAStrictSchemaFromARecord() {
        ResponseSchema schema = StructuredOutput.schemaOf(Everything.class);

        assertThat(schema.name()).isEqualTo("Everything");
        assertThat(schema.strict()).isTrue();
        assertThat(schema.schema())
                .isEqualTo("{\"type\":\"object\",\"properties\":{"
                        + "\"s\":{\"type\":\"string\"},\"i\":{\"type\":\"integer\"},\"l\":{\"type\":\"integer\"},"
                        + "\"d\":{\"type\":\"number\"},\"money\":{\"type\":\"number\"},\"id\":{\"type\":\"string\"},"
                        + "\"c\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":1},"
                        + "\"inners\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
                        + "\"flag\":{\"type\":\"boolean\"},"
                        + "\"level\":{\"type\":[\"string\",\"null\"],\"enum\":[\"LOW\",\"HIGH\",null]}},"
                        + "\"required\":[\"flag\",\"level\"],\"additionalProperties\":false}},"
                        + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"uniqueItems\":true},"
                        + "\"numbers\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}},"
                        + "\"maybe\":{\"type\":[\"object\",\"null\"],\"properties\":{\"flag\":{\"type\":\"boolean\"},"
                        + "\"level\":{\"type\":[\"string\",\"null\"],\"enum\":[\"LOW\",\"HIGH\",null]}},"
                        + "\"required\":[\"flag\",\"level\"],\"additionalProperties\":false}},"
                        + "\"required\":[\"s\",\"i\",\"l\",\"d\",\"money\",\"id\",\"c\",\"inners\",\"tags\",\"numbers\","
                        + "\"maybe\"],\"additionalProperties\":false}");
    }

    @Test
    void refusesTypesItCannotDescribe() {
        assertThatThrownBy(() -> StructuredOutput.schemaOf(String.class))
                .hasMessage("type must be a record but was java.lang.String");
        assertThatThrownBy(() -> StructuredOutput.schemaOf(Loop.class)).hasMessageContaining("must not contain itself");
        assertThatThrownBy(() -> StructuredOutput.schemaOf(WithMap.class))
                .hasMessageContaining("WithMap.map must have a type structured output supports")
                .hasMessageContaining("java.util.Map<java.lang.String, java.lang.String>");
    }

    @Test
    void readsAValidReplyIntoTheRecord() {
        String json = "{\"s\":\"x\",\"i\":1,\"l\":2,\"d\":1.5,\"money\":10.25,"
                + "\"id\":\"123e4567-e89b-12d3-a456-426614174000\",\"c\":\"z\",\"inners\":[{\"flag\":true,"
                + "\"level\":\"HIGH\"}],\"tags\":[\"a\"],\"numbers\":[1,2],\"maybe\":null}";
        FakeLlmClient llm = FakeLlmClient.create().enqueue(LlmResponses.text(json));

        Everything e = StructuredOutput.chat(llm, ask(), Everything.class);

        assertThat(e.money()).isEqualByComparingTo("10.25");
        assertThat(e.inners()).containsExactly(new Inner(true, Level.HIGH));
        assertThat(e.maybe()).isNull();
        assertThat(e.numbers()).containsExactly(1, 2);
    }

    @Test
    void checksAGivenSchemaAndThrowsATypedErrorAfterOneRepair() {
        ResponseSchema schema = ResponseSchema.of(
                "count",
                "{\"type\":\"object\",\"properties\":{\"n\":"
                        + "{\"type\":\"integer\",\"minimum\":0}},\"required\":[\"n\"],\"additionalProperties\":false}");
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.text("{\"n\":-1}"))
                .enqueue(LlmResponses.text("{\"n\":4,\"extra\":true}"))
                .enqueue(LlmResponses.text("{\"n\":2.0}"));

        assertThatThrownBy(() -> StructuredOutput.chat(llm, ask(), schema))
                .isInstanceOf(StructuredOutputException.class)
                .hasMessageContaining("$.extra is not allowed")
                .satisfies(e -> assertThat(((StructuredOutputException) e).problems())
                        .containsExactly("$.extra is not allowed (no such property)"));
        List<dev.pgagent.api.llm.ChatMessage> repair = llm.request(1).messages();
        assertThat(repair.get(repair.size() - 1)).isInstanceOf(UserMessage.class);
        assertThat(((UserMessage) repair.get(repair.size() - 1)).text()).contains("$.n must be >= 0 but was -1");
        assertThat(StructuredOutput.chat(llm, ask(), schema)).isEqualTo("{\"n\":2.0}");
    }
}
