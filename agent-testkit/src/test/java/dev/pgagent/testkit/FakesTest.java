package dev.pgagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FakesTest {
    @Test
    void scriptedToolReturnsItsScriptThenTheFallbackAndRecordsCalls() {
        ScriptedTool tool = ScriptedTool.builder("weather")
                .thenReturn(ToolResult.of("sunny"))
                .thenAnswer((args, ctx) -> ToolResult.of("rain in " + args.requireString("city")))
                .otherwise((args, ctx) -> ToolResult.error("no more"))
                .build();
        FakeToolContext ctx = FakeToolContext.create();
        ToolArguments paris = ToolArguments.of(Map.of("city", "Paris"), "{\"city\":\"Paris\"}");

        assertThat(tool.execute(paris, ctx).content()).isEqualTo("sunny");
        assertThat(tool.execute(paris, ctx).content()).isEqualTo("rain in Paris");
        assertThat(tool.execute(paris, ctx).error()).isTrue();
        assertThat(tool.calls()).hasSize(3).allSatisfy(c -> {
            assertThat(c.arguments()).isEqualTo(paris);
            assertThat(c.sessionId()).isEqualTo("test-session");
        });
    }

    @Test
    void scriptedToolWithoutFallbackFailsWhenExhausted() {
        ScriptedTool tool =
                ScriptedTool.builder("t").thenReturn(ToolResult.of("x")).build();
        tool.execute(ToolArguments.EMPTY, FakeToolContext.create());

        assertThatThrownBy(() -> tool.execute(ToolArguments.EMPTY, FakeToolContext.create()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("call #2");
    }

    @Test
    void fakeSqlGatewayMatchesNormalisedStatementsAndRecordsThem() {
        FakeSqlGateway sql = FakeSqlGateway.create()
                .onQuery(
                        "select name from t",
                        FakeSqlGateway.table(List.of("name"), List.of(List.of("a"), List.of("b"))))
                .onRefuse("drop table t", "DDL is not allowed")
                .onFail("select nope from t", "column \"nope\" does not exist", "42703");

        StatementOutcome read = sql.execute("SELECT  name\n FROM t;");
        StatementOutcome refused = sql.execute("drop table t");
        StatementOutcome failed = sql.execute("select nope from t");
        StatementOutcome unknown = sql.execute("select 42");

        assertThat(read.result()).isNotNull();
        assertThat(read.result().rows()).containsExactly(List.of("a"), List.of("b"));
        assertThat(refused.status()).isEqualTo(StatementOutcome.Status.REFUSED);
        assertThat(sql.check("drop table t").isDenied()).isTrue();
        assertThat(failed.sqlState()).isEqualTo("42703");
        assertThat(unknown.status()).isEqualTo(StatementOutcome.Status.FAILED);
        assertThat(unknown.error()).contains("no outcome scripted");
        assertThat(sql.executed()).hasSize(4).first().isEqualTo("SELECT  name\n FROM t;");
    }

    @Test
    void fakeToolContextReportsCancellation() {
        FakeToolContext ctx = FakeToolContext.create();
        ctx.throwIfCancelled();
        ctx.cancel();

        assertThat(ctx.isCancelled()).isTrue();
        assertThatThrownBy(ctx::throwIfCancelled).isInstanceOf(dev.pgagent.api.CancelledException.class);
    }

    @Test
    void recordingAuditSinkFiltersByType() {
        RecordingAuditSink sink = new RecordingAuditSink();
        sink.record(AuditEvent.builder(AuditEventType.ASK_STARTED).build());
        sink.record(AuditEvent.builder(AuditEventType.QUERY_REFUSED)
                .sql("drop table t")
                .build());

        assertThat(sink.types()).containsExactly(AuditEventType.ASK_STARTED, AuditEventType.QUERY_REFUSED);
        assertThat(sink.sql(AuditEventType.QUERY_REFUSED)).containsExactly("drop table t");
        sink.clear();
        assertThat(sink.events()).isEmpty();
    }
}
