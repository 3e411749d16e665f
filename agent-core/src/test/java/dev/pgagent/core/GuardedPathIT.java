package dev.pgagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.SqlRejectedException;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.db.postgres.DatabaseHealth;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.RecordingAuditSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A host calls each built-in tool, and single statements, through the public guarded path; no model involved. */
class GuardedPathIT {
    private static DataSource ds;

    @BeforeAll
    static void setUp() {
        ds = Shop.create("core_guarded");
    }

    private static PostgresAgent agent(RecordingAuditSink audit, List<AgentEvent> events) {
        return PostgresAgent.builder()
                .llm(FakeLlmClient.create())
                .dataSource(ds)
                .addAuditSink(audit)
                .listener(events::add)
                .build();
    }

    @Test
    void runsEveryBuiltInToolForACallerAndAuditsEachCall() {
        RecordingAuditSink audit = new RecordingAuditSink();
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        try (PostgresAgent agent = agent(audit, events)) {
            GuardedPath path = agent.guardedPath("report-job");
            List<String> calls = List.of(
                    "execute_query|{\"sql\":\"SELECT count(*) AS n FROM orders\"}|4",
                    "list_tables|{}|orders",
                    "describe_table|{\"table\":\"orders\"}|customer_id",
                    "get_schema|{}|products",
                    "explain_query|{\"sql\":\"SELECT * FROM orders WHERE id = 1\"}|Scan",
                    "search_schema|{\"query\":\"customer email\"}|customers");
            assertThat(path.tools())
                    .extracting(t -> t.name())
                    .containsExactly(
                            "execute_query",
                            "list_tables",
                            "describe_table",
                            "get_schema",
                            "explain_query",
                            "search_schema");
            for (String c : calls) {
                String[] p = c.split("\\|");
                GuardedCall call = path.callTool(p[0], p[1]);
                assertThat(call.isError()).as(p[0] + ": " + call.modelContent()).isFalse();
                assertThat(call.modelContent()).as(p[0]).contains(p[2]);
            }
            List<AuditEvent> toolCalls = audit.events(AuditEventType.TOOL_CALL);
            assertThat(toolCalls)
                    .extracting(e -> e.attributes().get("tool"))
                    .containsExactly(
                            "execute_query",
                            "list_tables",
                            "describe_table",
                            "get_schema",
                            "explain_query",
                            "search_schema");
            assertThat(toolCalls).allSatisfy(e -> {
                assertThat(e.sessionId()).isEqualTo("report-job");
                assertThat(e.outcome()).isEqualTo("ok");
            });
            assertThat(audit.sql(AuditEventType.QUERY_EXECUTED)).contains("SELECT count(*) AS n FROM orders");
            assertThat(events)
                    .filteredOn(e -> e instanceof AgentEvent.ToolCallStarted)
                    .hasSize(6);
        }
    }

    @Test
    void explainAnalyzeRunsAllowedReadsRolledBackAndRefusesWrites() {
        RecordingAuditSink audit = new RecordingAuditSink();
        try (PostgresAgent agent = agent(audit, new CopyOnWriteArrayList<>())) {
            GuardedPath path = agent.guardedPath("tuner");

            StatementOutcome read = path.explainAnalyze("SELECT count(*) FROM orders");
            StatementOutcome write = path.explainAnalyze("DELETE FROM orders");
            GuardedCall viaTool =
                    path.callTool("explain_query", "{\"sql\":\"SELECT * FROM orders WHERE id = 1\",\"analyze\":true}");
            GuardedCall writeViaTool =
                    path.callTool("explain_query", "{\"sql\":\"UPDATE products SET price = 0\",\"analyze\":true}");

            assertThat(read.status()).isEqualTo(StatementOutcome.Status.EXECUTED);
            assertThat(read.resultTable().orElseThrow().rows().get(0).get(0))
                    .contains("\"Actual Rows\"", "\"Execution Time\"");
            assertThat(write.status()).isEqualTo(StatementOutcome.Status.REFUSED);
            assertThat(viaTool.isError()).as(viaTool.modelContent()).isFalse();
            assertThat(viaTool.modelContent())
                    .startsWith("Executed plan (EXPLAIN ANALYZE, rolled back)")
                    .contains("actual rows=1 loops=1");
            assertThat(writeViaTool.isError()).isTrue();
            assertThat(audit.events(AuditEventType.QUERY_EXECUTED))
                    .filteredOn(e -> "true".equals(e.attributes().get("analyze")))
                    .hasSize(2);
            assertThat(audit.sql(AuditEventType.QUERY_REFUSED))
                    .containsExactly("DELETE FROM orders", "UPDATE products SET price = 0");
            assertThat(Shop.query(ds, "SELECT count(*) FROM orders")).containsExactly(List.of("4"));
        }
    }

    @Test
    void healthChecksPassTheReadOnlyValidatorAndAreAudited() {
        RecordingAuditSink audit = new RecordingAuditSink();
        try (PostgresAgent agent = agent(audit, new CopyOnWriteArrayList<>())) {
            DatabaseHealth.Report r = DatabaseHealth.check(agent.guardedPath("dba"));

            assertThat(r.skipped()).isEmpty();
            assertThat(r.facts()).anySatisfy(f -> assertThat(f).startsWith("connections: "));
            assertThat(audit.sql(AuditEventType.QUERY_EXECUTED)).hasSize(12);
            assertThat(audit.events(AuditEventType.QUERY_REFUSED)).isEmpty();
        }
    }

    @Test
    void refusesAWriteUnderReadOnlyAndRecordsTheRefusal() {
        RecordingAuditSink audit = new RecordingAuditSink();
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        try (PostgresAgent agent = agent(audit, events)) {
            GuardedPath path = agent.guardedPath("user-7");

            StatementOutcome o = path.execute("DELETE FROM orders");
            GuardedCall viaTool = path.callTool("execute_query", "{\"sql\":\"UPDATE products SET price = 0\"}");

            assertThat(o.status()).isEqualTo(StatementOutcome.Status.REFUSED);
            assertThat(viaTool.isError()).isTrue();
            assertThat(viaTool.statements())
                    .singleElement()
                    .satisfies(s -> assertThat(s.status()).isEqualTo(StatementOutcome.Status.REFUSED));
            assertThatThrownBy(() -> path.query("DROP TABLE customers")).isInstanceOf(SqlRejectedException.class);
            assertThat(audit.sql(AuditEventType.QUERY_REFUSED))
                    .containsExactly("DELETE FROM orders", "UPDATE products SET price = 0", "DROP TABLE customers");
            assertThat(audit.events(AuditEventType.QUERY_REFUSED))
                    .allSatisfy(e -> assertThat(e.sessionId()).isEqualTo("user-7"));
            assertThat(Shop.query(ds, "SELECT count(*) FROM orders")).containsExactly(List.of("4"));
            // the statement events come as it starts and as it ends
            assertThat(events)
                    .filteredOn(e -> e instanceof AgentEvent.StatementStarted)
                    .hasSize(3);
            assertThat(events)
                    .filteredOn(e -> e instanceof AgentEvent.StatementFinished)
                    .hasSize(3);
        }
    }

    @Test
    void queryReturnsRowsRedactedAsTheModelSeesThem() {
        RecordingAuditSink audit = new RecordingAuditSink();
        try (PostgresAgent agent = agent(audit, new CopyOnWriteArrayList<>())) {
            QueryResult r = agent.guardedPath("host").query("SELECT email FROM customers ORDER BY id");

            assertThat(r.rows()).hasSize(3);
            assertThat(r.rows().get(0).get(0)).isNotEqualTo("ada@example.com");
        }
    }

    @Test
    void aClosedAgentRefusesHostCalls() {
        PostgresAgent agent = agent(new RecordingAuditSink(), new CopyOnWriteArrayList<>());
        agent.close();

        assertThatThrownBy(() -> agent.guardedPath("x").execute("SELECT 1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
