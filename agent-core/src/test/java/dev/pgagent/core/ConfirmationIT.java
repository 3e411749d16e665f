package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import dev.pgagent.testkit.RecordingAuditSink;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConfirmationIT {
    private static final SafetyPolicy BALANCED =
            SafetyPolicy.builder().level(PolicyLevel.BALANCED).build();
    private static final String RAISE = "UPDATE products SET price = price * 2 WHERE id <= 2";

    private DataSource ds;
    private final RecordingAuditSink audit = new RecordingAuditSink();

    @BeforeEach
    void setUp() {
        ds = Shop.create("core_confirm");
    }

    private static FakeLlmClient writeThenAnswer(String sql) {
        return FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", sql)))
                .enqueue(r -> text("Done: " + LlmResponses.lastToolResult(r).orElseThrow()));
    }

    private PostgresAgent.Builder agent(FakeLlmClient llm, SafetyPolicy policy, ConfirmationHandler handler) {
        return PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .policy(policy)
                .confirmationHandler(handler)
                .addAuditSink(audit);
    }

    private List<List<String>> prices() {
        return Shop.query(ds, "SELECT id, price FROM products ORDER BY id");
    }

    @Test
    void anApprovingHandlerAppliesTheUpdateAfterItsDryRun() {
        List<ConfirmationRequest> asked = new CopyOnWriteArrayList<>();
        PostgresAgent agent = agent(writeThenAnswer(RAISE), BALANCED, request -> {
                    asked.add(request);
                    return request.kind() == ConfirmationKind.TYPED
                            ? ConfirmationDecision.approveTyped(request.expectedTypedText(), "alice")
                            : ConfirmationDecision.approve("alice");
                })
                .build();

        AgentResponse r = agent.ask("Double the price of the first two products");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(asked).singleElement().satisfies(q -> {
            assertThat(q.sql()).isEqualTo(RAISE);
            assertThat(q.dryRun().affectedRows()).isEqualTo(2);
        });
        assertThat(r.statements()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(StatementOutcome.Status.EXECUTED);
            assertThat(o.affectedRows()).isEqualTo(2);
        });
        assertThat(prices()).containsExactly(List.of("1", "19.00"), List.of("2", "2.40"), List.of("3", "25.00"));
        assertThat(audit.types())
                .containsSubsequence(
                        AuditEventType.CONFIRMATION_REQUESTED,
                        AuditEventType.CONFIRMATION_ANSWERED,
                        AuditEventType.QUERY_EXECUTED);
    }

    @Test
    void aDecliningHandlerChangesNothing() {
        String before = Shop.fingerprint(ds);
        FakeLlmClient llm = writeThenAnswer(RAISE);
        PostgresAgent agent = agent(llm, BALANCED, r -> ConfirmationDecision.decline("bob", "too expensive"))
                .build();

        AgentResponse r = agent.ask("Double the prices");

        assertThat(r.statements())
                .singleElement()
                .satisfies(o -> assertThat(o.status()).isEqualTo(StatementOutcome.Status.DECLINED));
        assertThat(LlmResponses.lastToolResult(llm.request(1)).orElseThrow()).contains("declined");
        assertThat(Shop.fingerprint(ds)).isEqualTo(before);
    }

    @Test
    void aTypedConfirmationWithTheWrongTextChangesNothing() {
        String before = Shop.fingerprint(ds);
        SafetyPolicy permissive =
                SafetyPolicy.builder().level(PolicyLevel.PERMISSIVE).build();
        List<ConfirmationRequest> asked = new ArrayList<>();
        PostgresAgent agent = agent(
                        writeThenAnswer("ALTER TABLE products ADD COLUMN note text"), permissive, request -> {
                            asked.add(request);
                            return ConfirmationDecision.approveTyped("customers", "carol");
                        })
                .build();

        AgentResponse r = agent.ask("Add a note column to products");

        assertThat(asked).singleElement().satisfies(q -> {
            assertThat(q.kind()).isEqualTo(ConfirmationKind.TYPED);
            assertThat(q.expectedTypedText()).contains("products");
        });
        assertThat(r.statements()).singleElement().satisfies(o -> {
            assertThat(o.isExecuted()).isFalse();
            assertThat(o.error()).contains("typed confirmation did not match");
        });
        assertThat(Shop.fingerprint(ds)).isEqualTo(before);
    }

    @Test
    void aDeferredConfirmationSurvivesSerialisationAndResumesToAnAnswer() throws Exception {
        FakeLlmClient llm = writeThenAnswer(RAISE);
        PostgresAgent agent =
                agent(llm, BALANCED, ConfirmationHandler.DEFER_ALL).build();
        AgentSession session = agent.newSession("user-1");

        AgentResponse waiting = session.ask("Double the price of the first two products");

        assertThat(waiting.status()).isEqualTo(AgentStatus.WAITING_FOR_CONFIRMATION);
        assertThat(waiting.pendingConfirmations()).hasSize(1);
        assertThat(session.pendingConfirmations()).isEqualTo(waiting.pendingConfirmations());
        assertThat(prices()).containsExactly(List.of("1", "9.50"), List.of("2", "1.20"), List.of("3", "25.00"));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new ArrayList<>(waiting.pendingConfirmations()));
        }
        List<?> restored;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            restored = (List<?>) in.readObject();
        }
        ConfirmationRequest request = (ConfirmationRequest) restored.get(0);
        assertThat(request).isEqualTo(waiting.pendingConfirmations().get(0));
        assertThat(request.dryRun().affectedRows()).isEqualTo(2);

        AgentResponse done = session.resume(Map.of(request.id(), ConfirmationDecision.approve("manager")));

        assertThat(done.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(done.answer()).contains("applied").contains("2 rows");
        assertThat(prices()).containsExactly(List.of("1", "19.00"), List.of("2", "2.40"), List.of("3", "25.00"));
        assertThat(llm.requestCount()).isEqualTo(2);
    }

    @Test
    void aWriteWhoseCountNoLongerMatchesTheDryRunIsRolledBackAndReported() {
        FakeLlmClient llm = writeThenAnswer("UPDATE products SET price = price + 1 WHERE price < 10");
        AgentSession session =
                agent(llm, BALANCED, ConfirmationHandler.DEFER_ALL).build().newSession();
        AgentResponse waiting = session.ask("Raise cheap products by one");
        ConfirmationRequest request = waiting.pendingConfirmations().get(0);
        assertThat(request.dryRun().affectedRows()).isEqualTo(2);
        Shop.exec(ds, "INSERT INTO products (name, description, price) VALUES ('Cap', 'Red', 5.00)");
        String before = Shop.fingerprint(ds);

        AgentResponse done = session.resume(Map.of(request.id(), ConfirmationDecision.approve("alice")));

        assertThat(done.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(done.statements()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(StatementOutcome.Status.FAILED);
            assertThat(o.error()).contains("3").contains("2");
        });
        assertThat(done.answer()).contains("failed");
        assertThat(Shop.fingerprint(ds)).isEqualTo(before);
        assertThat(audit.events(AuditEventType.QUERY_FAILED))
                .singleElement()
                .satisfies(e -> assertThat(e.attributes()).containsEntry("phase", "apply"));
    }

    @Test
    void aHandlerThatTimesOutDeclines() {
        String before = Shop.fingerprint(ds);
        SafetyPolicy policy =
                BALANCED.toBuilder().confirmationTimeout(Duration.ofMillis(300)).build();
        PostgresAgent agent = agent(writeThenAnswer(RAISE), policy, request -> {
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return ConfirmationDecision.approve("too late");
                })
                .build();

        AgentResponse r = agent.ask("Double the prices");

        assertThat(r.statements())
                .singleElement()
                .satisfies(o -> assertThat(o.status()).isEqualTo(StatementOutcome.Status.DECLINED));
        assertThat(audit.events(AuditEventType.CONFIRMATION_ANSWERED))
                .singleElement()
                .satisfies(e -> assertThat(e.attributes()).containsEntry("decidedBy", "timeout"));
        assertThat(Shop.fingerprint(ds)).isEqualTo(before);
    }

    @Test
    void aWriteOverTheWriteRowCapIsRefused() {
        String before = Shop.fingerprint(ds);
        SafetyPolicy policy = BALANCED.toBuilder().maxWriteRows(1).build();
        PostgresAgent agent = agent(writeThenAnswer(RAISE), policy, request -> ConfirmationDecision.approve("alice"))
                .build();

        AgentResponse r = agent.ask("Double the prices");

        assertThat(r.statements()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(StatementOutcome.Status.REFUSED);
            assertThat(o.error()).contains("2 rows");
        });
        assertThat(audit.events(AuditEventType.QUERY_REFUSED)).hasSize(1);
        assertThat(Shop.fingerprint(ds)).isEqualTo(before);
    }
}
