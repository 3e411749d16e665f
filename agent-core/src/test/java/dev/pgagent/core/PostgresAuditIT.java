package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.db.postgres.PostgresAuditSink;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An agent auditing into PostgreSQL: what it records, and fail-closed when the audit table cannot be written. */
class PostgresAuditIT {
    private static final SafetyPolicy BALANCED =
            SafetyPolicy.builder().level(PolicyLevel.BALANCED).build();
    private static final String RAISE = "UPDATE products SET price = price * 2 WHERE id <= 2";

    private DataSource ds;
    private PostgresAuditSink audit;

    @BeforeEach
    void setUp() {
        ds = Shop.create("core_pg_audit");
        audit = PostgresAuditSink.builder().dataSource(ds).schema("audit").build();
    }

    @AfterEach
    void tearDown() {
        audit.close();
    }

    private PostgresAgent agent(FakeLlmClient llm) {
        return PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .policy(BALANCED)
                .confirmationHandler(request -> request.kind() == ConfirmationKind.TYPED
                        ? ConfirmationDecision.approveTyped(request.expectedTypedText(), "alice")
                        : ConfirmationDecision.approve("alice"))
                .historyPrincipal(session -> "alice")
                .addAuditSink(audit)
                .auditFailurePolicy(AuditFailurePolicy.FAIL_CLOSED)
                .build();
    }

    private static FakeLlmClient call(String sql) {
        return FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", sql)))
                .enqueue(r -> text("Done: " + LlmResponses.lastToolResult(r).orElseThrow()));
    }

    private List<List<String>> prices() {
        return Shop.query(ds, "SELECT id, price FROM products ORDER BY id");
    }

    @Test
    void queriesWritesAndRefusalsAreRecordedWithTheirSqlOutcomeAndDuration() {
        assertThat(agent(call("SELECT count(*) FROM products")).ask("how many?").status())
                .isEqualTo(AgentStatus.COMPLETED);
        assertThat(agent(call(RAISE)).ask("raise").status()).isEqualTo(AgentStatus.COMPLETED);
        agent(call("DROP TABLE products")).ask("drop it");

        List<List<String>> rows = Shop.query(
                ds,
                "SELECT type, coalesce(sql, ''), coalesce(outcome, ''),"
                        + " coalesce(attributes ->> 'ms', '') <> '' FROM audit.audit_events"
                        + " WHERE type IN ('QUERY_EXECUTED', 'QUERY_REFUSED') ORDER BY id");
        assertThat(rows)
                .containsExactly(
                        List.of("QUERY_EXECUTED", "SELECT count(*) FROM products", "executed", "t"),
                        List.of("QUERY_EXECUTED", RAISE, "applied", "t"),
                        List.of(
                                "QUERY_REFUSED",
                                "DROP TABLE products",
                                "refused",
                                rows.get(2).get(3)));
        assertThat(PostgresAuditSink.verify(ds, "audit").intact()).isTrue();
        assertThat(Shop.query(
                        ds,
                        "SELECT DISTINCT attributes ->> 'user', attributes ->> 'database'"
                                + " FROM audit.audit_events WHERE type LIKE 'QUERY%'"))
                .containsExactly(List.of("alice", "default"));
    }

    @Test
    void failClosedAppliesNoWriteWhoseRecordCannotBeCommitted() {
        List<List<String>> before = prices();
        Shop.exec(
                ds,
                "ALTER TABLE audit.audit_events ADD CONSTRAINT audit_blocked"
                        + " CHECK (type NOT LIKE 'CONFIRMATION%') NOT VALID");

        AgentResponse r = agent(call(RAISE)).ask("Double the price of the first two products");

        assertThat(r.status()).isEqualTo(AgentStatus.FAILED);
        assertThat(r.error()).get().asString().contains("could not be written");
        assertThat(prices()).isEqualTo(before);
        assertThat(Shop.query(ds, "SELECT count(*) FROM audit.audit_events WHERE type = 'QUERY_EXECUTED'"))
                .containsExactly(List.of("0"));
        assertThat(audit.failed()).isPositive();
    }

    @Test
    void failClosedWithholdsAReadWhoseRecordCannotBeCommitted() {
        Shop.exec(
                ds,
                "ALTER TABLE audit.audit_events ADD CONSTRAINT audit_blocked"
                        + " CHECK (type <> 'QUERY_EXECUTED') NOT VALID");
        FakeLlmClient llm = call("SELECT name FROM products ORDER BY id");

        AgentResponse r = agent(llm).ask("names?");

        assertThat(r.status()).isEqualTo(AgentStatus.FAILED);
        assertThat(llm.requestCount()).isEqualTo(1);
    }
}
