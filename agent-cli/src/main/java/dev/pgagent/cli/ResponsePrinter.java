package dev.pgagent.cli;

import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/** Prints an {@link AgentResponse} for a person: the answer, the SQL run with verdicts, the result table. */
final class ResponsePrinter {
    static final int MAX_TABLE_ROWS = 50;

    private ResponsePrinter() {}

    /** Prints the whole response: answer, statements, last table and a summary line. */
    static void print(AgentResponse r, PrintStream out) {
        if (!r.answer().isBlank()) {
            out.println(r.answer().strip());
            out.println();
        }
        printStatements(r.statements(), out);
        List<QueryResult> tables = r.tables();
        if (!tables.isEmpty()) {
            QueryResult last = tables.get(tables.size() - 1);
            out.println("Result:");
            out.println(TextTable.render(last, MAX_TABLE_ROWS));
            out.println();
        }
        out.println(summary(r));
    }

    /** Prints each statement with its verdict and outcome. */
    static void printStatements(List<StatementOutcome> statements, PrintStream out) {
        if (statements.isEmpty()) {
            return;
        }
        out.println(statements.size() == 1 ? "SQL run:" : "SQL run (" + statements.size() + " statements):");
        int i = 1;
        for (StatementOutcome o : statements) {
            out.println("  " + i++ + ". " + outcomeLine(o));
            for (String line : o.sql().strip().split("\\R")) {
                out.println("     " + line);
            }
        }
        out.println();
    }

    /** Returns "ALLOW READ, executed: 5 rows in 12 ms" and the like. */
    static String outcomeLine(StatementOutcome o) {
        StringBuilder sb = new StringBuilder()
                .append(o.verdict().decision().name()).append(' ').append(o.verdict().kind().name()).append(", ");
        switch (o.status()) {
            case EXECUTED -> {
                sb.append("executed");
                if (o.result() != null) {
                    int rows = o.result().rowCount();
                    sb.append(": ").append(rows).append(rows == 1 ? " row" : " rows");
                    if (o.result().isTruncated()) {
                        sb.append(" (cut by the ").append(
                                o.result().truncation().name().equals("ROW_LIMIT") ? "row" : "size").append(" limit)");
                    }
                } else if (o.affectedRows() >= 0) {
                    sb.append(": ").append(o.affectedRows()).append(" rows changed");
                }
                sb.append(" in ").append(millis(o.elapsed()));
            }
            case REFUSED -> sb.append("refused: ").append(o.verdict().reason());
            case FAILED -> sb.append("failed: ").append(PgAgentException.abbreviate(o.error(), 200))
                    .append(o.sqlState() == null ? "" : " [" + o.sqlState() + "]");
            case CANCELLED -> sb.append("cancelled");
            case PENDING_CONFIRMATION -> sb.append("waiting for confirmation");
            case DECLINED -> sb.append("declined").append(o.error() == null ? "" : ": " + o.error());
        }
        return sb.toString();
    }

    /** Returns "3 steps, 1234 tokens in / 56 out, 2.1 s" plus the status when the ask did not complete. */
    static String summary(AgentResponse r) {
        StringBuilder sb = new StringBuilder("(");
        sb.append(r.steps().size()).append(r.steps().size() == 1 ? " step, " : " steps, ")
                .append(r.usage().inputTokens()).append(" tokens in / ").append(r.usage().outputTokens())
                .append(" out, ").append(seconds(r.elapsed())).append(')');
        if (r.status() != AgentStatus.COMPLETED) {
            sb.append(" status ").append(r.status().name());
            r.error().ifPresent(e -> sb.append(": ").append(e));
        }
        return sb.toString();
    }

    static String millis(Duration d) {
        return d.toMillis() + " ms";
    }

    static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
