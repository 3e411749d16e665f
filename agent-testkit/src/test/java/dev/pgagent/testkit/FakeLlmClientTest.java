package dev.pgagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.LlmException;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.UserMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FakeLlmClientTest {
    private static ChatRequest ask(String text) {
        return ChatRequest.builder().addMessage(new UserMessage(text)).build();
    }

    @Test
    void returnsEnqueuedResponsesInOrderAndRecordsRequests() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", "select 1")))
                .enqueue(LlmResponses.text("one"));

        ChatResponse first = llm.chat(ask("q1"));
        ChatResponse second = llm.chat(ask("q2"));

        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(first.message().toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("execute_query");
            assertThat(c.arguments()).isEqualTo("{\"sql\":\"select 1\"}");
        });
        assertThat(second.message().text()).isEqualTo("one");
        assertThat(llm.requests())
                .extracting(r -> ((UserMessage) r.messages().get(0)).text())
                .containsExactly("q1", "q2");
        assertThat(llm.remaining()).isZero();
    }

    @Test
    void computesTurnsFromTheRequest() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(r -> LlmResponses.text(
                        "saw " + LlmResponses.lastToolResult(r).orElse("nothing")));
        ChatRequest request = ChatRequest.builder()
                .addMessage(new UserMessage("q"))
                .addMessage(dev.pgagent.api.llm.AssistantMessage.ofToolCalls(List.of(new ToolCall("c1", "t", "{}"))))
                .addMessage(new ToolResultMessage("c1", "t", "42", false))
                .build();

        assertThat(llm.chat(request).message().text()).isEqualTo("saw 42");
    }

    @Test
    void failsClearlyWhenTheScriptRunsOut() {
        FakeLlmClient llm = FakeLlmClient.create().enqueue(LlmResponses.text("only"));
        llm.chat(ask("first"));

        assertThatThrownBy(() -> llm.chat(ask("second question")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("call #2")
                .hasMessageContaining("second question");
    }

    @Test
    void fallsBackToTheOtherwiseTurnWhenTheScriptIsEmpty() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.text("scripted"))
                .otherwise(r -> LlmResponses.text("fallback"));

        assertThat(llm.chat(ask("1")).message().text()).isEqualTo("scripted");
        assertThat(llm.chat(ask("2")).message().text()).isEqualTo("fallback");
        assertThat(llm.chat(ask("3")).message().text()).isEqualTo("fallback");
    }

    @Test
    void throwsEnqueuedFailures() {
        LlmException failure = new LlmException("bad key", LlmException.Reason.AUTHENTICATION, false, null);
        FakeLlmClient llm = FakeLlmClient.create().enqueueFailure(failure);

        assertThatThrownBy(() -> llm.chat(ask("q"))).isSameAs(failure);
    }

    @Test
    void concurrentCallersTakeDistinctTurns() throws Exception {
        FakeLlmClient llm = FakeLlmClient.create();
        for (int i = 0; i < 200; i++) {
            llm.enqueue(LlmResponses.text("answer " + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(pool.submit(() -> llm.chat(ask("q")).message().text()));
            }
            List<String> answers = new ArrayList<>();
            for (Future<String> f : futures) {
                answers.add(f.get());
            }
            assertThat(answers).doesNotHaveDuplicates().hasSize(200);
            assertThat(llm.requestCount()).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void writesMapArgumentsAsJson() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("sql", "select 'a\"b'\n");
        args.put("limit", 5);
        args.put("tags", List.of("x", true));
        args.put("none", null);

        assertThat(LlmResponses.call("t", args).arguments())
                .isEqualTo("{\"sql\":\"select 'a\\\"b'\\n\",\"limit\":5,\"tags\":[\"x\",true],\"none\":null}");
    }
}
