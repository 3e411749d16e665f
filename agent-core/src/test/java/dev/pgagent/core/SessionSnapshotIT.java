package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import dev.pgagent.testkit.RecordingAuditSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SessionSnapshotIT {
    private static final SafetyPolicy BALANCED =
            SafetyPolicy.builder().level(PolicyLevel.BALANCED).build();
    private static final String RAISE = "UPDATE products SET price = price * 2 WHERE id <= 2";
    private static final String COUNT = "SELECT count(*) AS n FROM products";

    private DataSource ds;
    private final RecordingAuditSink audit = new RecordingAuditSink();

    @BeforeEach
    void setUp() {
        ds = Shop.create("core_snapshot");
    }

    private PostgresAgent agent(FakeLlmClient llm, SafetyPolicy policy) {
        return PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .policy(policy)
                .confirmationHandler(ConfirmationHandler.DEFER_ALL)
                .addAuditSink(audit)
                .build();
    }

    private List<List<String>> prices() {
        return Shop.query(ds, "SELECT id, price FROM products ORDER BY id");
    }

    /** Asks in a first agent until the ask waits for the UPDATE, and returns the stored bytes. */
    private byte[] waitingSnapshot(FakeLlmClient firstLlm) {
        firstLlm.enqueue(LlmResponses.toolCalls(LlmResponses.query(COUNT), LlmResponses.query(RAISE)));
        AgentSession session = agent(firstLlm, BALANCED).newSession("web-user-7");
        AgentResponse waiting = session.ask("Double the price of the first two products");
        assertThat(waiting.status()).isEqualTo(AgentStatus.WAITING_FOR_CONFIRMATION);
        SessionSnapshot snapshot = session.snapshot();
        assertThat(snapshot.isWaitingForConfirmation()).isTrue();
        assertThat(snapshot.askId()).contains(waiting.askId());
        assertThat(snapshot.pendingConfirmations()).isEqualTo(waiting.pendingConfirmations());
        return snapshot.toBytes();
    }

    @Test
    void aSnapshotStoredAsBytesResumesInANewAgentAndAppliesTheApprovedWrite() {
        FakeLlmClient first = FakeLlmClient.create().enqueue(text("There are 3 products."));
        AgentSession earlier = agent(first, BALANCED).newSession("web-user-7");
        earlier.ask("How many products are there?");
        first.enqueue(LlmResponses.toolCalls(LlmResponses.query(COUNT), LlmResponses.query(RAISE)));
        AgentResponse waiting = earlier.ask("Double the price of the first two products");
        assertThat(waiting.status()).isEqualTo(AgentStatus.WAITING_FOR_CONFIRMATION);
        byte[] bytes = earlier.snapshot().toBytes();
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain("java.util");
        assertThat(prices()).containsExactly(List.of("1", "9.50"), List.of("2", "1.20"), List.of("3", "25.00"));
        ChatRequest firstRequestOfAsk = first.request(1);

        FakeLlmClient second = FakeLlmClient.create()
                .enqueue(r -> text("Done: " + LlmResponses.lastToolResult(r).orElseThrow()));
        PostgresAgent other = agent(second, BALANCED);
        SessionSnapshot restored = SessionSnapshot.fromBytes(bytes);
        AgentSession session = other.restoreSession(restored);

        assertThat(session.id()).isEqualTo("web-user-7");
        ConfirmationRequest request = session.pendingConfirmations().get(0);
        assertThat(request.sql()).isEqualTo(RAISE);
        assertThat(request.dryRun().affectedRows()).isEqualTo(2);
        assertThat(request).isEqualTo(waiting.pendingConfirmations().get(0));

        AgentResponse done = session.resume(Map.of(request.id(), ConfirmationDecision.approve("manager")));

        assertThat(done.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(done.askId()).isEqualTo(waiting.askId());
        assertThat(done.answer()).startsWith("Done:").contains("applied").contains("2 rows");
        assertThat(prices()).containsExactly(List.of("1", "19.00"), List.of("2", "2.40"), List.of("3", "25.00"));
        assertThat(done.steps()).hasSize(2);
        assertThat(done.usage().totalTokens()).isGreaterThan(waiting.usage().totalTokens());
        assertThat(done.statements())
                .extracting(StatementOutcome::status)
                .containsExactly(StatementOutcome.Status.EXECUTED, StatementOutcome.Status.EXECUTED);
        assertThat(done.statements().get(1).affectedRows()).isEqualTo(2);

        assertThat(second.requestCount()).isEqualTo(1);
        List<ChatMessage> sent = second.request(0).messages();
        List<ChatMessage> before = firstRequestOfAsk.messages();
        assertThat(sent.subList(1, before.size())).isEqualTo(before.subList(1, before.size()));
        assertThat(sent.get(1)).isEqualTo(new UserMessage("How many products are there?"));
        assertThat(sent).contains(new UserMessage("Double the price of the first two products"));
        AssistantMessage calls = (AssistantMessage) sent.get(sent.size() - 3);
        assertThat(calls.toolCalls()).hasSize(2);
        List<ToolResultMessage> results = LlmResponses.lastToolResults(second.request(0));
        assertThat(results).hasSize(2);
        assertThat(results.get(0).toolCallId())
                .isEqualTo(calls.toolCalls().get(0).id());
        assertThat(results.get(0).content()).contains("3");
        assertThat(results.get(1).toolCallId())
                .isEqualTo(calls.toolCalls().get(1).id());
        assertThat(results.get(1).content()).contains("applied").contains("2 rows");
        assertThat(results.get(1).error()).isFalse();
        assertThat(audit.events(AuditEventType.ASK_STARTED))
                .anySatisfy(e -> assertThat(e.attributes()).containsEntry("restored", "true"));
        assertThat(audit.events(AuditEventType.QUERY_EXECUTED)).anySatisfy(e -> {
            assertThat(e.attributes()).containsEntry("requestId", request.id());
            assertThat(e.sessionId()).contains("web-user-7");
        });
    }

    @Test
    void aDeclineAfterRestoreChangesNothingAndTellsTheModel() {
        byte[] bytes = waitingSnapshot(FakeLlmClient.create());
        String before = Shop.fingerprint(ds);
        FakeLlmClient second = FakeLlmClient.create()
                .enqueue(r -> text(
                        "OK, not changed: " + LlmResponses.lastToolResult(r).orElseThrow()));
        AgentSession session = agent(second, BALANCED).restoreSession(SessionSnapshot.fromBytes(bytes));
        String id = session.pendingConfirmations().get(0).id();

        AgentResponse done = session.resume(Map.of(id, ConfirmationDecision.decline("bob", "not today")));

        assertThat(done.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(done.statements())
                .extracting(StatementOutcome::status)
                .containsExactly(StatementOutcome.Status.EXECUTED, StatementOutcome.Status.DECLINED);
        assertThat(LlmResponses.lastToolResult(second.request(0)).orElseThrow()).contains("declined by bob");
        assertThat(done.answer()).contains("not today");
        assertThat(Shop.fingerprint(ds)).isEqualTo(before);
    }

    @Test
    void aReadOnlyAgentRefusesThePendingWriteOfARestoredSnapshot() {
        byte[] bytes = waitingSnapshot(FakeLlmClient.create());
        String before = Shop.fingerprint(ds);
        FakeLlmClient second = FakeLlmClient.create()
                .enqueue(
                        r -> text("Could not: " + LlmResponses.lastToolResult(r).orElseThrow()));
        AgentSession session = agent(second, SafetyPolicy.READ_ONLY).restoreSession(SessionSnapshot.fromBytes(bytes));
        String id = session.pendingConfirmations().get(0).id();

        AgentResponse done = session.resume(Map.of(id, ConfirmationDecision.approve("manager")));

        assertThat(done.statements().get(1)).satisfies(o -> {
            assertThat(o.status()).isEqualTo(StatementOutcome.Status.REFUSED);
            assertThat(o.error()).contains("no rows were changed");
        });
        assertThat(LlmResponses.lastToolResult(second.request(0)).orElseThrow()).contains("refused");
        assertThat(Shop.fingerprint(ds)).isEqualTo(before);
        assertThat(audit.events(AuditEventType.QUERY_REFUSED)).isNotEmpty();
    }

    @Test
    void fromBytesRejectsAStreamHoldingAnUnexpectedClass() throws IOException {
        HashMap<String, String> map = new HashMap<>();
        map.put("sql", "DROP TABLE customers");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(map);
        }

        assertThatThrownBy(() -> SessionSnapshot.fromBytes(bytes.toByteArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.util.HashMap")
                .hasMessageContaining("not allowed");
        assertThatThrownBy(() -> SessionSnapshot.fromBytes("not a snapshot".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SessionSnapshot");
    }

    @Test
    void anIdleSessionsSnapshotRestoresItsHistoryForTheNextAsk() {
        FakeLlmClient first = FakeLlmClient.create().enqueue(text("March had 2 orders."));
        AgentSession session = agent(first, BALANCED).newSession("chat-1");
        session.ask("How many orders were placed in March?");
        SessionSnapshot snapshot = session.snapshot();
        assertThat(snapshot.isWaitingForConfirmation()).isFalse();
        assertThat(snapshot.pendingConfirmations()).isEmpty();
        assertThat(snapshot.history()).isEqualTo(session.history());

        FakeLlmClient second = FakeLlmClient.create().enqueue(text("April had 2 orders."));
        AgentSession restored = agent(second, BALANCED).restoreSession(SessionSnapshot.fromBytes(snapshot.toBytes()));
        AgentResponse r = restored.ask("And in April?");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(restored.id()).isEqualTo("chat-1");
        List<ChatMessage> sent = second.request(0).messages();
        assertThat(sent.subList(1, sent.size()))
                .containsExactly(
                        new UserMessage("How many orders were placed in March?"),
                        AssistantMessage.of("March had 2 orders."),
                        new UserMessage("And in April?"));
    }

    @Test
    void aSnapshotCannotBeTakenWhileAnAskRuns() throws Exception {
        java.util.concurrent.CountDownLatch inModel = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        FakeLlmClient llm = FakeLlmClient.create().enqueue(r -> {
            inModel.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return text("done");
        });
        AgentSession session = agent(llm, BALANCED).newSession();
        Thread asker = new Thread(() -> session.ask("Anything?"));
        asker.start();
        inModel.await();
        try {
            assertThatThrownBy(session::snapshot)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("running");
        } finally {
            release.countDown();
            asker.join();
        }
        assertThat(session.snapshot().history()).hasSize(2);
    }
}
