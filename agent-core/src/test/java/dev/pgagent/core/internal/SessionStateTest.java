package dev.pgagent.core.internal;

import static dev.pgagent.testkit.LlmResponses.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionStateTest {
    private static final SafetyPolicy BALANCED =
            SafetyPolicy.builder().level(PolicyLevel.BALANCED).build();
    private static final String READ = "select name from items";
    private static final String W1 = "update items set name = 'a' where id = 1";
    private static final String W2 = "update items set name = 'b' where id = 2";

    private static TestEngines.Setup setup(FakeLlmClient llm) {
        TestEngines.Setup s = new TestEngines.Setup(llm);
        s.policy = BALANCED;
        s.handler = ConfirmationHandler.DEFER_ALL;
        ((TestEngines.FakeDb) s.db).results.put(READ, TestEngines.table("name", "Widget", "other"));
        return s;
    }

    private static SessionEngine waitingOnTwoWrites(TestEngines.Setup s) {
        SessionEngine session = s.session();
        AgentResponse r = session.ask("rename two items");
        assertThat(r.status()).isEqualTo(AgentStatus.WAITING_FOR_CONFIRMATION);
        assertThat(r.pendingConfirmations()).hasSize(2);
        return session;
    }

    private static FakeLlmClient readAndTwoWrites() {
        return FakeLlmClient.create()
                .enqueue(LlmResponses.toolCalls(
                        LlmResponses.query(READ), LlmResponses.query(W1), LlmResponses.query(W2)));
    }

    @Test
    void aWaitingStateSurvivesEncodingUnchangedAndWithoutResultRows() {
        SessionEngine session = waitingOnTwoWrites(setup(readAndTwoWrites()));

        SessionState state = session.snapshot();
        byte[] bytes = state.encode();
        SessionState decoded = SessionState.decode(bytes);

        assertThat(decoded).isEqualTo(state);
        assertThat(decoded.waiting()).isNotNull();
        assertThat(decoded.waiting().pendingRequests()).isEqualTo(session.pendingConfirmations());
        assertThat(decoded.waiting().records()).allSatisfy(r -> {
            assertThat(r.result().tables()).isEmpty();
            assertThat(r.outcomes()).allSatisfy(o -> assertThat(o.result()).isNull());
        });
        assertThat(decoded.waiting().records().get(0).modelContent()).contains("Widget");
        assertThat(decoded.waiting().steps())
                .singleElement()
                .satisfies(st -> assertThat(st.toolInvocations())
                        .allSatisfy(i -> assertThat(i.result().tables()).isEmpty()));
    }

    @Test
    void aPartlyDecidedAskRestoredElsewhereAppliesOnlyWhatIsStillPending() {
        TestEngines.Setup first = setup(readAndTwoWrites());
        SessionEngine session = waitingOnTwoWrites(first);
        List<ConfirmationRequest> pending = session.pendingConfirmations();
        AgentResponse partly = session.resume(Map.of(pending.get(0).id(), ConfirmationDecision.approve("alice")));
        assertThat(partly.status()).isEqualTo(AgentStatus.WAITING_FOR_CONFIRMATION);
        assertThat(((TestEngines.FakeDb) first.db).applied).containsExactly(W1 + " expecting 3");

        SessionState state = SessionState.decode(session.snapshot().encode());
        FakeLlmClient llm = FakeLlmClient.create().enqueue(r -> text("results: " + LlmResponses.lastToolResults(r)));
        TestEngines.Setup second = setup(llm);
        SessionEngine restored = second.build().restoreSession(state);
        assertThat(restored.pendingConfirmations()).containsExactly(pending.get(1));

        AgentResponse done = restored.resume(Map.of(pending.get(1).id(), ConfirmationDecision.approve("bob")));

        assertThat(done.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(((TestEngines.FakeDb) second.db).applied).containsExactly(W2 + " expecting 3");
        assertThat(done.statements())
                .extracting(StatementOutcome::status)
                .containsExactly(
                        StatementOutcome.Status.EXECUTED,
                        StatementOutcome.Status.EXECUTED,
                        StatementOutcome.Status.EXECUTED);
        assertThat(LlmResponses.lastToolResults(llm.request(0))).hasSize(3);
        assertThat(llm.request(0).messages().get(0).toString()).contains("items");
    }

    @Test
    void aStatementTheRestoringValidatorDeniesIsRefusedInsteadOfApplied() {
        SessionState state = waitingOnTwoWrites(setup(readAndTwoWrites())).snapshot();
        TestEngines.Setup strict = setup(FakeLlmClient.create().enqueue(text("ok")));
        strict.validator = sql -> sql.startsWith("select")
                ? Verdict.allow(StatementKind.READ, "a read", java.util.Set.of())
                : Verdict.deny(StatementKind.WRITE, "writes are off now");
        SessionEngine restored = strict.build().restoreSession(state);
        Map<String, ConfirmationDecision> all = new java.util.HashMap<>();
        restored.pendingConfirmations().forEach(p -> all.put(p.id(), ConfirmationDecision.approve("alice")));

        AgentResponse done = restored.resume(all);

        assertThat(((TestEngines.FakeDb) strict.db).applied).isEmpty();
        assertThat(done.statements().subList(1, 3)).allSatisfy(o -> {
            assertThat(o.status()).isEqualTo(StatementOutcome.Status.REFUSED);
            assertThat(o.error()).contains("writes are off now");
        });
    }

    @Test
    void malformedOrTruncatedDataIsRejectedWithAClearMessage() {
        byte[] bytes = waitingOnTwoWrites(setup(readAndTwoWrites())).snapshot().encode();

        assertThatThrownBy(() -> SessionState.decode(Arrays.copyOf(bytes, bytes.length / 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("session state");
        byte[] wrongMagic = bytes.clone();
        wrongMagic[0] = 0;
        assertThatThrownBy(() -> SessionState.decode(wrongMagic))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("marker");
        byte[] hugeCount = bytes.clone();
        hugeCount[8] = 0x7f;
        assertThatThrownBy(() -> SessionState.decode(hugeCount))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length");
        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> SessionState.decode(trailing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytes follow");
    }
}
