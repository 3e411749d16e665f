package dev.pgagent.api.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlmClientDefaultsTest {
    @Test
    void aClientThatCannotStreamGivesTheListenerTheWholeReply() {
        ToolCall call = new ToolCall("c1", "run_sql", "{}");
        LlmClient plain = request -> new ChatResponse(
                new AssistantMessage("All of it.", List.of(call)), FinishReason.TOOL_CALLS, new TokenUsage(3, 4), "m");
        List<String> text = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();

        ChatResponse r = plain.chat(
                ChatRequest.builder().addMessage(new UserMessage("q")).build(), new StreamListener() {
                    @Override
                    public void onText(String delta) {
                        text.add(delta);
                    }

                    @Override
                    public void onToolCall(ToolCall c) {
                        calls.add(c);
                    }
                });

        assertThat(text).containsExactly("All of it.");
        assertThat(calls).containsExactly(call);
        assertThat(r.usage()).isEqualTo(new TokenUsage(3, 4, 0, 0));
        assertThat(plain.info()).isEqualTo(ProviderInfo.UNKNOWN);
        assertThat(ProviderInfo.UNKNOWN.supports(Capability.STREAMING)).isFalse();
        assertThat(ProviderInfo.UNKNOWN.toString()).contains("TOOLS");
    }

    @Test
    void sumsUsageWithCacheCounts() {
        assertThat(new TokenUsage(10, 2, 8, 1).plus(new TokenUsage(5, 1))).isEqualTo(new TokenUsage(15, 3, 8, 1));
    }
}
