package dev.pgagent.core.internal;

import static dev.pgagent.testkit.LlmResponses.text;
import static dev.pgagent.testkit.LlmResponses.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import dev.pgagent.testkit.RecordingAuditSink;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GuardTest {
    @Test
    void runsUnparseableSqlTheValidatorAllowsOnTheReadOnlyPathAndAuditsItAsRuntimeOnly() {
        String odd = "SELECT weird::syntax";
        RecordingAuditSink audit = new RecordingAuditSink();
        TestEngines.Setup s = new TestEngines.Setup(FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", odd)))
                .enqueue(text("ok")));
        s.validator = sql -> Verdict.allow(StatementKind.UNPARSEABLE, "guarded read", Set.of());
        s.sinks.add(audit);
        TestEngines.FakeDb db = (TestEngines.FakeDb) s.db;
        db.results.put(odd, TestEngines.table("x", "1"));

        AgentResponse r = s.session().ask("q");

        assertThat(db.reads).containsExactly(odd);
        assertThat(r.statements())
                .singleElement()
                .satisfies(o -> assertThat(o.isExecuted()).isTrue());
        assertThat(audit.events(AuditEventType.QUERY_EXECUTED))
                .singleElement()
                .satisfies(e -> assertThat(e.attributes()).containsEntry("guard", "runtime-only"));
    }

    @Test
    void aValidatorThatThrowsRefusesTheStatement() {
        TestEngines.Setup s = new TestEngines.Setup(FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", "select 1")))
                .enqueue(text("ok")));
        s.validator = sql -> {
            throw new IllegalStateException("parser crashed");
        };

        AgentResponse r = s.session().ask("q");

        assertThat(r.statements()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(StatementOutcome.Status.REFUSED);
            assertThat(o.verdict().kind()).isEqualTo(StatementKind.UNPARSEABLE);
        });
        assertThat(((TestEngines.FakeDb) s.db).reads).isEmpty();
    }

    @Test
    void theModelSeesRedactedRowsAndErrorsWhileTheHostKeepsRealValues() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", "select email from users")))
                .enqueue(toolCall("execute_query", Map.of("sql", "select nope")))
                .enqueue(text("ok"));
        TestEngines.Setup s = new TestEngines.Setup(llm);
        s.redactor = new ResultRedactor() {
            @Override
            public QueryResult redact(QueryResult result) {
                QueryResult.Builder b = QueryResult.builder().columns(result.columns());
                result.rows()
                        .forEach(
                                row -> b.addRow(row.stream().map(v -> "[EMAIL]").toList()));
                return b.build();
            }

            @Override
            public String redactText(String text) {
                return text.replace("nope", "[REDACTED]");
            }
        };
        TestEngines.FakeDb db = (TestEngines.FakeDb) s.db;
        db.results.put(
                "select email from users",
                QueryResult.builder()
                        .columns(List.of(new ResultColumn("email", "text", Types.VARCHAR)))
                        .addRow(List.of("ada@example.com"))
                        .build());

        AgentResponse r = s.session().ask("q");

        String transcript = LlmResponses.transcript(llm.request(2));
        assertThat(transcript)
                .contains("[EMAIL]")
                .doesNotContain("ada@example.com")
                .doesNotContain("column \"nope\"")
                .contains("[REDACTED]");
        assertThat(r.tables())
                .singleElement()
                .satisfies(t -> assertThat(t.rows()).containsExactly(List.of("ada@example.com")));
        assertThat(r.steps()
                        .get(0)
                        .toolInvocations()
                        .get(0)
                        .result()
                        .tables()
                        .get(0)
                        .rows())
                .containsExactly(List.of("ada@example.com"));
        assertThat(r.statements().get(0).result().rows()).containsExactly(List.of("ada@example.com"));
        assertThat(r.statements().get(1).error()).contains("nope");
    }
}
