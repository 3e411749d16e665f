package dev.pgagent.api.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatRequestTest {

    private static final ToolSpec TOOL = new ToolSpec("execute_query", "Runs SQL.", ToolSpec.NO_PARAMETERS);

    @Test
    void buildsAnImmutableRequest() {
        ChatRequest r = ChatRequest.builder()
                .addMessage(new SystemMessage("You are helpful."))
                .addMessage(new UserMessage("hi"))
                .addTool(TOOL)
                .options(ModelOptions.builder().temperature(0.0).maxTokens(100).build())
                .build();

        assertThat(r.messages()).hasSize(2);
        assertThat(r.toBuilder().build()).isEqualTo(r);
        assertThatThrownBy(() -> r.messages().add(new UserMessage("x")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsEmptyConversationsAndDuplicateTools() {
        assertThatThrownBy(() -> ChatRequest.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("messages must not be empty");
        assertThatThrownBy(() -> ChatRequest.builder()
                        .addMessage(new UserMessage("x"))
                        .tools(List.of(TOOL, TOOL))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tool names must be unique");
    }

    @Test
    void validatesToolNamesAndOptions() {
        assertThatThrownBy(() -> new ToolSpec("has space", "d", "{}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelOptions.builder().temperature(3.0))
                .hasMessage("temperature must be in [0, 2] but was 3.0");
        assertThatThrownBy(() -> ModelOptions.builder().maxTokens(0)).hasMessage("maxTokens must be >= 1 but was 0");
    }

    @Test
    void sumsTokenUsage() {
        assertThat(new TokenUsage(10, 5).plus(new TokenUsage(1, 2))).isEqualTo(new TokenUsage(11, 7));
        assertThat(new TokenUsage(10, 5).totalTokens()).isEqualTo(15);
    }
}
