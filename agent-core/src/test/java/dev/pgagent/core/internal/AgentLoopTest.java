package dev.pgagent.core.internal;

import static dev.pgagent.testkit.LlmResponses.call;
import static dev.pgagent.testkit.LlmResponses.query;
import static dev.pgagent.testkit.LlmResponses.text;
import static dev.pgagent.testkit.LlmResponses.toolCall;
import static dev.pgagent.testkit.LlmResponses.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.AgentLimitExceededException.Limit;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.AgentStep;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import dev.pgagent.testkit.RecordingAuditSink;
import dev.pgagent.testkit.ScriptedTool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AgentLoopTest {
    private static List<ToolResultMessage> toolResults(ChatRequest r) {
        return r.messages().stream()
                .filter(m -> m instanceof ToolResultMessage)
                .map(ToolResultMessage.class::cast)
                .toList();
    }

    @Test
    void returnsTheModelsFinalAnswer() {
        FakeLlmClient llm = FakeLlmClient.create().enqueue(text("There are 3 items."));
        TestEngines.Setup setup = new TestEngines.Setup(llm);

        AgentResponse r = setup.session().ask("How many items?");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(r.answer()).isEqualTo("There are 3 items.");
        assertThat(r.steps()).hasSize(1);
        assertThat(r.usage()).isEqualTo(LlmResponses.DEFAULT_USAGE);
        ChatRequest request = llm.request(0);
        assertThat(request.messages().get(0)).isInstanceOf(SystemMessage.class);
        String system = ((SystemMessage) request.messages().get(0)).text();
        assertThat(system)
                .contains("PostgreSQL")
                .contains("read-only")
                .contains("execute_query")
                .contains("table items(id int, name text)")
                .contains("search_schema");
        assertThat(request.messages().get(1)).isEqualTo(new UserMessage("How many items?"));
        assertThat(request.tools()).extracting(t -> t.name()).containsExactly("execute_query");
    }

    @Test
    void runsToolCallsAndSendsTheirResultsBack() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCalls(query("select name from items")))
                .enqueue(r -> text("Items: " + LlmResponses.lastToolResult(r).orElseThrow()));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        ((TestEngines.FakeDb) setup.db).results.put("select name from items", TestEngines.table("name", "a", "b"));

        AgentResponse r = setup.session().ask("Which items?");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(r.answer()).isEqualTo("Items: rows: [[a], [b]]");
        assertThat(r.statements()).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo(StatementOutcome.Status.EXECUTED);
            assertThat(s.result().rowCount()).isEqualTo(2);
        });
        assertThat(r.tables())
                .singleElement()
                .satisfies(t -> assertThat(t.rowCount()).isEqualTo(2));
        assertThat(r.steps()).hasSize(2);
        assertThat(r.steps().get(0).toolInvocations()).hasSize(1);
        ChatRequest second = llm.request(1);
        assertThat(second.messages().get(2)).isInstanceOf(AssistantMessage.class);
        assertThat(toolResults(second)).singleElement().satisfies(t -> {
            assertThat(t.error()).isFalse();
            assertThat(t.toolCallId())
                    .isEqualTo(((AssistantMessage) second.messages().get(2))
                            .toolCalls()
                            .get(0)
                            .id());
        });
    }

    @Test
    void runsSeveralCallsOfOneStepConcurrentlyAndReturnsResultsInCallOrder() {
        CountDownLatch bothStarted = new CountDownLatch(2);
        ScriptedTool slow = ScriptedTool.builder("slow")
                .otherwise((args, ctx) -> {
                    bothStarted.countDown();
                    await(bothStarted);
                    sleep(100);
                    return ToolResult.of("slow done");
                })
                .build();
        ScriptedTool fast = ScriptedTool.builder("fast")
                .otherwise((args, ctx) -> {
                    bothStarted.countDown();
                    await(bothStarted);
                    return ToolResult.of("fast done");
                })
                .build();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCalls(call("slow", "{}"), call("fast", "{}")))
                .enqueue(text("ok"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.tools.add(slow);
        setup.tools.add(fast);

        AgentResponse r = setup.session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(toolResults(llm.request(1)))
                .extracting(ToolResultMessage::content)
                .containsExactly("slow done", "fast done");
        assertThat(slow.calls().get(0).threadName())
                .isNotEqualTo(fast.calls().get(0).threadName());
    }

    @Test
    void reportsInvalidJsonArgumentsUnknownToolsAndBadArgumentsToTheModel() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCalls(
                        call("execute_query", "{\"sql\": select 1"),
                        call("no_such_tool", "{}"),
                        call("execute_query", "{}")))
                .enqueue(text("sorry"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);

        AgentResponse r = setup.session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        List<ToolResultMessage> results = toolResults(llm.request(1));
        assertThat(results).hasSize(3).allSatisfy(t -> assertThat(t.error()).isTrue());
        assertThat(results.get(0).content()).contains("not valid JSON");
        assertThat(results.get(1).content())
                .contains("unknown tool 'no_such_tool'")
                .contains("execute_query");
        assertThat(results.get(2).content()).contains("argument 'sql' is required");
    }

    @Test
    void feedsRefusalsAndSqlErrorsBackSoTheModelCanCorrectItself() {
        RecordingAuditSink audit = new RecordingAuditSink();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", "drop table items")))
                .enqueue(toolCall("execute_query", Map.of("sql", "select nope from items")))
                .enqueue(toolCall("execute_query", Map.of("sql", "select name from items")))
                .enqueue(text("a"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.sinks.add(audit);
        ((TestEngines.FakeDb) setup.db).results.put("select name from items", TestEngines.table("name", "a"));

        AgentResponse r = setup.session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(r.statements())
                .extracting(StatementOutcome::status)
                .containsExactly(
                        StatementOutcome.Status.REFUSED,
                        StatementOutcome.Status.FAILED,
                        StatementOutcome.Status.EXECUTED);
        assertThat(LlmResponses.lastToolResult(llm.request(1)).orElseThrow())
                .contains("REFUSED")
                .contains("only reads are allowed");
        assertThat(LlmResponses.lastToolResult(llm.request(2)).orElseThrow()).contains("does not exist");
        assertThat(audit.sql(AuditEventType.QUERY_REFUSED)).containsExactly("drop table items");
        assertThat(audit.events(AuditEventType.QUERY_FAILED))
                .singleElement()
                .satisfies(e -> assertThat(e.attributes()).containsEntry("sqlState", "42703"));
        assertThat(audit.sql(AuditEventType.QUERY_EXECUTED)).containsExactly("select name from items");
        assertThat(audit.types())
                .startsWith(AuditEventType.ASK_STARTED)
                .endsWith(AuditEventType.ASK_FINISHED)
                .contains(AuditEventType.LLM_CALL, AuditEventType.TOOL_CALL);
    }

    @Test
    void stopsAtTheStepLimit() {
        FakeLlmClient llm = FakeLlmClient.create();
        for (int i = 0; i < 5; i++) {
            llm.enqueue(toolCall("execute_query", Map.of("sql", "drop table x")));
        }
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.maxSteps = 3;

        AgentResponse r = setup.session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.LIMIT_REACHED);
        assertThat(r.limit()).contains(Limit.STEPS);
        assertThat(r.error()).get().asString().contains("step limit of 3");
        assertThat(llm.requestCount()).isEqualTo(3);
    }

    @Test
    void stopsAtTheTimeLimitWhileTheModelHangs() {
        FakeLlmClient llm = FakeLlmClient.create().enqueue(req -> {
            sleep(30_000);
            return text("too late");
        });
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.timeout = Duration.ofMillis(300);

        long t0 = System.nanoTime();
        AgentResponse r = setup.session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.LIMIT_REACHED);
        assertThat(r.limit()).contains(Limit.TIME);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void stopsAtTheTimeLimitWhileAStatementRunsAndCancelsIt() throws Exception {
        // The time limit is made to strike while the statement runs (waiting on that event, not on the clock), so a
        // busy machine cannot make it strike before the statement started.
        FakeLlmClient llm =
                FakeLlmClient.create().enqueue(toolCall("execute_query", Map.of("sql", "select pg_sleep(60)")));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.timeout = Duration.ofMinutes(5);
        TestEngines.FakeDb db = (TestEngines.FakeDb) setup.db;
        SessionEngine session = setup.session();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<AgentResponse> f = pool.submit(() -> session.ask("q"));
            assertThat(db.sleeping.await(60, TimeUnit.SECONDS)).isTrue();
            session.expireDeadline();
            AgentResponse r = f.get(60, TimeUnit.SECONDS);

            assertThat(r.status()).isEqualTo(AgentStatus.LIMIT_REACHED);
            assertThat(r.limit()).contains(Limit.TIME);
            assertThat(db.cancellations)
                    .singleElement()
                    .satisfies(c -> assertThat(c.isCancelled()).isTrue());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cancelFromAnotherThreadAbortsTheModelWait() throws Exception {
        CountDownLatch calling = new CountDownLatch(1);
        FakeLlmClient llm = FakeLlmClient.create().enqueue(req -> {
            calling.countDown();
            sleep(30_000);
            return text("too late");
        });
        SessionEngine session = new TestEngines.Setup(llm).session();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<AgentResponse> f = pool.submit(() -> session.ask("q"));
            assertThat(calling.await(5, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            session.cancel();
            AgentResponse r = f.get(5, TimeUnit.SECONDS);

            assertThat(r.status()).isEqualTo(AgentStatus.CANCELLED);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cancelFromAnotherThreadCancelsTheRunningStatement() throws Exception {
        FakeLlmClient llm =
                FakeLlmClient.create().enqueue(toolCall("execute_query", Map.of("sql", "select pg_sleep(60)")));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        TestEngines.FakeDb db = (TestEngines.FakeDb) setup.db;
        SessionEngine session = setup.session();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<AgentResponse> f = pool.submit(() -> session.ask("q"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (db.cancellations.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            session.cancel();
            AgentResponse r = f.get(5, TimeUnit.SECONDS);

            assertThat(r.status()).isEqualTo(AgentStatus.CANCELLED);
            assertThat(db.cancellations)
                    .singleElement()
                    .satisfies(c -> assertThat(c.isCancelled()).isTrue());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void stopsWhenTheTokenBudgetIsUsed() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCalls(List.of(query("drop table x")), new TokenUsage(900, 200)))
                .enqueue(text("never"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.tokenBudget = 1_000;

        AgentResponse r = setup.session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.LIMIT_REACHED);
        assertThat(r.limit()).contains(Limit.TOKENS);
        assertThat(r.usage().totalTokens()).isEqualTo(1_100);
        assertThat(llm.requestCount()).isEqualTo(1);
    }

    @Test
    void givesExtraToolCallsOfAStepAnErrorResult() {
        ScriptedTool t = ScriptedTool.returning("t", "ran");
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCalls(call("t", "{}"), call("t", "{}"), call("t", "{}")))
                .enqueue(text("ok"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.tools.add(t);
        setup.maxToolCallsPerStep = 2;

        AgentResponse r = setup.session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(t.callCount()).isEqualTo(2);
        assertThat(toolResults(llm.request(1)))
                .extracting(ToolResultMessage::error)
                .containsExactly(false, false, true);
        assertThat(toolResults(llm.request(1)).get(2).content()).contains("at most 2 tool calls");
    }

    @Test
    void reportsANonRetryableModelFailureAsFailed() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueueFailure(new LlmException(
                        "invalid api key", LlmException.Reason.AUTHENTICATION, false, 401, null, null));

        AgentResponse r = new TestEngines.Setup(llm).session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.FAILED);
        assertThat(r.error()).get().asString().contains("AUTHENTICATION").contains("invalid api key");
    }

    @Test
    void handlesLengthAndContentFilterFinishReasons() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.of(
                        AssistantMessage.of("The answer is"), FinishReason.LENGTH, LlmResponses.DEFAULT_USAGE))
                .enqueue(LlmResponses.of(
                        AssistantMessage.of(""), FinishReason.CONTENT_FILTER, LlmResponses.DEFAULT_USAGE));
        SessionEngine session = new TestEngines.Setup(llm).session();

        AgentResponse cut = session.ask("q1");
        AgentResponse filtered = session.ask("q2");

        assertThat(cut.status()).isEqualTo(AgentStatus.LIMIT_REACHED);
        assertThat(cut.limit()).contains(Limit.TOKENS);
        assertThat(cut.answer()).isEqualTo("The answer is");
        assertThat(cut.error()).get().asString().contains("finish_reason=length");
        assertThat(filtered.status()).isEqualTo(AgentStatus.FAILED);
        assertThat(filtered.error()).get().asString().contains("content filter");
    }

    @Test
    void callsTheListenerForEachStepAndIgnoresItsFailures() {
        List<AgentStep> seen = new CopyOnWriteArrayList<>();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", "drop table x")))
                .enqueue(text("done"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.listener = AgentListener.onStep(step -> {
            seen.add(step);
            throw new IllegalStateException("listener bug");
        });

        AgentResponse r = setup.session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(seen).extracting(AgentStep::index).containsExactly(1, 2);
    }

    @Test
    void keepsHistoryPerSessionAndTrimsWholeOldTurns() {
        FakeLlmClient llm = FakeLlmClient.create();
        String bulky = "x".repeat(400);
        for (int i = 1; i <= 4; i++) {
            llm.enqueue(toolCall("execute_query", Map.of("sql", "drop table t" + i + " -- " + bulky)));
            llm.enqueue(text("answer " + i));
        }
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.historyTokenBudget = 400;
        SessionEngine session = setup.session();

        for (int i = 1; i <= 4; i++) {
            assertThat(session.ask("question " + i).status()).isEqualTo(AgentStatus.COMPLETED);
        }

        ChatRequest last = llm.request(7);
        List<String> users = last.messages().stream()
                .filter(m -> m instanceof UserMessage)
                .map(m -> ((UserMessage) m).text())
                .toList();
        assertThat(users).last().isEqualTo("question 4");
        assertThat(users).doesNotContain("question 1").hasSizeLessThan(4);
        assertThat(session.historyTurns()).isLessThan(4);
        assertPairedToolMessages(last.messages());
        // the current turn is never trimmed: its tool call and result are both present
        assertThat(LlmResponses.lastToolResults(last)).hasSize(1);
    }

    @Test
    void keepsFollowUpContextWithinTheBudget() {
        FakeLlmClient llm = FakeLlmClient.create().enqueue(text("3 items")).enqueue(text("2 more"));
        SessionEngine session = new TestEngines.Setup(llm).session();

        session.ask("How many items?");
        session.ask("And yesterday?");

        List<ChatMessage> second = llm.request(1).messages();
        assertThat(second)
                .extracting(ChatMessage::role)
                .map(Enum::name)
                .containsExactly("SYSTEM", "USER", "ASSISTANT", "USER");
    }

    @Test
    void servesTwoSessionsInParallelWithSeparateHistories() throws Exception {
        FakeLlmClient llm = FakeLlmClient.create();
        for (int i = 0; i < 40; i++) {
            llm.enqueue(req -> {
                String q = ((UserMessage) req.messages().stream()
                                .filter(m -> m instanceof UserMessage)
                                .reduce((a, b) -> b)
                                .orElseThrow())
                        .text();
                sleep(5);
                return text("echo " + q);
            });
        }
        AgentEngine engine = new TestEngines.Setup(llm).build();
        SessionEngine alice = engine.newSession("alice");
        SessionEngine bob = engine.newSession("bob");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<String>> a = pool.submit(() -> askMany(alice, "alice"));
            Future<List<String>> b = pool.submit(() -> askMany(bob, "bob"));

            assertThat(a.get(20, TimeUnit.SECONDS))
                    .allSatisfy(s -> assertThat(s).startsWith("echo alice"));
            assertThat(b.get(20, TimeUnit.SECONDS))
                    .allSatisfy(s -> assertThat(s).startsWith("echo bob"));
            assertThat(alice.history())
                    .noneMatch(m -> m instanceof UserMessage u && u.text().contains("bob"));
            assertThat(bob.history())
                    .noneMatch(m -> m instanceof UserMessage u && u.text().contains("alice"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesReadsOnceTheAskRowBudgetIsUsed() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", "select name from items")))
                .enqueue(toolCall("execute_query", Map.of("sql", "select name from items")))
                .enqueue(toolCall("execute_query", Map.of("sql", "select name from items")))
                .enqueue(text("done"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.policy = SafetyPolicy.builder().maxRows(3).askMaxRows(5).build();
        TestEngines.FakeDb db = (TestEngines.FakeDb) setup.db;
        db.results.put("select name from items", TestEngines.table("name", "a", "b", "c", "d"));

        AgentResponse r = setup.session().ask("q");

        assertThat(r.statements())
                .extracting(StatementOutcome::status)
                .containsExactly(
                        StatementOutcome.Status.EXECUTED,
                        StatementOutcome.Status.EXECUTED,
                        StatementOutcome.Status.REFUSED);
        assertThat(db.limits).extracting(l -> l.maxRows()).containsExactly(3, 2);
        assertThat(r.statements().get(2).error()).contains("budget");
    }

    @Test
    void reportsToolExceptionsToTheModel() {
        ScriptedTool broken = ScriptedTool.builder("broken")
                .thenThrow(new dev.pgagent.api.ToolExecutionException("broken", "backend unavailable"))
                .thenThrow(new IllegalStateException("bug"))
                .build();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCalls(call("broken", "{}"), call("broken", "{}")))
                .enqueue(text("ok"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.tools.add(broken);

        AgentResponse r = setup.session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        List<ToolResultMessage> results = toolResults(llm.request(1));
        assertThat(results).allSatisfy(t -> assertThat(t.error()).isTrue());
        assertThat(results)
                .extracting(ToolResultMessage::content)
                .anySatisfy(c -> assertThat(c).contains("backend unavailable"))
                .anySatisfy(c -> assertThat(c).contains("bug"));
    }

    @Test
    void neverTrimsTheCurrentTurnEvenWhenItExceedsTheHistoryBudget() {
        String big = "y".repeat(4_000);
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(text("first"))
                .enqueue(toolCall("execute_query", Map.of("sql", "drop table " + big)))
                .enqueue(text("second"));
        TestEngines.Setup setup = new TestEngines.Setup(llm);
        setup.historyTokenBudget = 50;
        SessionEngine session = setup.session();

        session.ask("short question");
        session.ask("long question " + big);

        List<ChatMessage> last = llm.request(2).messages();
        assertThat(last.get(1)).isEqualTo(new UserMessage("short question"));
        assertThat(last).anySatisfy(m -> assertThat(m).isEqualTo(new UserMessage("long question " + big)));
        assertThat(LlmResponses.lastToolResults(llm.request(2))).hasSize(1);
        // afterwards the big turn is too large to keep, and only a contiguous recent suffix is ever kept
        assertThat(session.historyTurns()).isZero();
    }

    private static List<String> askMany(SessionEngine s, String who) {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            AgentResponse r = s.ask(who + " " + i);
            answers.add(r.answer());
        }
        return answers;
    }

    static void assertPairedToolMessages(List<ChatMessage> messages) {
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i) instanceof AssistantMessage a && a.hasToolCalls()) {
                for (int k = 0; k < a.toolCalls().size(); k++) {
                    assertThat(messages.get(i + 1 + k)).isInstanceOf(ToolResultMessage.class);
                    assertThat(((ToolResultMessage) messages.get(i + 1 + k)).toolCallId())
                            .isEqualTo(a.toolCalls().get(k).id());
                }
            }
            if (messages.get(i) instanceof ToolResultMessage) {
                assertThat(i).isPositive();
            }
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.pgagent.api.CancelledException("interrupted");
        }
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch timed out: calls did not run concurrently");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.pgagent.api.CancelledException("interrupted");
        }
    }
}
