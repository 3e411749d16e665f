package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.session.SessionConflictException;
import dev.pgagent.api.session.StoredSession;
import dev.pgagent.db.postgres.PostgresSessionStore;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two agents ("nodes") sharing one PostgreSQL session store. */
class SharedSessionIT {
    private static final SafetyPolicy BALANCED =
            SafetyPolicy.builder().level(PolicyLevel.BALANCED).build();
    private static final String RAISE = "UPDATE products SET price = price * 2 WHERE id <= 2";

    private DataSource ds;

    @BeforeEach
    void setUp() {
        ds = Shop.create("core_shared");
    }

    /** A node: its own agent and its own store object over the shared table. */
    private PostgresAgent node(FakeLlmClient llm) {
        return PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .policy(BALANCED)
                .confirmationHandler(ConfirmationHandler.DEFER_ALL)
                .sessionStore(PostgresSessionStore.builder()
                        .dataSource(ds)
                        .schema("shared")
                        .build())
                .build();
    }

    private List<List<String>> prices() {
        return Shop.query(ds, "SELECT id, price FROM products ORDER BY id");
    }

    private static List<String> userTexts(List<ChatMessage> messages) {
        List<String> out = new ArrayList<>();
        for (ChatMessage m : messages) {
            if (m instanceof UserMessage u) {
                out.add(u.text());
            }
        }
        return out;
    }

    @Test
    void aConversationContinuesOnAnotherNode() {
        FakeLlmClient a = FakeLlmClient.create().enqueue(text("There are 3 products."));
        FakeLlmClient b = FakeLlmClient.create().enqueue(text("The cheapest costs 1.20."));

        assertThat(node(a).askInSession("conv-1", "How many products?").answer())
                .contains("3 products");
        AgentResponse second = node(b).askInSession("conv-1", "And the cheapest?");

        assertThat(second.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(userTexts(b.request(0).messages())).containsSubsequence("How many products?", "And the cheapest?");
        PostgresSessionStore store =
                PostgresSessionStore.builder().dataSource(ds).schema("shared").build();
        assertThat(store.load("conv-1").map(StoredSession::version)).contains(5L);
    }

    @Test
    void anAskPausedOnOneNodeIsResumedOnTheOther() {
        FakeLlmClient a = FakeLlmClient.create().enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", RAISE)));
        FakeLlmClient b = FakeLlmClient.create()
                .enqueue(r -> text("Done: " + LlmResponses.lastToolResult(r).orElseThrow()));

        AgentResponse waiting = node(a).askInSession("conv-2", "Double the first two prices");
        assertThat(waiting.status()).isEqualTo(AgentStatus.WAITING_FOR_CONFIRMATION);
        ConfirmationRequest request = waiting.pendingConfirmations().get(0);
        assertThatThrownBy(() -> node(a).askInSession("conv-2", "something else"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("resumeSession");

        AgentResponse done = node(b).resumeSession("conv-2", Map.of(request.id(), ConfirmationDecision.approve("bob")));

        assertThat(done.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(prices()).containsExactly(List.of("1", "19.00"), List.of("2", "2.40"), List.of("3", "25.00"));
        assertThatThrownBy(() -> node(a).resumeSession("conv-2", Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("waits for none");
        assertThatThrownBy(() -> node(a).resumeSession("nope", Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be stored");
    }

    @Test
    void ofTwoNodesResumingOneAskExactlyOneWins() throws Exception {
        FakeLlmClient a = FakeLlmClient.create().enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", RAISE)));
        AgentResponse waiting = node(a).askInSession("conv-3", "Double the first two prices");
        String id = waiting.pendingConfirmations().get(0).id();
        int nodes = 2;
        CyclicBarrier barrier = new CyclicBarrier(nodes);
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        List<Future<Object>> results = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            PostgresAgent node = node(FakeLlmClient.create().otherwise(r -> text("Done.")));
            results.add(pool.submit(() -> {
                barrier.await(30, TimeUnit.SECONDS);
                try {
                    return node.resumeSession("conv-3", Map.of(id, ConfirmationDecision.approve("carol")));
                } catch (SessionConflictException e) {
                    return e;
                }
            }));
        }
        List<Object> outcomes = new ArrayList<>();
        for (Future<Object> f : results) {
            outcomes.add(f.get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();

        assertThat(outcomes)
                .filteredOn(o -> o instanceof AgentResponse)
                .singleElement()
                .satisfies(o -> assertThat(((AgentResponse) o).status()).isEqualTo(AgentStatus.COMPLETED));
        assertThat(outcomes)
                .filteredOn(o -> o instanceof SessionConflictException)
                .singleElement()
                .satisfies(o ->
                        assertThat(((SessionConflictException) o).sessionId()).isEqualTo("conv-3"));
        // applied once: doubled, not quadrupled
        assertThat(prices()).containsExactly(List.of("1", "19.00"), List.of("2", "2.40"), List.of("3", "25.00"));
    }

    @Test
    void aSessionBeingRunIsRefusedAndOneWhoseAskThrowsIsPutBack() {
        PostgresSessionStore store =
                PostgresSessionStore.builder().dataSource(ds).schema("shared").build();
        FakeLlmClient a = FakeLlmClient.create().enqueue(text("hi"));
        node(a).askInSession("conv-4", "hello");
        StoredSession stored = store.load("conv-4").orElseThrow();
        byte[] busy = new byte[stored.state().length + 4];
        System.arraycopy(new byte[] {'P', 'G', 'A', 'B'}, 0, busy, 0, 4);
        store.save("conv-4", stored.version(), busy);
        assertThatThrownBy(() -> node(FakeLlmClient.create()).askInSession("conv-4", "again"))
                .isInstanceOf(SessionConflictException.class)
                .hasMessageContaining("being run by another node");

        store.delete("conv-4");
        PostgresAgent node = node(FakeLlmClient.create().enqueue(text("fine")));
        assertThatThrownBy(() -> node.askInSession("conv-6", "x".repeat(20_001)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(node.askInSession("conv-6", "short").answer()).isEqualTo("fine");
        FakeLlmClient failing = FakeLlmClient.create();
        PostgresAgent noStore =
                PostgresAgent.builder().llm(failing).dataSource(ds).build();
        assertThatThrownBy(() -> noStore.askInSession("conv-5", "q"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sessionStore must be set");
    }

    @Test
    void aDeadNodesClaimIsTakenOverOnceItsLeaseRanOutAndNotBefore() {
        PostgresSessionStore store =
                PostgresSessionStore.builder().dataSource(ds).schema("shared").build();
        node(FakeLlmClient.create().enqueue(text("first answer"))).askInSession("conv-7", "first question");
        StoredSession stored = store.load("conv-7").orElseThrow();

        // a node claimed the session and died: its lease still runs
        long live = store.save(
                "conv-7", stored.version(), leased(stored.state(), Instant.now().plusSeconds(600)));
        assertThatThrownBy(() -> node(FakeLlmClient.create()).askInSession("conv-7", "again"))
                .isInstanceOf(SessionConflictException.class)
                .hasMessageContaining("being run by another node")
                .hasMessageContaining("claimed until");

        // its lease ran out: the next node takes the session over as it was, conversation included
        store.save("conv-7", live, leased(stored.state(), Instant.now().minusSeconds(1)));
        FakeLlmClient model = FakeLlmClient.create().enqueue(text("second answer"));
        assertThat(node(model).askInSession("conv-7", "second question").answer())
                .isEqualTo("second answer");
        assertThat(model.requests().get(0).messages())
                .filteredOn(m -> m instanceof dev.pgagent.api.llm.UserMessage)
                .extracting(m -> ((dev.pgagent.api.llm.UserMessage) m).text())
                .containsExactly("first question", "second question");
        byte[] saved = store.load("conv-7").orElseThrow().state();
        assertThat(new String(saved, 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
                .isNotIn("PGAL", "PGAB");
    }

    private static byte[] leased(byte[] state, Instant until) {
        return java.nio.ByteBuffer.allocate(12 + state.length)
                .put(new byte[] {'P', 'G', 'A', 'L'})
                .putLong(until.toEpochMilli())
                .put(state)
                .array();
    }
}
