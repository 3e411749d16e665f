package dev.pgagent.core.internal;

import static dev.pgagent.testkit.LlmResponses.text;
import static dev.pgagent.testkit.LlmResponses.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.testkit.FakeLlmClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class EventsTest {

    @Test
    void tellsTheListenerAsThingsStartAndEndInOrder() {
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", "select 1")))
                .enqueue(text("one"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        ((TestEngines.FakeDb) setup.db).results.put("select 1", TestEngines.table("x", "1"));
        setup.listener = events::add;

        setup.session().ask("q");

        assertThat(events)
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly(
                        "AskStarted",
                        "ModelCallStarted",
                        "ModelCallFinished",
                        "ToolCallStarted",
                        "StatementStarted",
                        "StatementFinished",
                        "ToolCallFinished",
                        "StepFinished",
                        "ModelCallStarted",
                        "TextDelta",
                        "ModelCallFinished",
                        "StepFinished",
                        "AskFinished");
        AgentEvent.StatementStarted started = (AgentEvent.StatementStarted) events.get(4);
        assertThat(started.sql()).isEqualTo("select 1");
        assertThat(started.verdict().isAllowed()).isTrue();
        assertThat(((AgentEvent.AskFinished) events.get(12)).status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(events)
                .extracting(AgentEvent::askId)
                .containsOnly(events.get(0).askId());
    }

    @Test
    void aStatementIsSeenWhileItRuns() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean finishedBeforeStart = new AtomicBoolean();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", "select pg_sleep(60)")))
                .enqueue(text("stopped"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.listener = e -> {
            if (e instanceof AgentEvent.StatementStarted) {
                started.countDown();
            }
            if (e instanceof AgentEvent.StatementFinished && started.getCount() > 0) {
                finishedBeforeStart.set(true);
            }
        };
        SessionEngine session = setup.session();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> f = pool.submit(() -> session.ask("q"));
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(f.isDone()).isFalse();
            session.cancel();
            assertThat(f.get(60, TimeUnit.SECONDS)).isNotNull();
            assertThat(finishedBeforeStart).isFalse();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesAnOverLongQuestionBeforeAnyModelCall() {
        FakeLlmClient llm = FakeLlmClient.create().enqueue(text("never"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.maxQuestionChars = 100;
        SessionEngine session = setup.session();

        assertThatThrownBy(() -> session.ask("x".repeat(101)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("question must be at most 100 characters but was 101 "
                        + "(PostgresAgent.Builder.maxQuestionChars)");
        assertThat(llm.requests()).isEmpty();
        assertThat(session.ask("x".repeat(100)).status()).isEqualTo(AgentStatus.COMPLETED);
    }
}
