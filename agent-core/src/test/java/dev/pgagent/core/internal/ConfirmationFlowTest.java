package dev.pgagent.core.internal;

import static dev.pgagent.testkit.LlmResponses.text;
import static dev.pgagent.testkit.LlmResponses.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.AuditFailurePolicy;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import dev.pgagent.testkit.RecordingAuditSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfirmationFlowTest {
    private static final SafetyPolicy BALANCED =
            SafetyPolicy.builder().level(PolicyLevel.BALANCED).build();

    private static TestEngines.Setup setup(FakeLlmClient llm, ConfirmationHandler handler) {
        TestEngines.Setup s = new TestEngines.Setup(llm);
        s.policy = BALANCED;
        s.handler = handler;
        return s;
    }

    private static FakeLlmClient updateThenAnswer(String sql) {
        return FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", sql)))
                .enqueue(r -> text("result: " + LlmResponses.lastToolResult(r).orElseThrow()));
    }

    @Test
    void appliesAnApprovedWriteWithTheDryRunCountAndAuditsTheAnswerFirst() {
        RecordingAuditSink audit = new RecordingAuditSink();
        TestEngines.Setup s = setup(
                updateThenAnswer("update items set name = 'x' where id < 4"),
                request -> ConfirmationDecision.approve("alice"));
        s.sinks.add(audit);
        TestEngines.FakeDb db = (TestEngines.FakeDb) s.db;

        AgentResponse r = s.session().ask("rename");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(db.applied).containsExactly("update items set name = 'x' where id < 4 expecting 3");
        assertThat(r.statements()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(StatementOutcome.Status.EXECUTED);
            assertThat(o.affectedRows()).isEqualTo(3);
        });
        assertThat(r.answer()).contains("changed 3 rows");
        List<AuditEventType> types = audit.types();
        assertThat(types.indexOf(AuditEventType.CONFIRMATION_REQUESTED))
                .isLessThan(types.indexOf(AuditEventType.CONFIRMATION_ANSWERED));
        assertThat(types.indexOf(AuditEventType.CONFIRMATION_ANSWERED))
                .isLessThan(types.indexOf(AuditEventType.QUERY_EXECUTED));
        assertThat(audit.events(AuditEventType.CONFIRMATION_ANSWERED))
                .singleElement()
                .satisfies(e -> assertThat(e.attributes()).containsEntry("decidedBy", "alice"));
    }

    @Test
    void declinedWritesChangeNothingAndTheModelIsTold() {
        TestEngines.Setup s = setup(
                updateThenAnswer("update items set name = 'x' where id = 1"),
                request -> ConfirmationDecision.decline("bob", "not today"));
        TestEngines.FakeDb db = (TestEngines.FakeDb) s.db;

        AgentResponse r = s.session().ask("rename");

        assertThat(db.applied).isEmpty();
        assertThat(r.statements())
                .singleElement()
                .satisfies(o -> assertThat(o.status()).isEqualTo(StatementOutcome.Status.DECLINED));
        assertThat(r.answer()).contains("declined by bob: not today");
    }

    @Test
    void aTypedConfirmationWithTheWrongTextChangesNothing() {
        TestEngines.Setup s = setup(
                updateThenAnswer("delete from items where id = 1"),
                request -> ConfirmationDecision.approveTyped("orders", "carol"));
        TestEngines.FakeDb db = (TestEngines.FakeDb) s.db;

        AgentResponse r = s.session().ask("delete");

        assertThat(db.applied).isEmpty();
        assertThat(r.statements()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(StatementOutcome.Status.REFUSED);
            assertThat(o.error()).contains("typed confirmation did not match 'items'");
        });
    }

    @Test
    void aTypedConfirmationWithTheTableNameApplies() {
        TestEngines.Setup s = setup(
                updateThenAnswer("delete from items where id = 1"),
                request -> ConfirmationDecision.approveTyped("ITEMS", "carol"));

        AgentResponse r = s.session().ask("delete");

        assertThat(r.statements())
                .singleElement()
                .satisfies(o -> assertThat(o.isExecuted()).isTrue());
    }

    @Test
    void aHandlerThatDoesNotAnswerInTimeDeclines() {
        TestEngines.Setup s = setup(updateThenAnswer("update items set name = 'x' where id = 1"), request -> {
            AgentLoopTest.sleep(30_000);
            return ConfirmationDecision.approve("late");
        });
        s.policy =
                BALANCED.toBuilder().confirmationTimeout(Duration.ofMillis(200)).build();
        RecordingAuditSink audit = new RecordingAuditSink();
        s.sinks.add(audit);

        AgentResponse r = s.session().ask("rename");

        assertThat(((TestEngines.FakeDb) s.db).applied).isEmpty();
        assertThat(r.statements())
                .singleElement()
                .satisfies(o -> assertThat(o.status()).isEqualTo(StatementOutcome.Status.DECLINED));
        assertThat(audit.events(AuditEventType.CONFIRMATION_ANSWERED))
                .singleElement()
                .satisfies(e -> assertThat(e.attributes()).containsEntry("decidedBy", "timeout"));
    }

    @Test
    void timeWaitingForAPersonDoesNotCountAgainstTheAskTimeout() {
        TestEngines.Setup s = setup(updateThenAnswer("update items set name = 'x' where id = 1"), request -> {
            AgentLoopTest.sleep(600);
            return ConfirmationDecision.approve("slow person");
        });
        s.timeout = Duration.ofMillis(400);

        AgentResponse r = s.session().ask("rename");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(r.statements())
                .singleElement()
                .satisfies(o -> assertThat(o.isExecuted()).isTrue());
    }

    @Test
    void refusesAWriteOverTheWriteRowCapWithoutAskingAnyone() {
        TestEngines.Setup s = setup(updateThenAnswer("update items set name = 'x' where id > 0"), request -> {
            throw new AssertionError("must not be asked");
        });
        s.policy = BALANCED.toBuilder().maxWriteRows(2).build();

        AgentResponse r = s.session().ask("rename");

        assertThat(r.statements()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(StatementOutcome.Status.REFUSED);
            assertThat(o.error()).contains("would change 3 rows").contains("2 rows");
        });
    }

    @Test
    void deferredConfirmationsEndTheAskWaitingAndResumeContinuesIt() {
        FakeLlmClient llm = updateThenAnswer("update items set name = 'x' where id = 1");
        TestEngines.Setup s = setup(llm, ConfirmationHandler.DEFER_ALL);
        TestEngines.FakeDb db = (TestEngines.FakeDb) s.db;
        SessionEngine session = s.session();

        AgentResponse waiting = session.ask("rename");

        assertThat(waiting.status()).isEqualTo(AgentStatus.WAITING_FOR_CONFIRMATION);
        assertThat(waiting.pendingConfirmations()).singleElement().satisfies(p -> {
            assertThat(p.sql()).isEqualTo("update items set name = 'x' where id = 1");
            assertThat(p.dryRun().affectedRows()).isEqualTo(3);
        });
        assertThat(waiting.statements())
                .singleElement()
                .satisfies(o -> assertThat(o.status()).isEqualTo(StatementOutcome.Status.PENDING_CONFIRMATION));
        assertThat(db.applied).isEmpty();
        assertThat(llm.requestCount()).isEqualTo(1);
        assertThatThrownBy(() -> session.ask("another"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("resume");
        ConfirmationRequest pending = session.pendingConfirmations().get(0);
        assertThatThrownBy(() -> session.resume(Map.of("nope", ConfirmationDecision.approve("x"))))
                .isInstanceOf(IllegalArgumentException.class);

        AgentResponse done = session.resume(Map.of(pending.id(), ConfirmationDecision.approve("dave")));

        assertThat(done.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(db.applied).hasSize(1);
        assertThat(done.answer()).contains("applied; 3 rows changed");
        assertThat(done.statements())
                .singleElement()
                .satisfies(o -> assertThat(o.isExecuted()).isTrue());
        assertThat(session.pendingConfirmations()).isEmpty();
        AgentLoopTest.assertPairedToolMessages(llm.request(1).messages());
    }

    @Test
    void resumingWithSomeDecisionsKeepsTheOthersPending() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCalls(
                        LlmResponses.query("update items set name = 'a' where id = 1"),
                        LlmResponses.query("select name from items"),
                        LlmResponses.query("update items set name = 'b' where id = 2")))
                .enqueue(r -> text(String.join(
                        " | ",
                        LlmResponses.lastToolResults(r).stream()
                                .map(t -> t.content())
                                .toList())));
        TestEngines.Setup s = setup(llm, ConfirmationHandler.DEFER_ALL);
        TestEngines.FakeDb db = (TestEngines.FakeDb) s.db;
        db.results.put("select name from items", TestEngines.table("name", "x"));
        SessionEngine session = s.session();

        AgentResponse waiting = session.ask("rename both");
        List<ConfirmationRequest> pending = waiting.pendingConfirmations();
        assertThat(pending)
                .extracting(ConfirmationRequest::sql)
                .containsExactly(
                        "update items set name = 'a' where id = 1", "update items set name = 'b' where id = 2");

        AgentResponse still = session.resume(Map.of(pending.get(0).id(), ConfirmationDecision.approve("eve")));

        assertThat(still.status()).isEqualTo(AgentStatus.WAITING_FOR_CONFIRMATION);
        assertThat(still.pendingConfirmations())
                .extracting(ConfirmationRequest::id)
                .containsExactly(pending.get(1).id());
        assertThat(db.applied).hasSize(1);

        AgentResponse done = session.resume(Map.of(pending.get(1).id(), ConfirmationDecision.decline("eve", "no")));

        assertThat(done.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(done.statements())
                .extracting(StatementOutcome::status)
                .containsExactly(
                        StatementOutcome.Status.EXECUTED,
                        StatementOutcome.Status.EXECUTED,
                        StatementOutcome.Status.DECLINED);
        assertThat(done.answer())
                .contains("applied; 3 rows changed")
                .contains("rows: [[x]]")
                .contains("declined by eve: no");
        assertThat(db.applied).hasSize(1);
    }

    @Test
    void failClosedAuditStopsTheAskWhenARecordCannotBeWritten() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", "select name from items")))
                .enqueue(text("never"));
        TestEngines.Setup s = new TestEngines.Setup(llm);
        ((TestEngines.FakeDb) s.db).results.put("select name from items", TestEngines.table("name", "secret"));
        s.auditFailurePolicy = AuditFailurePolicy.FAIL_CLOSED;
        s.sinks.add(event -> {
            if (event.type() == AuditEventType.QUERY_EXECUTED) {
                throw new IllegalStateException("disk full");
            }
        });

        AgentResponse r = s.session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.FAILED);
        assertThat(r.error()).get().asString().contains("could not be written");
        assertThat(llm.requestCount()).isEqualTo(1);
    }

    @Test
    void failClosedAuditStopsAWriteBeforeItIsApplied() {
        TestEngines.Setup s = setup(
                updateThenAnswer("update items set name = 'x' where id = 1"),
                request -> ConfirmationDecision.approve("alice"));
        s.auditFailurePolicy = AuditFailurePolicy.FAIL_CLOSED;
        s.sinks.add(event -> {
            if (event.type() == AuditEventType.CONFIRMATION_ANSWERED) {
                throw new IllegalStateException("disk full");
            }
        });

        AgentResponse r = s.session().ask("rename");

        assertThat(r.status()).isEqualTo(AgentStatus.FAILED);
        assertThat(((TestEngines.FakeDb) s.db).applied).isEmpty();
    }

    @Test
    void logAndContinueIgnoresAFailingSink() {
        RecordingAuditSink audit = new RecordingAuditSink();
        TestEngines.Setup s = new TestEngines.Setup(FakeLlmClient.create().enqueue(text("hi")));
        s.sinks.add(event -> {
            throw new IllegalStateException("broken sink");
        });
        s.sinks.add(audit);

        AgentResponse r = s.session().ask("q");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        assertThat(audit.events()).extracting(AuditEvent::type).contains(AuditEventType.ASK_FINISHED);
    }
}
