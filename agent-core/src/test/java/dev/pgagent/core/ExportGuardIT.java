package dev.pgagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.SqlRejectedException;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.ExportFormat;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.ExportResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.sql.Truncation;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.RecordingAuditSink;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Exports and pages through the public guarded path: validated, plan-checked, read-only, audited. */
class ExportGuardIT {
    private static DataSource ds;

    @BeforeAll
    static void setUp() {
        ds = Shop.create("core_export");
        Shop.exec(
                ds,
                "CREATE VIEW customer_cities AS SELECT name, city FROM customers",
                "CREATE TABLE numbers AS SELECT g AS n FROM generate_series(1, 25) g");
    }

    private static PostgresAgent agent(SafetyPolicy policy, RecordingAuditSink audit, List<AgentEvent> events) {
        return PostgresAgent.builder()
                .llm(FakeLlmClient.create())
                .dataSource(ds)
                .policy(policy)
                .addAuditSink(audit)
                .listener(events::add)
                .build();
    }

    @Test
    void anExportIsAuditedWithItsRowsAndBytesAndHasRealValues() {
        RecordingAuditSink audit = new RecordingAuditSink();
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        try (PostgresAgent agent = agent(SafetyPolicy.READ_ONLY, audit, events)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            ExportResult r = agent.guardedPath("exporter")
                    .export("SELECT name, email FROM customers ORDER BY id", out, ExportOptions.DEFAULTS);

            assertThat(out.toString(StandardCharsets.UTF_8))
                    .isEqualTo("name,email\nAda,ada@example.com\nBob,bob@example.org\nCy,cy@example.net\n");
            assertThat(r.rowCount()).isEqualTo(3);
            assertThat(r.serverCopy()).isTrue();
            AuditEvent e = audit.events(AuditEventType.QUERY_EXECUTED).get(0);
            assertThat(e.sessionId()).isEqualTo("exporter");
            assertThat(e.outcome()).isEqualTo("exported");
            assertThat(e.attributes())
                    .containsEntry("rows", "3")
                    .containsEntry("bytes", Long.toString(r.byteCount()))
                    .containsEntry("export", "csv")
                    .containsEntry("copy", "true");
            assertThat(events)
                    .filteredOn(ev -> ev instanceof AgentEvent.StatementStarted)
                    .hasSize(1);
            assertThat(events)
                    .filteredOn(ev -> ev instanceof AgentEvent.StatementFinished)
                    .singleElement()
                    .satisfies(ev -> assertThat(((AgentEvent.StatementFinished) ev)
                                    .outcome()
                                    .status())
                            .isEqualTo(StatementOutcome.Status.EXECUTED));
        }
    }

    @Test
    void redactionAppliesOnlyWhenAsked() {
        try (PostgresAgent agent =
                agent(SafetyPolicy.READ_ONLY, new RecordingAuditSink(), new CopyOnWriteArrayList<>())) {
            StringWriter w = new StringWriter();

            ExportResult r = agent.guardedPath("exporter")
                    .export(
                            "",
                            "SELECT email FROM customers ORDER BY id",
                            w,
                            ExportOptions.builder()
                                    .format(ExportFormat.JSONL)
                                    .redact(true)
                                    .build());

            assertThat(w.toString()).doesNotContain("ada@example.com").contains("\"email\":");
            assertThat(w.toString().split("\n")).hasSize(3);
            assertThat(r.serverCopy()).isFalse();
        }
    }

    @Test
    void aWriteIsRefusedAndAuditedAndNothingIsWritten() {
        RecordingAuditSink audit = new RecordingAuditSink();
        for (PolicyLevel level : new PolicyLevel[] {PolicyLevel.READ_ONLY, PolicyLevel.BALANCED}) {
            try (PostgresAgent agent =
                    agent(SafetyPolicy.builder().level(level).build(), audit, new CopyOnWriteArrayList<>())) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();

                assertThatThrownBy(() -> agent.guardedPath("exporter")
                                .export("DELETE FROM orders RETURNING *", out, ExportOptions.DEFAULTS))
                        .isInstanceOf(SqlRejectedException.class);
                assertThat(out.size()).isZero();
            }
        }
        assertThat(audit.sql(AuditEventType.QUERY_REFUSED))
                .containsExactly("DELETE FROM orders RETURNING *", "DELETE FROM orders RETURNING *");
        assertThat(Shop.query(ds, "SELECT count(*) FROM orders")).containsExactly(List.of("4"));
    }

    @Test
    void deniedDataReachedThroughAViewIsRefusedByThePlanCheck() {
        RecordingAuditSink audit = new RecordingAuditSink();
        SafetyPolicy policy =
                SafetyPolicy.builder().deniedColumns("customers.city").build();
        try (PostgresAgent agent = agent(policy, audit, new CopyOnWriteArrayList<>())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            assertThatThrownBy(() -> agent.guardedPath("exporter")
                            .export("SELECT * FROM customer_cities", out, ExportOptions.DEFAULTS))
                    .isInstanceOf(SqlRejectedException.class);
            assertThat(out.size()).isZero();
            assertThat(audit.sql(AuditEventType.QUERY_REFUSED)).containsExactly("SELECT * FROM customer_cities");
        }
    }

    @Test
    void theExportsOwnLimitsApplyNotTheModelsCaps() {
        SafetyPolicy tiny = SafetyPolicy.builder().maxRows(5).askMaxRows(10).build();
        try (PostgresAgent agent = agent(tiny, new RecordingAuditSink(), new CopyOnWriteArrayList<>())) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteArrayOutputStream cut = new ByteArrayOutputStream();

            ExportResult full =
                    agent.guardedPath("x").export("SELECT n FROM numbers ORDER BY n", all, ExportOptions.DEFAULTS);
            ExportResult limited = agent.guardedPath("x")
                    .export(
                            "SELECT n FROM numbers ORDER BY n",
                            cut,
                            ExportOptions.builder().maxRows(20).build());

            assertThat(full.rowCount()).isEqualTo(25);
            assertThat(full.truncation()).isEqualTo(Truncation.NONE);
            assertThat(limited.rowCount()).isEqualTo(20);
            assertThat(limited.truncation()).isEqualTo(Truncation.ROW_LIMIT);
        }
    }

    @Test
    void aHostReadsAResultPageByPage() {
        try (PostgresAgent agent =
                agent(SafetyPolicy.READ_ONLY, new RecordingAuditSink(), new CopyOnWriteArrayList<>())) {
            GuardedPath path = agent.guardedPath("pager");
            List<String> seen = new java.util.ArrayList<>();
            long offset = 0;
            ResultPage page;
            int pages = 0;
            do {
                page = path.page("", "SELECT n FROM numbers ORDER BY n", offset, 10);
                page.rows().rows().forEach(r -> seen.add(r.get(0)));
                offset = page.nextOffset();
                pages++;
            } while (page.hasMore());

            assertThat(pages).isEqualTo(3);
            assertThat(seen).hasSize(25).startsWith("1", "2").endsWith("25");
        }
    }

    @Test
    void theModelsNextPageGoesThroughTheValidatorAndTheAsksBudget() {
        SafetyPolicy policy = SafetyPolicy.builder().maxRows(10).askMaxRows(15).build();
        RecordingAuditSink audit = new RecordingAuditSink();
        try (PostgresAgent agent = agent(policy, audit, new CopyOnWriteArrayList<>())) {
            GuardedPath path = agent.guardedPath("model-like");

            GuardedCall first = path.callTool("execute_query", "{\"sql\":\"SELECT n FROM numbers ORDER BY n\"}");
            GuardedCall second =
                    path.callTool("execute_query", "{\"sql\":\"SELECT n FROM numbers ORDER BY n\",\"offset\":10}");

            assertThat(first.modelContent()).contains("\"offset\": 10.");
            assertThat(second.result().tables().get(0).rows().get(0)).containsExactly("11");
            assertThat(audit.sql(AuditEventType.QUERY_EXECUTED))
                    .last()
                    .asString()
                    .contains("OFFSET 10")
                    .contains("SELECT n FROM numbers ORDER BY n");
        }
    }
}
