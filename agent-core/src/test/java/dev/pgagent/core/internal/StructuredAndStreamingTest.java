package dev.pgagent.core.internal;

import static dev.pgagent.testkit.LlmResponses.text;
import static dev.pgagent.testkit.LlmResponses.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.llm.Capability;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.llm.ProviderInfo;
import dev.pgagent.api.llm.StreamListener;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class StructuredAndStreamingTest {
    enum Trend {
        UP,
        DOWN
    }

    record Item(String name, long orders, @Nullable String note) {}

    record Report(List<Item> items, Trend trend) {}

    private static final String VALID = "{\"items\":[{\"name\":\"tea\",\"orders\":3,\"note\":null}],\"trend\":\"UP\"}";

    /** A client that says it can do what {@code capabilities} lists, answering from a FakeLlmClient. */
    private static LlmClient reporting(FakeLlmClient fake, Set<Capability> capabilities) {
        return new LlmClient() {
            @Override
            public ChatResponse chat(ChatRequest request) {
                return fake.chat(request);
            }

            @Override
            public ProviderInfo info() {
                return ProviderInfo.builder("test", "m")
                        .capabilities(capabilities)
                        .build();
            }
        };
    }

    @Test
    void passesEachStreamedPieceOnAsATextDeltaWhileTheCallRuns() {
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        LlmClient streaming = new LlmClient() {
            @Override
            public ChatResponse chat(ChatRequest request) {
                throw new AssertionError("the agent must stream");
            }

            @Override
            public ChatResponse chat(ChatRequest request, StreamListener listener) {
                listener.onText("Forty");
                listener.onText("-two");
                listener.onText(" orders.");
                return LlmResponses.text("Forty-two orders.");
            }
        };
        TestEngines.Setup setup = new TestEngines.Setup(streaming);
        setup.listener = events::add;

        assertThat(setup.session().ask("q").answer()).isEqualTo("Forty-two orders.");

        assertThat(events)
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly(
                        "AskStarted",
                        "ModelCallStarted",
                        "TextDelta",
                        "TextDelta",
                        "TextDelta",
                        "ModelCallFinished",
                        "StepFinished",
                        "AskFinished");
        assertThat(events)
                .filteredOn(AgentEvent.TextDelta.class::isInstance)
                .extracting(e -> ((AgentEvent.TextDelta) e).text())
                .containsExactly("Forty", "-two", " orders.");
    }

    @Test
    void asksForTheSchemaInThePromptWhenTheProviderCannotConstrainItsOutput() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", "select 1")))
                .enqueue(text(VALID));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        ((TestEngines.FakeDb) setup.db).results.put("select 1", TestEngines.table("x", "1"));

        SessionEngine.Answer a = setup.session().ask("Orders per item?", OutputSpec.of(Report.class));

        assertThat(a.response().status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(a.value()).isEqualTo(new Report(List.of(new Item("tea", 3, null)), Trend.UP));
        assertThat(a.response().answer()).isEqualTo(VALID);
        ChatRequest first = llm.request(0);
        assertThat(first.responseSchema()).isEmpty();
        assertThat(((SystemMessage) first.messages().get(0)).text())
                .contains("JSON Schema, named Report")
                .contains("\"trend\"");
    }

    @Test
    void asksAProviderWithStructuredOutputItsWay() {
        FakeLlmClient fake = FakeLlmClient.create().enqueue(text(VALID));
        TestEngines.Setup setup =
                new TestEngines.Setup(reporting(fake, Set.of(Capability.TOOLS, Capability.STRUCTURED_OUTPUT)));

        SessionEngine.Answer a = setup.session().ask("q", OutputSpec.of(Report.class));

        assertThat(a.value()).isInstanceOf(Report.class);
        assertThat(fake.request(0).responseSchema()).hasValueSatisfying(s -> {
            assertThat(s.name()).isEqualTo("Report");
            assertThat(s.strict()).isTrue();
        });
        assertThat(((SystemMessage) fake.request(0).messages().get(0)).text()).doesNotContain("named Report");
    }

    @Test
    void showsAnInvalidAnswerItsProblemsAndTakesTheRepairedOne() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(text(
                        "```json\n{\"items\":[{\"name\":\"tea\",\"orders\":\"3\"}],\"trend\":\"SIDEWAYS\"}\n```",
                        new TokenUsage(100, 10)))
                .enqueue(text(VALID, new TokenUsage(150, 12)));
        TestEngines.Setup setup = new TestEngines.Setup(llm);

        SessionEngine.Answer a = setup.session().ask("q", OutputSpec.of(Report.class));

        assertThat(a.response().status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(a.value()).isEqualTo(new Report(List.of(new Item("tea", 3, null)), Trend.UP));
        assertThat(a.response().usage()).isEqualTo(new TokenUsage(250, 22));
        assertThat(a.response().steps()).hasSize(1);
        String repair = ((UserMessage)
                        llm.request(1).messages().get(llm.request(1).messages().size() - 1))
                .text();
        assertThat(repair)
                .contains("$.items[0].orders must be integer but was the string \"3\"")
                .contains("$.items[0].note is required but missing")
                .contains("$.trend must be one of [\"UP\",\"DOWN\"]");
        assertThat(a.response().answer()).isEqualTo(VALID);
    }

    @Test
    void failsTheAskWhenTheRepairDoesNotMatchEither() {
        FakeLlmClient llm =
                FakeLlmClient.create().enqueue(text("not json at all")).enqueue(text("{\"items\":[]}"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);

        SessionEngine.Answer a = setup.session().ask("q", OutputSpec.of(Report.class));

        assertThat(a.response().status()).isEqualTo(AgentStatus.FAILED);
        assertThat(a.value()).isNull();
        assertThat(a.response().error())
                .hasValueSatisfying(e -> assertThat(e)
                        .contains("did not match the schema 'Report' after one repair attempt")
                        .contains("$.trend is required but missing"));
        assertThat(llm.requestCount()).isEqualTo(2);
    }

    @Test
    void asksNoParallelToolCallsOfAProviderWithoutThem() {
        FakeLlmClient plain = FakeLlmClient.create().enqueue(text("a"));
        FakeLlmClient parallel = FakeLlmClient.create().enqueue(text("b"));
        ModelOptions options = ModelOptions.builder().parallelToolCalls(true).build();
        TestEngines.Setup one = new TestEngines.Setup(reporting(plain, Set.of(Capability.TOOLS)));
        one.modelOptions = options;
        TestEngines.Setup two = new TestEngines.Setup(parallel);
        two.modelOptions = options;

        one.session().ask("q");
        two.session().ask("q");

        assertThat(plain.request(0).options().parallelToolCalls()).isEmpty();
        assertThat(parallel.request(0).options().parallelToolCalls()).hasValue(true);
    }
}
