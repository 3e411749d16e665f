package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.history.AskRecord;
import dev.pgagent.api.history.HistoryQuery;
import dev.pgagent.api.history.HistorySearch;
import dev.pgagent.api.history.HistoryStore;
import dev.pgagent.api.history.QueryExample;
import dev.pgagent.api.history.QueryMemory;
import dev.pgagent.api.history.StatementRecord;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.db.postgres.PostgresHistoryStore;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import dev.pgagent.testsupport.TestPostgres;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The history of asks and the memory of (question, SQL) pairs, fed from the agent's events, in memory and in
 * PostgreSQL: what is recorded, continuing a conversation, and examples in the prompt.
 */
class HistoryIT {
    private static final String COUNT_ORDERS = "SELECT count(*) FROM orders";
    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private static DataSource ds;
    private static DataSource historyDb;

    @BeforeAll
    static void setUp() {
        ds = Shop.create("core_history");
        historyDb = TestPostgres.freshDatabase("core_history_store");
    }

    /** A fresh store: "memory" or "postgres" (a schema of its own). */
    private static HistoryStore store(String kind) {
        return kind.equals("memory")
                ? InMemoryHistoryStore.create()
                : PostgresHistoryStore.builder()
                        .dataSource(historyDb)
                        .schema("hist_" + SCHEMAS.incrementAndGet())
                        .build();
    }

    private static PostgresAgent.Builder agent(FakeLlmClient llm, HistoryStore store) {
        return PostgresAgent.builder().llm(llm).dataSource(ds).historyStore(store);
    }

    private static FakeLlmClient countOrders(String answer) {
        return FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", COUNT_ORDERS)))
                .enqueue(text(answer));
    }

    private static AskRecord only(HistoryStore store) {
        List<AskRecord> all = ((HistorySearch) store).search(HistoryQuery.RECENT);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private static String systemPrompt(ChatRequest r) {
        return ((SystemMessage) r.messages().get(0)).text();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void eachAskIsRecordedWithItsStatementsVerdictsRowsTokensAndStatus(String kind) {
        HistoryStore store = store(kind);
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", "DELETE FROM orders")))
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", COUNT_ORDERS)))
                .enqueue(text("There are 4 orders."));
        try (PostgresAgent agent =
                agent(llm, store).historyPrincipal(session -> "alice").build()) {
            AgentResponse r = agent.newSession("conv-1").ask("How many orders, and delete them?");

            AskRecord a = only(store);
            assertThat(a.id()).isEqualTo(r.askId());
            assertThat(a.sessionId()).isEqualTo("conv-1");
            assertThat(a.principal()).isEqualTo("alice");
            assertThat(a.question()).isEqualTo("How many orders, and delete them?");
            assertThat(a.answer()).isEqualTo("There are 4 orders.");
            assertThat(a.status()).isEqualTo("COMPLETED");
            assertThat(a.steps()).isEqualTo(3);
            assertThat(a.inputTokens()).isEqualTo(30);
            assertThat(a.outputTokens()).isEqualTo(15);
            assertThat(a.elapsed()).isPositive();
            assertThat(a.statements())
                    .extracting(
                            StatementRecord::sql,
                            StatementRecord::decision,
                            StatementRecord::status,
                            StatementRecord::rows,
                            StatementRecord::database)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "DELETE FROM orders",
                                    Decision.DENY,
                                    StatementOutcome.Status.REFUSED,
                                    -1L,
                                    "default"),
                            org.assertj.core.groups.Tuple.tuple(
                                    COUNT_ORDERS, Decision.ALLOW, StatementOutcome.Status.EXECUTED, 1L, "default"));
            assertThat(a.statements().get(0).error()).isNotBlank();
            assertThat(a.finalStatement().map(StatementRecord::sql)).contains(COUNT_ORDERS);
            assertThat(((HistorySearch) store).find(a.id())).contains(a);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void hostCallsAreAuditedNotRecorded(String kind) {
        HistoryStore store = store(kind);
        try (PostgresAgent agent = agent(FakeLlmClient.create(), store).build()) {
            agent.guardedPath("job").execute(COUNT_ORDERS);
            agent.guardedPath("job").callTool("execute_query", "{\"sql\":\"SELECT 1\"}");

            assertThat(((HistorySearch) store).search(HistoryQuery.RECENT)).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void anAskWaitingForAConfirmationIsRecordedAndRecordedAgainWhenItEnds(String kind) {
        HistoryStore store = store(kind);
        String raise = "UPDATE products SET price = price + 1 WHERE id = 2";
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", raise)))
                .enqueue(text("Raised."));
        try (PostgresAgent agent = agent(llm, store)
                .policy(SafetyPolicy.builder().level(PolicyLevel.BALANCED).build())
                .confirmationHandler(request -> ConfirmationDecision.defer())
                .build()) {
            AgentSession session = agent.newSession("conv-w");
            AgentResponse waiting = session.ask("Raise the pen's price by one");
            AskRecord parked = only(store);

            AgentResponse done = session.resume(
                    Map.of(waiting.pendingConfirmations().get(0).id(), ConfirmationDecision.approve("bob")));

            assertThat(parked.status()).isEqualTo("WAITING_FOR_CONFIRMATION");
            assertThat(parked.statements())
                    .singleElement()
                    .satisfies(s -> assertThat(s.status()).isEqualTo(StatementOutcome.Status.PENDING_CONFIRMATION));
            assertThat(done.status()).isEqualTo(AgentStatus.COMPLETED);
            AskRecord ended = only(store);
            assertThat(ended.id()).isEqualTo(parked.id());
            assertThat(ended.status()).isEqualTo("COMPLETED");
            assertThat(ended.answer()).isEqualTo("Raised.");
            assertThat(ended.statements())
                    .extracting(StatementRecord::status)
                    .containsExactly(StatementOutcome.Status.PENDING_CONFIRMATION, StatementOutcome.Status.EXECUTED);
            assertThat(ended.statements().get(1).affectedRows()).isEqualTo(1);
            assertThat(ended.elapsed()).isGreaterThanOrEqualTo(parked.elapsed());
        } finally {
            Shop.exec(ds, "UPDATE products SET price = 1.20 WHERE id = 2");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void aConversationContinuesFromTheStoreInAnotherAgent(String kind) {
        HistoryStore store = store(kind);
        try (PostgresAgent first =
                agent(countOrders("There are 4 orders."), store).build()) {
            first.newSession("conv-2").ask("How many orders are there?");
        }
        FakeLlmClient llm = FakeLlmClient.create().enqueue(text("And 3 customers."));
        try (PostgresAgent second = agent(llm, store).build()) {
            AgentSession session = second.continueSession("conv-2");
            AgentResponse r = session.ask("And customers?");

            assertThat(session.id()).isEqualTo("conv-2");
            assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
            List<ChatMessage> sent = llm.request(0).messages();
            assertThat(sent.get(1)).isEqualTo(new UserMessage("How many orders are there?"));
            assertThat(((AssistantMessage) sent.get(2)).toolCalls())
                    .singleElement()
                    .satisfies(c -> assertThat(c.arguments()).contains(COUNT_ORDERS));
            assertThat(((ToolResultMessage) sent.get(3)).content())
                    .contains("1 row")
                    .contains("not kept");
            assertThat(sent.get(4)).isEqualTo(AssistantMessage.of("There are 4 orders."));
            assertThat(sent.get(5)).isEqualTo(new UserMessage("And customers?"));
            assertThat(((HistorySearch) store).search(HistoryQuery.session("conv-2")))
                    .extracting(AskRecord::question)
                    .containsExactly("How many orders are there?", "And customers?");
            assertThat(second.continueSession("never-seen").history()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void aSimilarQuestionIsShownTheEarlierSqlOfTheSameDatabaseOnly(String kind) {
        HistoryStore store = store(kind);
        try (PostgresAgent agent = agent(countOrders("4."), store).build()) {
            agent.ask("How many orders were placed?");
        }
        FakeLlmClient llm = FakeLlmClient.create().otherwise(r -> text("ok"));
        try (PostgresAgent same = agent(llm, store).build();
                PostgresAgent off = agent(llm, store).queryMemory(false).build();
                PostgresAgent other =
                        agent(llm, store).defaultDatabaseName("warehouse").build();
                PostgresAgent denied = agent(llm, store)
                        .policy(SafetyPolicy.builder().deniedTables("orders").build())
                        .build()) {
            same.ask("How many orders were placed in April?");
            off.ask("How many orders were placed in April?");
            other.ask("How many orders were placed in April?");
            denied.ask("How many orders were placed in April?");
            same.ask("Which city is Bob from?");
        }

        assertThat(systemPrompt(llm.request(0)))
                .contains("Examples: earlier questions on this database")
                .contains("- Q: How many orders were placed?\n  SQL: " + COUNT_ORDERS);
        assertThat(systemPrompt(llm.request(1))).doesNotContain("Examples:");
        assertThat(systemPrompt(llm.request(2))).doesNotContain("Examples:");
        assertThat(systemPrompt(llm.request(3))).doesNotContain(COUNT_ORDERS);
        assertThat(systemPrompt(llm.request(4))).doesNotContain("Examples:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void goldenPairsAreShownRedactedAndForgottenPairsNever(String kind) {
        HistoryStore store = store(kind);
        QueryMemory memory = (QueryMemory) store;
        QueryExample golden = memory.addExample(
                "default",
                "Orders of a customer by e-mail",
                "SELECT o.* FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email = 'ada@example.com'");
        FakeLlmClient llm = FakeLlmClient.create().otherwise(r -> text("ok"));
        try (PostgresAgent agent = agent(llm, store).build()) {
            agent.ask("List the orders of the customer with e-mail bob@example.org");
            memory.forget(golden.id());
            agent.ask("List the orders of the customer with e-mail bob@example.org");
        }

        assertThat(systemPrompt(llm.request(0)))
                .contains("Orders of a customer by e-mail")
                .contains("JOIN customers c")
                .doesNotContain("ada@example.com");
        assertThat(systemPrompt(llm.request(1))).doesNotContain("Orders of a customer by e-mail");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void aStoreThatFailsNeverFailsTheAsk(String kind) {
        HistoryStore failing = ask -> {
            throw new IllegalStateException("disk full");
        };
        try (PostgresAgent agent = agent(countOrders("4."), failing).build()) {
            assertThat(agent.ask("How many orders?").status()).isEqualTo(AgentStatus.COMPLETED);
        }
        assertThat(kind).isNotBlank();
    }
}
