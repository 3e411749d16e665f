package dev.pgagent.llm.openai;

import static dev.pgagent.llm.openai.MockOpenAi.ask;
import static dev.pgagent.llm.openai.MockOpenAi.client;
import static dev.pgagent.llm.openai.MockOpenAi.completion;
import static dev.pgagent.llm.openai.MockOpenAi.ok;
import static dev.pgagent.llm.openai.MockOpenAi.textCompletion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.LlmException;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiResponseParsingTest {
    private final MockWebServer server = new MockWebServer();
    private final MockOpenAi.RecordingSleeper sleeper = new MockOpenAi.RecordingSleeper();
    private OpenAiLlmClient client;

    @BeforeEach
    void start() throws Exception {
        server.start();
        client = client(server, sleeper).build();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private ChatResponse reply(String body) {
        server.enqueue(ok(body));
        return client.chat(ask("q"));
    }

    @Test
    void readsATextAnswerWithFinishReasonUsageAndModel() {
        ChatResponse r = reply(textCompletion("There are 42 customers."));

        assertThat(r.message().text()).isEqualTo("There are 42 customers.");
        assertThat(r.message().toolCalls()).isEmpty();
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.usage()).isEqualTo(new TokenUsage(42, 7));
        assertThat(r.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    }

    @Test
    void readsSeveralToolCallsOfOneResponseInOrderWithNullContent() {
        ChatResponse r = reply(completion("""
                {"role":"assistant","content":null,"tool_calls":[
                  {"id":"call_1","type":"function",
                   "function":{"name":"run_sql","arguments":"{\\"sql\\":\\"select 1\\"}"}},
                  {"id":"call_2","type":"function",
                   "function":{"name":"describe_table","arguments":"{\\"table\\":\\"orders\\"}"}},
                  {"id":"call_3","type":"function","function":{"name":"list_tables","arguments":"{}"}}]}
                """, "tool_calls"));

        assertThat(r.message().text()).isNull();
        assertThat(r.message().toolCalls())
                .containsExactly(
                        new ToolCall("call_1", "run_sql", "{\"sql\":\"select 1\"}"),
                        new ToolCall("call_2", "describe_table", "{\"table\":\"orders\"}"),
                        new ToolCall("call_3", "list_tables", "{}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void keepsToolCallArgumentsThatAreNotJsonVerbatim() {
        ChatResponse r = reply(completion("""
                {"role":"assistant","content":null,"tool_calls":[
                  {"id":"call_1","type":"function","function":{"name":"run_sql","arguments":"{\\"sql\\": select 1"}}]}
                """, "tool_calls"));

        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("call_1", "run_sql", "{\"sql\": select 1"));
    }

    @Test
    void keepsTextWrittenAlongsideToolCalls() {
        ChatResponse r = reply(completion("""
                {"role":"assistant","content":"Checking the orders table.","tool_calls":[
                  {"id":"call_1","type":"function","function":{"name":"run_sql","arguments":"{}"}}]}
                """, "tool_calls"));

        assertThat(r.message().text()).isEqualTo("Checking the orders table.");
        assertThat(r.message().toolCalls()).hasSize(1);
    }

    @Test
    void acceptsArgumentsSentAsAJsonObjectAndMissingCallIdsFromCompatibleServers() {
        ChatResponse r = reply(completion("""
                {"role":"assistant","content":"","tool_calls":[
                  {"type":"function","function":{"name":"run_sql","arguments":{"sql":"select 1"}}},
                  {"type":"function","function":{"name":"list_tables"}}]}
                """, "tool_calls"));

        assertThat(r.message().toolCalls())
                .containsExactly(
                        new ToolCall("call_0", "run_sql", "{\"sql\":\"select 1\"}"),
                        new ToolCall("call_1", "list_tables", "{}"));
    }

    @Test
    void mapsALegacyFunctionCallToAToolCall() {
        ChatResponse r = reply(completion("""
                {"role":"assistant","content":null,"function_call":{"name":"run_sql","arguments":"{}"}}
                """, "function_call"));

        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.message().toolCalls()).extracting(ToolCall::name).containsExactly("run_sql");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "stop, STOP",
        "tool_calls, TOOL_CALLS",
        "length, LENGTH",
        "content_filter, CONTENT_FILTER",
        "function_call, TOOL_CALLS",
        "eos_token, OTHER",
        "'', OTHER"
    })
    void mapsEachFinishReason(String wire, FinishReason expected) {
        ChatResponse r = reply(completion("{\"role\":\"assistant\",\"content\":\"x\"}", wire));

        assertThat(r.finishReason()).isEqualTo(expected);
    }

    @Test
    void mapsAMissingFinishReasonToOther() {
        ChatResponse r = reply(completion("{\"role\":\"assistant\",\"content\":\"x\"}", null));

        assertThat(r.finishReason()).isEqualTo(FinishReason.OTHER);
    }

    @Test
    void reportsZeroUsageAndNoModelWhenTheServerOmitsThem() {
        ChatResponse r = reply("""
                {"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}
                """);

        assertThat(r.usage()).isEqualTo(TokenUsage.ZERO);
        assertThat(r.model()).isNull();
        assertThat(r.message().text()).isEqualTo("hi");
    }

    @Test
    void showsARefusalAsTheAnswerText() {
        ChatResponse r = reply(completion(
                "{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"}", "stop"));

        assertThat(r.message().text()).isEqualTo("I can't help with that.");
    }

    @Test
    void reportsABodyThatIsNotJsonAsInvalidResponse() {
        server.enqueue(ok("<html>gateway says hello</html>"));

        assertThatThrownBy(() -> client.chat(ask("q"))).isInstanceOfSatisfying(LlmException.class, e -> {
            assertThat(e.reason()).isEqualTo(LlmException.Reason.INVALID_RESPONSE);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.statusCode()).hasValue(200);
        });
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void reportsAResponseWithoutChoicesAsInvalidResponse() {
        server.enqueue(ok("{\"id\":\"x\",\"choices\":[]}"));

        assertThatThrownBy(() -> client.chat(ask("q")))
                .isInstanceOfSatisfying(
                        LlmException.class, e -> assertThat(e.reason()).isEqualTo(LlmException.Reason.INVALID_RESPONSE))
                .hasMessageContaining("no choices");
    }

    @Test
    void reportsAToolCallWithoutANameAsInvalidResponse() {
        server.enqueue(ok(completion(
                "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c\",\"function\":{}}]}",
                "tool_calls")));

        assertThatThrownBy(() -> client.chat(ask("q")))
                .isInstanceOfSatisfying(
                        LlmException.class,
                        e -> assertThat(e.reason()).isEqualTo(LlmException.Reason.INVALID_RESPONSE));
    }
}
