package dev.pgagent.opentelemetry;

import static dev.pgagent.opentelemetry.AgentTelemetry.ASK_STATUS;
import static dev.pgagent.opentelemetry.AgentTelemetry.AUDIT_EVENT_TYPE;
import static dev.pgagent.opentelemetry.AgentTelemetry.DB_OPERATION_NAME;
import static dev.pgagent.opentelemetry.AgentTelemetry.GEN_AI_TOKEN_TYPE;
import static dev.pgagent.opentelemetry.AgentTelemetry.STATEMENT_KIND;
import static dev.pgagent.opentelemetry.AgentTelemetry.STATEMENT_STATUS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.LlmException;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.safety.JSqlParserSafetyValidator;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import dev.pgagent.testsupport.TestPostgres;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real agent on a real PostgreSQL, with a scripted model, observed through the SDK's in-memory exporters. */
class AgentTelemetryIT {
    private static final String SECRET = "alice@example.com";
    private static final String READ = "SELECT count(*) AS n FROM orders WHERE email = '" + SECRET + "'";
    private static DataSource ds;
    private final Otel otel = new Otel();

    @BeforeAll
    static void setUp() throws SQLException {
        ds = TestPostgres.freshDatabase("otel");
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id int PRIMARY KEY, email text NOT NULL, total numeric NOT NULL)");
            s.execute("INSERT INTO orders VALUES (1, '" + SECRET + "', 10), (2, 'bob@example.com', 20),"
                    + " (3, 'carol@example.com', 30)");
        }
    }

    @AfterEach
    void close() {
        otel.close();
    }

    /** An agent on the test database; the parser may take long on a busy machine (its verdicts are asserted). */
    private static PostgresAgent.Builder agent(FakeLlmClient llm) {
        return PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .safetyValidator(JSqlParserSafetyValidator.builder()
                        .parseTimeout(Duration.ofMinutes(1))
                        .build());
    }

    private static FakeLlmClient script() {
        return FakeLlmClient.create()
                .enqueue(LlmResponses.toolCalls(LlmResponses.query(READ)))
                .enqueue(LlmResponses.toolCalls(LlmResponses.query("DROP TABLE orders")))
                .enqueue(LlmResponses.text("Alice has one order."))
                .enqueueFailure(new LlmException(
                        "invalid api key", LlmException.Reason.AUTHENTICATION, false, 401, null, null));
    }

    @Test
    void anAskWithAToolCallARefusalAndAFailingModelCallBecomesASpanTreeAndMetrics() {
        AgentTelemetry telemetry = AgentTelemetry.builder(otel.sdk)
                .provider("openai")
                .model("gpt-test")
                .build();
        List<AgentEvent> seen = new CopyOnWriteArrayList<>();
        AuditSink failing = e -> {
            throw new IllegalStateException("audit store down");
        };
        try (PostgresAgent agent = agent(script())
                .addAuditSink(failing)
                .listener(AgentListener.all(telemetry, seen::add))
                .build()) {
            AgentResponse ok = agent.ask("How many orders has Alice?");
            AgentResponse failed = agent.ask("And Bob?");
            assertThat(ok.status()).isEqualTo(AgentStatus.COMPLETED);
            assertThat(failed.status()).isEqualTo(AgentStatus.FAILED);
        }
        assertThat(seen).filteredOn(e -> e instanceof AgentEvent.AskFinished).hasSize(2);
        assertThat(telemetry.openAsks()).isZero();

        List<SpanData> asks = otel.spansNamed("invoke_agent pgagent");
        assertThat(asks).hasSize(2);
        SpanData first = asks.stream()
                .filter(s -> "COMPLETED".equals(s.getAttributes().get(ASK_STATUS)))
                .findFirst()
                .orElseThrow();
        SpanData second = asks.stream()
                .filter(s -> "FAILED".equals(s.getAttributes().get(ASK_STATUS)))
                .findFirst()
                .orElseThrow();
        assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(second.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(first.getAttributes().get(AgentTelemetry.GEN_AI_OPERATION_NAME))
                .isEqualTo("invoke_agent");
        assertThat(first.getTraceId()).isNotEqualTo(second.getTraceId());

        List<SpanData> chats = otel.spansNamed("chat gpt-test");
        assertThat(chats).hasSize(4);
        assertThat(chats)
                .filteredOn(s -> s.getParentSpanId().equals(first.getSpanId()))
                .hasSize(3)
                .allSatisfy(s -> {
                    assertThat(s.getKind()).isEqualTo(SpanKind.CLIENT);
                    assertThat(s.getAttributes().get(AgentTelemetry.GEN_AI_OPERATION_NAME))
                            .isEqualTo("chat");
                    assertThat(s.getAttributes().get(AgentTelemetry.GEN_AI_PROVIDER_NAME))
                            .isEqualTo("openai");
                    assertThat(s.getAttributes().get(AgentTelemetry.GEN_AI_REQUEST_MODEL))
                            .isEqualTo("gpt-test");
                    assertThat(s.getAttributes().get(AgentTelemetry.GEN_AI_INPUT_TOKENS))
                            .isEqualTo(10L);
                    assertThat(s.getAttributes().get(AgentTelemetry.GEN_AI_OUTPUT_TOKENS))
                            .isEqualTo(5L);
                    assertThat(s.getAttributes().get(AgentTelemetry.GEN_AI_RESPONSE_MODEL))
                            .isEqualTo("fake-model");
                    assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
                });
        assertThat(chats)
                .filteredOn(s -> s.getParentSpanId().equals(second.getSpanId()))
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
                    assertThat(s.getAttributes().get(AgentTelemetry.ERROR_TYPE)).isEqualTo("model_call_failed");
                });

        assertThat(chats)
                .extracting(s -> s.getAttributes().get(AgentTelemetry.GEN_AI_FINISH_REASONS))
                .containsExactlyInAnyOrder(List.of("tool_calls"), List.of("tool_calls"), List.of("stop"), null);

        List<SpanData> tools = otel.spansNamed("execute_tool execute_query");
        assertThat(tools).hasSize(2).allSatisfy(s -> {
            assertThat(s.getParentSpanId()).isEqualTo(first.getSpanId());
            assertThat(s.getAttributes().get(AgentTelemetry.GEN_AI_TOOL_NAME)).isEqualTo("execute_query");
            assertThat(s.getAttributes().get(AgentTelemetry.GEN_AI_TOOL_CALL_ID))
                    .isNotBlank();
        });

        SpanData select = otel.span("SELECT default");
        assertThat(select.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(tools).extracting(SpanData::getSpanId).contains(select.getParentSpanId());
        assertThat(select.getAttributes().get(AgentTelemetry.DB_SYSTEM_NAME)).isEqualTo("postgresql");
        assertThat(select.getAttributes().get(AgentTelemetry.DB_NAMESPACE)).isEqualTo("default");
        assertThat(select.getAttributes().get(DB_OPERATION_NAME)).isEqualTo("SELECT");
        assertThat(select.getAttributes().get(AgentTelemetry.DB_COLLECTION_NAME))
                .isEqualTo("orders");
        assertThat(select.getAttributes().get(AgentTelemetry.DB_RETURNED_ROWS)).isEqualTo(1L);
        assertThat(select.getAttributes().get(AgentTelemetry.VERDICT)).isEqualTo("ALLOW");
        assertThat(select.getAttributes().get(STATEMENT_KIND)).isEqualTo("READ");
        assertThat(select.getAttributes().get(STATEMENT_STATUS)).isEqualTo("EXECUTED");

        SpanData drop = otel.span("DROP default");
        assertThat(tools).extracting(SpanData::getSpanId).contains(drop.getParentSpanId());
        assertThat(drop.getParentSpanId()).isNotEqualTo(select.getParentSpanId());
        assertThat(drop.getAttributes().get(AgentTelemetry.VERDICT)).isEqualTo("DENY");
        assertThat(drop.getAttributes().get(STATEMENT_KIND)).isEqualTo("DDL");
        assertThat(drop.getAttributes().get(STATEMENT_STATUS)).isEqualTo("REFUSED");
        assertThat(drop.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);

        // by default no span carries the SQL text, nor any value from it
        assertThat(otel.spans()).allSatisfy(s -> {
            assertThat(s.getAttributes().get(AgentTelemetry.DB_QUERY_TEXT)).isNull();
            assertThat(s.getAttributes().asMap().values())
                    .noneSatisfy(v -> assertThat(String.valueOf(v)).contains(SECRET));
        });

        otel.collect();
        assertThat(otel.count("pgagent.asks", Map.of(ASK_STATUS, "COMPLETED"))).isEqualTo(1);
        assertThat(otel.count("pgagent.asks", Map.of(ASK_STATUS, "FAILED"))).isEqualTo(1);
        assertThat(otel.count("pgagent.statement.refusals", Map.of(STATEMENT_KIND, "DDL")))
                .isEqualTo(1);
        assertThat(otel.count("pgagent.audit.failures", Map.of(AUDIT_EVENT_TYPE, "QUERY_REFUSED")))
                .isGreaterThanOrEqualTo(1);
        assertThat(otel.histogram("gen_ai.client.token.usage", Map.of(GEN_AI_TOKEN_TYPE, "input")))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.getCount()).isEqualTo(3);
                    assertThat(p.getSum()).isEqualTo(30.0);
                });
        assertThat(otel.histogram("gen_ai.client.token.usage", Map.of(GEN_AI_TOKEN_TYPE, "output")))
                .singleElement()
                .satisfies(p -> assertThat(p.getSum()).isEqualTo(15.0));
        assertThat(otel.histogram("gen_ai.client.operation.duration", Map.of()))
                .extracting(p -> p.getCount())
                .containsExactlyInAnyOrder(3L, 1L);
        assertThat(otel.histogram(
                        "gen_ai.client.operation.duration", Map.of(AgentTelemetry.ERROR_TYPE, "model_call_failed")))
                .singleElement()
                .satisfies(p -> assertThat(p.getCount()).isEqualTo(1));
        assertThat(otel.histogram(
                        "db.client.operation.duration",
                        Map.of(DB_OPERATION_NAME, "SELECT", STATEMENT_STATUS, "EXECUTED")))
                .singleElement()
                .satisfies(p -> assertThat(p.getCount()).isEqualTo(1));
        assertThat(otel.histogram(
                        "db.client.operation.duration", Map.of(DB_OPERATION_NAME, "DROP", STATEMENT_STATUS, "REFUSED")))
                .singleElement()
                .satisfies(p -> assertThat(p.getCount()).isEqualTo(1));
        assertThat(otel.histogram("db.client.response.returned_rows", Map.of()))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.getCount()).isEqualTo(1);
                    assertThat(p.getSum()).isEqualTo(1.0);
                });
    }

    @Test
    void theHostMayOptInToTheSqlTextAndConcurrentToolCallsParentTheirOwnStatements() {
        AgentTelemetry telemetry =
                AgentTelemetry.builder(otel.sdk).captureSqlText(true).build();
        List<ToolCall> calls = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            calls.add(new ToolCall(
                    "call-" + i, "execute_query", "{\"sql\":\"SELECT id FROM orders WHERE id = " + i + "\"}"));
        }
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCalls(calls.toArray(ToolCall[]::new)))
                .enqueue(LlmResponses.text("one each"));
        try (PostgresAgent agent = agent(llm).listener(telemetry).build()) {
            assertThat(agent.ask("Show orders 1, 2 and 3").status()).isEqualTo(AgentStatus.COMPLETED);
        }
        assertThat(telemetry.openAsks()).isZero();
        Map<String, SpanData> byId = new HashMap<>();
        otel.spans().forEach(s -> byId.put(s.getSpanId(), s));
        List<SpanData> statements = otel.spansNamed("SELECT default");
        assertThat(statements).hasSize(3).allSatisfy(s -> {
            String text = s.getAttributes().get(AttributeKey.stringKey("db.query.text"));
            assertThat(text).startsWith("SELECT id FROM orders WHERE id = ");
            SpanData tool = byId.get(s.getParentSpanId());
            assertThat(tool.getName()).isEqualTo("execute_tool execute_query");
            assertThat(tool.getAttributes().get(AgentTelemetry.GEN_AI_TOOL_CALL_ID))
                    .isEqualTo("call-" + text.substring(text.length() - 1));
            assertThat(s.getAttributes().get(AgentTelemetry.DB_RETURNED_ROWS)).isEqualTo(1L);
        });
        assertThat(otel.spansNamed("chat")).hasSize(2);
    }
}
