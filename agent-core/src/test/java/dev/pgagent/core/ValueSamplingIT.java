package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.RecordingAuditSink;
import dev.pgagent.testsupport.TestPostgres;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Value sampling goes through the guarded path: a denied column's sample is refused there, and audited. */
class ValueSamplingIT {
    private static DataSource ds;

    @BeforeAll
    static void setUp() {
        ds = TestPostgres.freshDatabase("core_sampling");
        Shop.exec(
                ds,
                "CREATE TABLE tickets (id int PRIMARY KEY, status text NOT NULL, priority text NOT NULL)",
                "INSERT INTO tickets SELECT g, CASE WHEN g % 2 = 0 THEN 'open' ELSE 'closed' END, "
                        + "CASE WHEN g % 3 = 0 THEN 'urgent' ELSE 'normal' END FROM generate_series(1, 40) g");
    }

    @Test
    void aDeniedColumnIsRefusedAndAuditedAnAllowedOneIsSampled() {
        List<ChatRequest> requests = new CopyOnWriteArrayList<>();
        FakeLlmClient llm = FakeLlmClient.create().enqueue(r -> {
            requests.add(r);
            return text("ok");
        });
        RecordingAuditSink audit = new RecordingAuditSink();
        try (PostgresAgent agent = PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .addAuditSink(audit)
                .policy(SafetyPolicy.builder().deniedColumns("tickets.status").build())
                .build()) {
            agent.ask("How many tickets have status open and priority urgent?");
        }
        List<AuditEvent> sampling = audit.events().stream()
                .filter(e -> "value-sampler".equals(e.sessionId()))
                .toList();
        assertThat(sampling)
                .filteredOn(e -> e.type() == AuditEventType.QUERY_REFUSED)
                .anySatisfy(e -> assertThat(e.sql()).contains("status"));
        assertThat(sampling)
                .filteredOn(e -> e.type() == AuditEventType.QUERY_EXECUTED)
                .anySatisfy(e -> assertThat(e.sql()).contains("priority"));
        String prompt = ((SystemMessage) requests.get(0).messages().get(0)).text();
        assertThat(prompt).contains("'urgent'").doesNotContain("'open'");
    }
}
