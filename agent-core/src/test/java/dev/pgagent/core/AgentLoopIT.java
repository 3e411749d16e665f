package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.call;
import static dev.pgagent.testkit.LlmResponses.query;
import static dev.pgagent.testkit.LlmResponses.text;
import static dev.pgagent.testkit.LlmResponses.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import dev.pgagent.testkit.RecordingAuditSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AgentLoopIT {
    private static DataSource ds;
    private static ExecutorService pool;

    @BeforeAll
    static void setUp() {
        ds = Shop.create("core_loop");
        pool = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void tearDown() {
        pool.shutdownNow();
    }

    private static PostgresAgent.Builder agent(FakeLlmClient llm) {
        return PostgresAgent.builder().llm(llm).dataSource(ds);
    }

    @Test
    void theAsksDatabaseTimeCutsStatementTimeoutsThenRefuses() {
        String slow = "SELECT count(*) FROM generate_series(1, 500000000)";
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", slow)))
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", slow)))
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", "SELECT count(*) FROM products")))
                .enqueue(text("It takes too long."));
        SafetyPolicy policy = SafetyPolicy.builder()
                // margins wide enough for a busy machine: the first statement's client-side overhead would have to
                // exceed a second for the second statement not to be cut short but refused
                .statementTimeout(Duration.ofMillis(2000))
                .askMaxTime(Duration.ofMillis(3000))
                .build();
        PostgresAgent agent = agent(llm).policy(policy).build();

        AgentResponse r = agent.ask("Count a lot");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(r.statements())
                .extracting(StatementOutcome::status)
                .containsExactly(
                        StatementOutcome.Status.CANCELLED,
                        StatementOutcome.Status.CANCELLED,
                        StatementOutcome.Status.REFUSED);
        assertThat(r.statements().get(1).elapsed()).isLessThan(Duration.ofMillis(2000));
        assertThat(r.statements().get(2).error()).contains("database time budget of this ask (3000 ms) is used up");
    }

    @Test
    void correctsItselfAfterASqlErrorFromPostgres() {
        RecordingAuditSink audit = new RecordingAuditSink();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", "SELECT nme FROM products")))
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", "SELECT name FROM products ORDER BY id")))
                .enqueue(r -> text("Products: " + LlmResponses.lastToolResult(r).orElseThrow()));
        PostgresAgent agent = agent(llm).addAuditSink(audit).build();

        AgentResponse r = agent.ask("List the products");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(r.statements())
                .extracting(StatementOutcome::status)
                .containsExactly(StatementOutcome.Status.FAILED, StatementOutcome.Status.EXECUTED);
        assertThat(r.statements().get(0).sqlState()).isEqualTo("42703");
        ToolResultMessage error = LlmResponses.lastToolResults(llm.request(1)).get(0);
        assertThat(error.error()).isTrue();
        assertThat(error.content()).contains("42703").contains("nme");
        assertThat(r.answer()).contains("Mug").contains("Pen").contains("Book");
        assertThat(r.tables())
                .singleElement()
                .satisfies(t -> assertThat(t.rowCount()).isEqualTo(3));
        assertThat(audit.events(AuditEventType.QUERY_FAILED))
                .singleElement()
                .satisfies(e -> assertThat(e.attributes()).containsEntry("sqlState", "42703"));
        String system =
                ((dev.pgagent.api.llm.SystemMessage) llm.request(0).messages().get(0)).text();
        assertThat(system).contains("products").contains("read-only");
    }

    @Test
    void feedsARefusalBackAndTheModelContinues() {
        RecordingAuditSink audit = new RecordingAuditSink();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", "DROP TABLE customers")))
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", "SELECT count(*) FROM customers")))
                .enqueue(text("There are 3 customers; I cannot drop tables."));
        PostgresAgent agent = agent(llm).addAuditSink(audit).build();

        AgentResponse r = agent.ask("Drop the customers table, then count them");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(r.statements())
                .extracting(StatementOutcome::status)
                .containsExactly(StatementOutcome.Status.REFUSED, StatementOutcome.Status.EXECUTED);
        assertThat(LlmResponses.lastToolResult(llm.request(1)).orElseThrow()).contains("Refused");
        assertThat(audit.sql(AuditEventType.QUERY_REFUSED)).containsExactly("DROP TABLE customers");
        assertThat(Shop.query(ds, "SELECT count(*) FROM customers")).containsExactly(List.of("3"));
    }

    @Test
    void runsSeveralQueriesOfOneStepAndKeepsTheirOrder() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCalls(
                        query("SELECT count(*) AS n FROM customers"),
                        query("SELECT count(*) AS n FROM products"),
                        call("list_tables", "{}"),
                        call("describe_table", Map.of("table", "orders"))))
                .enqueue(text("done"));
        PostgresAgent agent = agent(llm).build();

        AgentResponse r = agent.ask("How big is the shop?");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        List<ToolResultMessage> results = LlmResponses.lastToolResults(llm.request(1));
        assertThat(results).hasSize(4).allSatisfy(t -> assertThat(t.error()).isFalse());
        assertThat(results.get(2).content()).contains("orders");
        assertThat(results.get(3).content()).contains("customer_id");
        assertThat(r.tables()).hasSize(2);
    }

    @Test
    void cancelFromAnotherThreadStopsARunningPgSleep() throws Exception {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", "SELECT pg_sleep(30)")));
        PostgresAgent agent = agent(llm)
                .policy(SafetyPolicy.builder().allowedFunctions("pg_sleep").build())
                .build();
        AgentSession session = agent.newSession();

        Future<AgentResponse> f = pool.submit(() -> session.ask("sleep"));
        awaitSleepingBackend(true);
        long t0 = System.nanoTime();
        session.cancel();
        AgentResponse r = f.get(30, TimeUnit.SECONDS);

        assertThat(r.status()).isEqualTo(AgentStatus.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        awaitSleepingBackend(false);
    }

    @Test
    void cancelFromAnotherThreadAbortsTheModelWait() throws Exception {
        CountDownLatch inModel = new CountDownLatch(1);
        FakeLlmClient llm = FakeLlmClient.create().enqueue(req -> {
            inModel.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return text("late");
        });
        AgentSession session = agent(llm).build().newSession();

        Future<AgentResponse> f = pool.submit(() -> session.ask("q"));
        assertThat(inModel.await(10, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        session.cancel();
        AgentResponse r = f.get(30, TimeUnit.SECONDS);

        assertThat(r.status()).isEqualTo(AgentStatus.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void timesOutAStatementThatRunsPastTheAskLimit() throws Exception {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", "SELECT pg_sleep(30)")));
        PostgresAgent agent = agent(llm)
                .policy(SafetyPolicy.builder().allowedFunctions("pg_sleep").build())
                .timeout(Duration.ofSeconds(1))
                .build();

        long t0 = System.nanoTime();
        AgentResponse r = agent.ask("sleep");

        assertThat(r.status()).isEqualTo(AgentStatus.LIMIT_REACHED);
        assertThat(r.limit()).contains(dev.pgagent.api.AgentLimitExceededException.Limit.TIME);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        awaitSleepingBackend(false);
    }

    @Test
    void oneAgentServesSessionsInParallel() throws Exception {
        FakeLlmClient llm = FakeLlmClient.create();
        // concurrent sessions take turns in any order, so each turn decides from the request it gets
        llm.otherwise(req -> {
            if (!LlmResponses.lastToolResults(req).isEmpty()) {
                return text(LlmResponses.lastToolResult(req).orElseThrow());
            }
            String q = ((dev.pgagent.api.llm.UserMessage)
                            req.messages().get(req.messages().size() - 1))
                    .text();
            return LlmResponses.toolCall(
                    "execute_query", Map.of("sql", "SELECT name FROM customers WHERE city = '" + q + "'"));
        });
        PostgresAgent agent = agent(llm).build();
        List<Future<AgentResponse>> futures = new java.util.ArrayList<>();
        String[] cities = {"London", "Paris", "Berlin"};
        for (int i = 0; i < 9; i++) {
            String city = cities[i % 3];
            futures.add(pool.submit(() -> agent.newSession().ask(city)));
        }

        for (int i = 0; i < 9; i++) {
            AgentResponse r = futures.get(i).get(30, TimeUnit.SECONDS);
            String expected = List.of("Ada", "Bob", "Cy").get(i % 3);
            assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
            assertThat(r.tables())
                    .singleElement()
                    .satisfies(t -> assertThat(t.rows()).containsExactly(List.of(expected)));
        }
        assertThat(llm.requestCount()).isEqualTo(18);
    }

    private static void awaitSleepingBackend(boolean present) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean sleeping = !Shop.query(
                            ds,
                            "SELECT pid FROM pg_stat_activity WHERE state = 'active' "
                                    + "AND query ILIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()")
                    .isEmpty();
            if (sleeping == present) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("pg_sleep backend " + (present ? "never appeared" : "is still running"));
    }
}
