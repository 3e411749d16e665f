package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResponsePrinterTest {
    private static final Verdict READ = Verdict.allow(StatementKind.READ, "A read-only query.", Set.of());
    private static final Verdict DDL = Verdict.allow(StatementKind.DDL, "DDL", Set.of());

    private static QueryResult table(String column, String... values) {
        QueryResult.Builder b = QueryResult.builder()
                .columns(List.of(new ResultColumn(column, "int8", Types.BIGINT)))
                .elapsed(Duration.ofMillis(3));
        for (String v : values) {
            b.addRow(List.of(v));
        }
        return b.build();
    }

    private static String print(AgentResponse r) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        ResponsePrinter.print(r, new PrintStream(buffer, true, StandardCharsets.UTF_8));
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void showsTheResultOfEveryStatementNotOnlyTheLast() {
        AgentResponse r = AgentResponse.builder(AgentStatus.COMPLETED)
                .answer("Two counts.")
                .statements(List.of(
                        StatementOutcome.executed("SELECT count(*) AS orders FROM o", READ, table("orders", "4000")),
                        StatementOutcome.executed(
                                "SELECT count(*) AS customers FROM c", READ, table("customers", "600"))))
                .build();

        String text = print(r);

        assertThat(text)
                .contains("SQL run (2 statements):")
                .contains("1. ALLOW READ, executed: 1 row in 3 ms")
                .doesNotContain("1 rows")
                .contains(" orders ")
                .contains("4000")
                .contains(" customers ")
                .contains("600");
        assertThat(text.indexOf("4000")).isLessThan(text.indexOf("SELECT count(*) AS customers"));
    }

    @Test
    void showsAnExplainedStatementAsAPlanNotAsOneRow() {
        String plan = "[{\"Plan\":{\"Node Type\":\"Aggregate\",\"Strategy\":\"Plain\",\"Total Cost\":80.5,"
                + "\"Plan Rows\":1,\"Plans\":[{\"Node Type\":\"Index Only Scan\",\"Relation Name\":\"orders\","
                + "\"Alias\":\"o\",\"Index Name\":\"orders_pkey\",\"Total Cost\":70,\"Plan Rows\":4000}]}}]";
        QueryResult result = QueryResult.builder()
                .columns(List.of(new ResultColumn("QUERY PLAN", "json", Types.OTHER)))
                .addRow(List.of(plan))
                .build();
        AgentResponse r = AgentResponse.builder(AgentStatus.COMPLETED)
                .statements(List.of(StatementOutcome.executed("SELECT count(*) FROM orders o", READ, result)))
                .build();

        String text = print(r);

        assertThat(text)
                .contains("ALLOW READ, explained in")
                .doesNotContain("executed: 1 row")
                .contains("Plan:")
                .contains("Aggregate  (cost 80.50, rows 1)")
                .contains("  -> Index Only Scan on orders o using orders_pkey  (cost 70, rows 4000)")
                .doesNotContain("Node Type");
    }

    @Test
    void saysDoneForDdlAndCountsChangedRowsInTheSingular() {
        StatementOutcome create = StatementOutcome.applied("CREATE TABLE t (id int)", DDL, 0, Duration.ofMillis(4));
        StatementOutcome update = StatementOutcome.applied(
                "UPDATE t SET id = 1", Verdict.allow(StatementKind.WRITE, "write", Set.of()), 1, Duration.ofMillis(2));

        assertThat(ResponsePrinter.outcomeLine(create)).isEqualTo("ALLOW DDL, done in 4 ms");
        assertThat(ResponsePrinter.outcomeLine(update)).isEqualTo("ALLOW WRITE, executed: 1 row changed in 2 ms");
    }

    @Test
    void showsWhyAStatementTimedOutNotJustCancelled() {
        String message = "the statement timed out after 30012 ms (its statement_timeout) and was cancelled on the"
                + " server; statement timeout: ...";
        StatementOutcome o = new StatementOutcome(
                "SELECT slow()",
                READ,
                StatementOutcome.Status.CANCELLED,
                null,
                -1,
                message,
                "57014",
                Duration.ofMillis(30012));

        assertThat(ResponsePrinter.outcomeLine(o))
                .isEqualTo("ALLOW READ, the statement timed out after 30012 ms (its statement_timeout) and was"
                        + " cancelled on the server; statement timeout: ...");
    }

    @Test
    void theSummaryIsSingularForOneStepAndLeavesTheErrorToStandardError() {
        AgentResponse r = AgentResponse.builder(AgentStatus.LIMIT_REACHED)
                .error("the step limit of 1 model turn was reached")
                .steps(List.of())
                .build();

        assertThat(ResponsePrinter.summary(r)).startsWith("(0 steps, ").doesNotContain("limit");
        assertThat(ResponsePrinter.count(1, "step")).isEqualTo("1 step");
    }
}
