package dev.pgagent.opentelemetry;

import static dev.pgagent.opentelemetry.AgentTelemetry.ASK_STATUS;
import static dev.pgagent.opentelemetry.AgentTelemetry.AUDIT_EVENT_TYPE;
import static dev.pgagent.opentelemetry.AgentTelemetry.CONFIRMATION_OUTCOME;
import static dev.pgagent.opentelemetry.AgentTelemetry.ERROR_TYPE;
import static dev.pgagent.opentelemetry.AgentTelemetry.GEN_AI_REQUEST_MODEL;
import static dev.pgagent.opentelemetry.AgentTelemetry.STATEMENT_STATUS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ProviderInfo;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.DryRun;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentStatus;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener fed events directly: the paths a real agent rarely takes (abandoned asks, writes, confirmations). */
class AgentTelemetryTest {
    private final Otel otel = new Otel();

    @AfterEach
    void close() {
        otel.close();
    }

    private static final Verdict WRITE =
            Verdict.confirm(StatementKind.WRITE, "a write", Set.of("orders"), ConfirmationKind.SIMPLE);

    @Test
    void writesConfirmationsAndAuditFailuresBecomeSpansAndMetrics() {
        AgentTelemetry t = AgentTelemetry.builder(otel.sdk)
                .provider("openai")
                .model("gpt-test")
                .build();
        t.onEvent(new AgentEvent.AskStarted("s", "a", "delete the old orders", false));
        ToolCall call = new ToolCall("c1", "execute_query", "{}");
        t.onEvent(new AgentEvent.ToolCallStarted("s", "a", call));
        String sql = "  delete from orders where id = 7";
        t.onEvent(new AgentEvent.StatementStarted("s", "a", "shop", sql, WRITE, false));
        ConfirmationRequest request =
                new ConfirmationRequest("r1", "s", sql, WRITE, DryRun.NOT_APPLICABLE, Instant.now());
        t.onEvent(new AgentEvent.ConfirmationAsked("s", "a", request));
        t.onEvent(new AgentEvent.ConfirmationAnswered("s", "a", request, ConfirmationDecision.approve("ann")));
        t.onEvent(new AgentEvent.ConfirmationAnswered("s", "a", request, ConfirmationDecision.decline("bob", "no")));
        t.onEvent(new AgentEvent.AuditFailed("s", "a", AuditEventType.QUERY_EXECUTED, "disk full"));
        t.onEvent(new AgentEvent.StatementFinished(
                "s", "a", "shop", StatementOutcome.applied(sql, WRITE, 1, Duration.ofMillis(3))));
        t.onEvent(new AgentEvent.StatementStarted("s", "a", "shop", "UPDATE orders SET x = 1", WRITE, false));
        t.onEvent(new AgentEvent.StatementFinished(
                "s",
                "a",
                "shop",
                new StatementOutcome(
                        "UPDATE orders SET x = 1",
                        WRITE,
                        StatementOutcome.Status.FAILED,
                        null,
                        -1,
                        "no column x",
                        "42703",
                        Duration.ofMillis(2))));
        t.onEvent(
                new AgentEvent.ToolCallFinished("s", "a", call, ToolResult.error("no column x"), Duration.ofMillis(9)));
        t.onEvent(new AgentEvent.AskFinished("s", "a", AgentStatus.CANCELLED, null, Duration.ofMillis(20)));

        SpanData ask = otel.span("invoke_agent pgagent");
        SpanData tool = otel.span("execute_tool execute_query");
        SpanData delete = otel.span("DELETE shop");
        SpanData update = otel.span("UPDATE shop");
        assertThat(ask.getAttributes().get(GEN_AI_REQUEST_MODEL)).isEqualTo("gpt-test");
        assertThat(ask.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(ask.getAttributes().get(ASK_STATUS)).isEqualTo("CANCELLED");
        assertThat(tool.getParentSpanId()).isEqualTo(ask.getSpanId());
        assertThat(tool.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(delete.getParentSpanId()).isEqualTo(tool.getSpanId());
        assertThat(delete.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(delete.getAttributes().get(AgentTelemetry.AFFECTED_ROWS)).isEqualTo(1L);
        assertThat(delete.getAttributes().get(AgentTelemetry.VERDICT)).isEqualTo("CONFIRM");
        assertThat(delete.getAttributes().get(AgentTelemetry.DB_COLLECTION_NAME))
                .isEqualTo("orders");
        assertThat(delete.getAttributes().get(AgentTelemetry.DB_QUERY_TEXT)).isNull();
        assertThat(delete.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(update.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(update.getAttributes().get(ERROR_TYPE)).isEqualTo("42703");
        assertThat(update.getAttributes().get(AgentTelemetry.DB_RESPONSE_STATUS_CODE))
                .isEqualTo("42703");

        otel.collect();
        assertThat(otel.count("pgagent.confirmations", Map.of(CONFIRMATION_OUTCOME, "approved")))
                .isEqualTo(1);
        assertThat(otel.count("pgagent.confirmations", Map.of(CONFIRMATION_OUTCOME, "declined")))
                .isEqualTo(1);
        assertThat(otel.count("pgagent.audit.failures", Map.of(AUDIT_EVENT_TYPE, "QUERY_EXECUTED")))
                .isEqualTo(1);
        assertThat(otel.count("pgagent.asks", Map.of(ASK_STATUS, "CANCELLED"))).isEqualTo(1);
        assertThat(otel.histogram("pgagent.statement.affected_rows", Map.of())
                        .get(0)
                        .getSum())
                .isEqualTo(1.0);
        assertThat(otel.histogram("db.client.operation.duration", Map.of(STATEMENT_STATUS, "FAILED")))
                .singleElement()
                .satisfies(p -> assertThat(p.getCount()).isEqualTo(1));
        assertThat(t.openAsks()).isZero();
    }

    @Test
    void endsWhatAnAskLeftOpenAndBoundsAsksThatNeverFinish() {
        AgentTelemetry t = AgentTelemetry.builder(otel.sdk).maxOpenAsks(2).build();
        t.onEvent(new AgentEvent.AskStarted("s", "a1", "q", false));
        t.onEvent(new AgentEvent.ModelCallStarted("s", "a1", 1));
        t.onEvent(new AgentEvent.ToolCallStarted("s", "a1", new ToolCall("c", "list_tables", "{}")));
        t.onEvent(new AgentEvent.StatementStarted(
                "s", "a1", "db", "SELECT 1", Verdict.allow(StatementKind.READ, "read", Set.of()), false));
        t.onEvent(new AgentEvent.AskStarted("s", "a2", "q", false));
        t.onEvent(new AgentEvent.AskStarted("s", "a3", "q", false));
        assertThat(t.openAsks()).isEqualTo(2);
        // a1 was the oldest: it and everything in it ended as abandoned
        assertThat(otel.spans())
                .extracting(SpanData::getName)
                .containsExactlyInAnyOrder("SELECT db", "execute_tool list_tables", "chat", "invoke_agent pgagent");
        assertThat(otel.spans()).allSatisfy(s -> {
            assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(s.getAttributes().get(ERROR_TYPE)).isEqualTo("abandoned");
        });

        // a late event of the abandoned ask opens nothing that lingers
        t.onEvent(new AgentEvent.ModelCallFinished("s", "a1", 1, null, TokenUsage.ZERO, Duration.ZERO, "late"));
        t.onEvent(new AgentEvent.AskFinished("s", "a1", AgentStatus.FAILED, "late", Duration.ZERO));
        t.onEvent(new AgentEvent.ModelCallStarted("s", "a3", 1));
        t.onEvent(new AgentEvent.AskFinished("s", "a3", AgentStatus.LIMIT_REACHED, null, Duration.ZERO));
        t.onEvent(new AgentEvent.AskStarted("s", "a2", "again", true));
        t.onEvent(new AgentEvent.AskFinished("s", "a2", AgentStatus.WAITING_FOR_CONFIRMATION, null, Duration.ZERO));
        assertThat(t.openAsks()).isZero();
        assertThat(otel.spansNamed("chat"))
                .hasSize(2)
                .allSatisfy(s -> assertThat(s.getEndEpochNanos()).isPositive());
        // a2's first segment was ended when it started again; its second ended normally
        assertThat(otel.spansNamed("invoke_agent pgagent"))
                .hasSize(4)
                .filteredOn(
                        s -> "WAITING_FOR_CONFIRMATION".equals(s.getAttributes().get(ASK_STATUS)))
                .singleElement()
                .satisfies(s -> assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET));
    }

    @Test
    void callsOutsideAnAskAreTrackedOnlyWhileOpen() {
        AgentTelemetry t = AgentTelemetry.builder(otel.sdk).captureSqlText(true).build();
        ToolCall call = new ToolCall("g1", "execute_query", "{}");
        Verdict read = Verdict.allow(StatementKind.READ, "read", Set.of("a", "b"));
        t.onEvent(new AgentEvent.ToolCallStarted("job", "g", call));
        t.onEvent(new AgentEvent.StatementStarted("job", "g", "db", "explain select 1", read, true));
        assertThat(t.openAsks()).isEqualTo(1);
        t.onEvent(new AgentEvent.StatementFinished(
                "job",
                "g",
                "db",
                StatementOutcome.refused("explain select 1", Verdict.deny(StatementKind.READ, "no"))));
        t.onEvent(new AgentEvent.ToolCallFinished("job", "g", call, ToolResult.of("ok"), Duration.ZERO));
        // a finishing event for nothing open is ignored
        t.onEvent(new AgentEvent.StatementFinished(
                "job", "x", "db", StatementOutcome.refused("vacuum", Verdict.deny(StatementKind.ADMIN, "no"))));
        t.onEvent(new AgentEvent.ToolCallFinished("job", "x", call, ToolResult.of("ok"), Duration.ZERO));
        t.onEvent(new AgentEvent.TextDelta("job", "x", 1, "hi"));
        assertThat(t.openAsks()).isZero();

        SpanData stmt = otel.span("EXPLAIN db");
        assertThat(stmt.getParentSpanId())
                .isEqualTo(otel.span("execute_tool execute_query").getSpanId());
        assertThat(stmt.getAttributes().get(AgentTelemetry.DB_QUERY_TEXT)).isEqualTo("explain select 1");
        assertThat(stmt.getAttributes().get(AgentTelemetry.DB_COLLECTION_NAME)).isNull();
        otel.collect();
        assertThat(otel.count("pgagent.statement.refusals", Map.of(AgentTelemetry.STATEMENT_KIND, "READ")))
                .isEqualTo(1);
        assertThat(otel.count("pgagent.statement.refusals", Map.of(AgentTelemetry.STATEMENT_KIND, "ADMIN")))
                .isEqualTo(1);
    }

    @Test
    void namesTheOperationByItsLeadingKeywordOrElseItsKind() {
        Verdict v = Verdict.allow(StatementKind.READ, "r", Set.of());
        assertThat(AgentTelemetry.operation("/* x */ (select 1)", v)).isEqualTo("SELECT");
        assertThat(AgentTelemetry.operation("with t as (select 1) select * from t", v))
                .isEqualTo("WITH");
        assertThat(AgentTelemetry.operation("frobnicate 'secret'", v)).isEqualTo("READ");
        assertThat(AgentTelemetry.operation("", v)).isEqualTo("READ");
        assertThat(AgentTelemetry.operation("-- note\n  update t set a = 1", v)).isEqualTo("UPDATE");
        assertThat(AgentTelemetry.operation("-- only a comment", v)).isEqualTo("READ");
        assertThat(AgentTelemetry.operation("/* never closed", v)).isEqualTo("READ");
    }

    @Test
    void builderTakesTheProviderFromTheClientAndRejectsBadValues() {
        LlmClient llm = new LlmClient() {
            @Override
            public ChatResponse chat(ChatRequest request) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ProviderInfo info() {
                return ProviderInfo.builder("anthropic", "claude-test").build();
            }
        };
        AgentTelemetry t = AgentTelemetry.builder(otel.sdk).llm(llm).build();
        t.onEvent(new AgentEvent.AskStarted("s", "a", "q", false));
        t.onEvent(new AgentEvent.ModelCallStarted("s", "a", 1));
        t.onEvent(new AgentEvent.ModelCallFinished(
                "s", "a", 1, AssistantMessage.of("hi"), new TokenUsage(7, 3), Duration.ofMillis(5), null));
        t.onEvent(new AgentEvent.AskFinished("s", "a", AgentStatus.COMPLETED, null, Duration.ofMillis(6)));
        SpanData chat = otel.span("chat claude-test");
        assertThat(chat.getAttributes().get(AgentTelemetry.GEN_AI_PROVIDER_NAME))
                .isEqualTo("anthropic");
        assertThat(chat.getAttributes().get(AgentTelemetry.GEN_AI_INPUT_TOKENS)).isEqualTo(7L);

        assertThatThrownBy(() -> AgentTelemetry.builder(otel.sdk).maxOpenAsks(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxOpenAsks must be at least 1 but was 0");
        assertThatThrownBy(() -> AgentTelemetry.builder(otel.sdk).provider(" "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentTelemetry.builder(null)).isInstanceOf(NullPointerException.class);
        assertThat(AgentTelemetry.builder(otel.sdk).model(" ").build())
                .hasToString("AgentTelemetry{provider=unknown, model=null, captureSqlText=false, maxOpenAsks=10000}");
    }
}
