package dev.pgagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import dev.pgagent.testkit.RecordingAuditSink;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The system prompt grounds values (how a status is spelt) but never samples denied or personal columns; and a
 * query that reaches a denied column through a view is refused on PostgreSQL's plan, audited as a refusal.
 */
class GroundingAndReachIT {
    static DataSource ds;

    @BeforeAll
    static void seed() {
        ds = Shop.create("core_ground");
        Shop.exec(
                ds,
                "CREATE TABLE tickets (id int PRIMARY KEY, status text NOT NULL, priority text, contact_code text)",
                "INSERT INTO tickets SELECT g, (ARRAY['waiting_on_customer','in_progress','closed_won'])[1 + g % 3],"
                        + " (ARRAY['sev_one','sev_two'])[1 + g % 2], 'agent' || g || '@helpdesk.example.com'"
                        + " FROM generate_series(1, 300) g",
                "CREATE VIEW ticket_board AS SELECT id, status, priority AS lane FROM tickets",
                "ANALYZE tickets");
    }

    private static String transcript(FakeLlmClient llm) {
        StringBuilder sb = new StringBuilder();
        for (ChatRequest r : llm.requests()) {
            sb.append(LlmResponses.transcript(r)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void theSystemPromptShowsHowValuesAreSpelt() {
        FakeLlmClient llm = FakeLlmClient.create().enqueue(LlmResponses.text("ok"));
        PostgresAgent agent = PostgresAgent.builder().llm(llm).dataSource(ds).build();

        agent.ask("How many tickets have the status waiting on customer, by contact code?");

        String prompt = transcript(llm);
        assertThat(prompt).contains("'waiting_on_customer'", "'in_progress'");
        assertThat(prompt).doesNotContain("@helpdesk.example.com");
    }

    @Test
    void deniedColumnsAreNotSampledAndGroundingCanBeTurnedOff() {
        SafetyPolicy policy =
                SafetyPolicy.builder().deniedColumns("tickets.status").build();
        FakeLlmClient llm = FakeLlmClient.create().enqueue(LlmResponses.text("ok"));
        PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .policy(policy)
                .build()
                .ask("How many tickets have the status waiting on customer?");
        assertThat(transcript(llm)).doesNotContain("'waiting_on_customer'");

        FakeLlmClient off = FakeLlmClient.create().enqueue(LlmResponses.text("ok"));
        PostgresAgent.builder()
                .llm(off)
                .dataSource(ds)
                .valueGrounding(false)
                .build()
                .ask("How many tickets have the status waiting on customer?");
        assertThat(transcript(off)).doesNotContain("'waiting_on_customer'");
    }

    @Test
    void aViewDoesNotHideADeniedColumn() {
        SafetyPolicy policy =
                SafetyPolicy.builder().deniedColumns("tickets.priority").build();
        RecordingAuditSink audit = new RecordingAuditSink();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCalls(
                        LlmResponses.query("SELECT lane, count(*) FROM ticket_board GROUP BY lane"),
                        LlmResponses.query("SELECT status, count(*) FROM ticket_board GROUP BY status ORDER BY 1")))
                .enqueue(LlmResponses.text("done"));
        PostgresAgent agent = PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .policy(policy)
                .addAuditSink(audit)
                .build();

        AgentResponse r = agent.ask("Tickets per lane and per status?");

        assertThat(r.statements())
                .as(r.statements().toString())
                .extracting(StatementOutcome::status)
                .containsExactly(StatementOutcome.Status.REFUSED, StatementOutcome.Status.EXECUTED);
        assertThat(r.statements().get(0).error())
                .contains("denied column public.tickets.priority", "PostgreSQL's plan");
        assertThat(transcript(llm)).doesNotContain("sev_one").contains("closed_won");
        // value sampling runs through the guarded path too, as caller value-sampler; the model's refusal is the ask's
        AuditEvent refused = audit.events(AuditEventType.QUERY_REFUSED).stream()
                .filter(e -> !"value-sampler".equals(e.sessionId()))
                .findFirst()
                .orElseThrow();
        assertThat(refused.sql()).contains("ticket_board");
        assertThat(refused.attributes())
                .containsEntry("reason", r.statements().get(0).error());
        assertThat(refused.outcome()).isEqualTo("refused");
    }
}
