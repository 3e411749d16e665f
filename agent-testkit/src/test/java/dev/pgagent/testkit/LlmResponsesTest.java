package dev.pgagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.UserMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LlmResponsesTest {
    @Test
    void buildsTextAndToolCallResponses() {
        ChatResponse text = LlmResponses.text("Done.");
        assertThat(text.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(text.usage()).isEqualTo(LlmResponses.DEFAULT_USAGE);
        assertThat(LlmResponses.text("x", new TokenUsage(1, 2)).usage()).isEqualTo(new TokenUsage(1, 2));
        assertThat(LlmResponses.of(AssistantMessage.of("cut"), FinishReason.LENGTH, LlmResponses.DEFAULT_USAGE)
                        .finishReason())
                .isEqualTo(FinishReason.LENGTH);

        ChatResponse one = LlmResponses.toolCall("list_tables", "{}");
        assertThat(one.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(one.message().toolCalls()).extracting(ToolCall::name).containsExactly("list_tables");
        ChatResponse mapped = LlmResponses.toolCall("execute_query", Map.of("sql", "select 1"));
        assertThat(mapped.message().toolCalls().get(0).arguments()).isEqualTo("{\"sql\":\"select 1\"}");
        ToolCall a = LlmResponses.query("select 2");
        ToolCall b = LlmResponses.call("describe_table", Map.of("table", "orders"));
        assertThat(a.id()).isNotEqualTo(b.id());
        assertThat(a.name()).isEqualTo("execute_query");
        assertThat(LlmResponses.toolCalls(a, b).message().toolCalls()).containsExactly(a, b);
        assertThatThrownBy(() -> LlmResponses.toolCalls(List.of(), LlmResponses.DEFAULT_USAGE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("calls must not be empty but was []");
        assertThatThrownBy(() -> LlmResponses.call("t", (Map<String, ?>) null)).hasMessage("arguments == null");
    }

    @Test
    void readsToolResultsAndTranscriptsOfARequest() {
        ToolCall call = LlmResponses.query("select 1");
        ChatRequest request = ChatRequest.builder()
                .addMessage(new SystemMessage("You are careful."))
                .addMessage(new UserMessage("How many?"))
                .addMessage(AssistantMessage.ofToolCalls(List.of(call)))
                .addMessage(new ToolResultMessage(call.id(), call.name(), "1 row", false))
                .addMessage(new ToolResultMessage(call.id(), call.name(), "denied", true))
                .build();
        assertThat(LlmResponses.lastToolResults(request))
                .extracting(ToolResultMessage::content)
                .containsExactly("1 row", "denied");
        assertThat(LlmResponses.lastToolResult(request)).hasValue("denied");
        assertThat(LlmResponses.transcript(request))
                .contains(
                        "You are careful.",
                        "How many?",
                        "[call execute_query {\"sql\":\"select 1\"}]",
                        "execute_query (error): denied");
        ChatRequest plain =
                ChatRequest.builder().addMessage(new UserMessage("hi")).build();
        assertThat(LlmResponses.lastToolResult(plain)).isEmpty();
    }
}
