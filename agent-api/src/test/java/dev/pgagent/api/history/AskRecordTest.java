package dev.pgagent.api.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.StatementOutcome;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AskRecordTest {
    private static final Instant AT = Instant.parse("2026-12-02T08:30:00Z");
    private static final Verdict READ = Verdict.allow(StatementKind.READ, "read-only query", Set.of("public.orders"));

    private static StatementRecord selected(String sql, int rows) {
        QueryResult.Builder b = QueryResult.builder().columns(List.of(new ResultColumn("n", "int8", Types.BIGINT)));
        for (int i = 0; i < rows; i++) {
            b.addRow(List.of(Integer.toString(i)));
        }
        return StatementRecord.of("main", StatementOutcome.executed(sql, READ, b.build()));
    }

    private static AskRecord.Builder ask() {
        return AskRecord.builder()
                .id("ask-1")
                .sessionId("s-1")
                .question("How many orders shipped?")
                .status("COMPLETED")
                .startedAt(AT);
    }

    @Test
    void recordsAnAskWithItsStatementsAndDefaults() {
        StatementRecord first = selected("SELECT count(*) FROM orders", 1);
        StatementRecord refused = StatementRecord.of(
                "main", StatementOutcome.refused("DELETE FROM orders", Verdict.deny(StatementKind.WRITE, "read-only")));
        StatementRecord last = selected("SELECT * FROM orders WHERE status = 'shipped'", 3);
        AskRecord r = ask().answer("42 orders shipped.")
                .elapsed(Duration.ofMillis(850))
                .steps(3)
                .tokens(1200, 80)
                .addStatement(first)
                .addStatement(last)
                .addStatement(refused)
                .build();

        assertThat(r.principal()).isEqualTo("s-1"); // defaults to the session
        assertThat(r.isCompleted()).isTrue();
        assertThat(r.error()).isEmpty();
        assertThat(r.steps()).isEqualTo(3);
        assertThat(r.inputTokens()).isEqualTo(1200);
        assertThat(r.outputTokens()).isEqualTo(80);
        assertThat(r.elapsed()).isEqualTo(Duration.ofMillis(850));
        assertThat(r.totalRows()).isEqualTo(4);
        assertThat(r.finalStatement()).hasValue(last); // the refusal returned no rows
        assertThat(refused.returnedRows()).isFalse();
        assertThat(refused.decision()).isEqualTo(Decision.DENY);
        assertThat(refused.rows()).isEqualTo(-1);
        assertThat(r).hasToString("AskRecord{id=ask-1, session=s-1, status=COMPLETED, statements=3}");

        AskRecord copy = r.toBuilder().build();
        assertThat(copy).isEqualTo(r).hasSameHashCodeAs(r);
        assertThat(r.toBuilder().principal("alice").build()).isNotEqualTo(r);
        assertThat(r.toBuilder().statements(List.of()).build().finalStatement()).isEmpty();
    }

    @Test
    void aFailedAskKeepsItsError() {
        AskRecord r =
                ask().status("FAILED").error("model unavailable").principal(" ").build();
        assertThat(r.isCompleted()).isFalse();
        assertThat(r.error()).hasValue("model unavailable");
        assertThat(r.principal()).isEqualTo("s-1");
        assertThat(r.answer()).isEmpty();
    }

    @Test
    void rejectsMissingAndBadValues() {
        assertThatThrownBy(() -> AskRecord.builder()
                        .id("a")
                        .sessionId("s")
                        .status("COMPLETED")
                        .startedAt(AT)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("question must be set but was null");
        assertThatThrownBy(() -> AskRecord.builder()
                        .id("a")
                        .sessionId("s")
                        .status("COMPLETED")
                        .question("q")
                        .build())
                .hasMessage("startedAt must be set but was null");
        assertThatThrownBy(() -> ask().id(" ").build()).hasMessage("id must be set but was blank");
        assertThatThrownBy(() -> AskRecord.builder()
                        .sessionId("s")
                        .question("q")
                        .status("x")
                        .startedAt(AT)
                        .build())
                .hasMessage("id must be set but was null");
        assertThatThrownBy(() -> ask().elapsed(Duration.ofSeconds(-1)))
                .hasMessage("elapsed must be >= 0 but was PT-1S");
        assertThatThrownBy(() -> ask().steps(-1)).hasMessage("steps must be >= 0 but was -1");
        assertThatThrownBy(() -> ask().tokens(-1, 0)).hasMessage("tokens must be >= 0 but were -1, 0");
        assertThatThrownBy(() -> ask().addStatement(null)).hasMessage("statement == null");
        assertThatThrownBy(() -> StatementRecord.of("main", null)).hasMessage("outcome == null");
    }

    @Test
    void historyQueriesMatchByTextSessionAndPrincipal() {
        AskRecord r = ask().principal("alice")
                .answer("Forty-two")
                .addStatement(selected("SELECT 1 FROM ledger", 1))
                .build();
        assertThat(HistoryQuery.RECENT.matches(r)).isTrue();
        assertThat(HistoryQuery.RECENT.limit()).isEqualTo(HistoryQuery.DEFAULT_LIMIT);
        assertThat(HistoryQuery.RECENT.oldestFirst()).isFalse();
        assertThat(HistoryQuery.builder().text("  SHIPPED ").build().matches(r)).isTrue(); // the question
        assertThat(HistoryQuery.builder().text("forty").build().matches(r)).isTrue(); // the answer
        assertThat(HistoryQuery.builder().text("ledger").build().matches(r)).isTrue(); // the SQL
        assertThat(HistoryQuery.builder().text("invoices").build().matches(r)).isFalse();
        assertThat(HistoryQuery.builder().text("   ").build().text()).isEmpty();
        assertThat(HistoryQuery.builder().principal("bob").build().matches(r)).isFalse();
        assertThat(HistoryQuery.builder().principal("alice").build().matches(r)).isTrue();

        HistoryQuery session = HistoryQuery.session("s-1");
        assertThat(session.matches(r)).isTrue();
        assertThat(HistoryQuery.session("s-2").matches(r)).isFalse();
        assertThat(session.oldestFirst()).isTrue();
        assertThat(session.limit()).isEqualTo(HistoryQuery.MAX_LIMIT);
        assertThat(session.sessionId()).hasValue("s-1");
        assertThat(session.principal()).isEmpty();
        assertThat(session.toString()).contains("sessionId=s-1", "oldestFirst=true");
        assertThatThrownBy(() -> HistoryQuery.builder().limit(0)).hasMessage("limit must be in [1, 10000] but was 0");
        assertThatThrownBy(() -> session.matches(null)).hasMessage("ask == null");
    }

    @Test
    void queryExamplesValidate() {
        QueryExample e =
                new QueryExample("e1", "main", "orders per month", "SELECT ...", QueryExample.Source.GOLDEN, AT);
        assertThat(e.source()).isEqualTo(QueryExample.Source.GOLDEN);
        assertThatThrownBy(() -> new QueryExample("e1", "main", "q", null, QueryExample.Source.HISTORY, AT))
                .hasMessage("sql == null");
    }
}
