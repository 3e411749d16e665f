package dev.pgagent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentResponse;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Prints an {@link AgentResponse} for a person: the answer, then each statement run with its verdict, outcome and
 * result (a table, capped; a plan, compactly), then a summary line. Why an ask did not complete is not printed here:
 * the command says it once, on standard error.
 */
final class ResponsePrinter {
    static final int MAX_TABLE_ROWS = 50;
    private static final int MAX_PLAN_NODES = 40;
    private static final String INDENT = "     ";

    private ResponsePrinter() {}

    /** Prints the whole response: answer, statements with their results, and a summary line. */
    static void print(AgentResponse r, PrintStream out) {
        if (!r.answer().isBlank()) {
            out.println(r.answer().strip());
            out.println();
        }
        printStatements(r.statements(), out);
        out.println(summary(r));
    }

    /** Prints each statement with its verdict, its outcome and what it returned. */
    static void printStatements(List<StatementOutcome> statements, PrintStream out) {
        if (statements.isEmpty()) {
            return;
        }
        out.println(statements.size() == 1 ? "SQL run:" : "SQL run (" + statements.size() + " statements):");
        int i = 1;
        for (StatementOutcome o : statements) {
            out.println("  " + i++ + ". " + outcomeLine(o));
            for (String line : o.sql().strip().split("\\R")) {
                out.println(INDENT + line);
            }
            printResult(o, out);
        }
        out.println();
    }

    /** Prints what one statement returned: its plan, or its rows as a table (at most {@link #MAX_TABLE_ROWS}). */
    static void printResult(StatementOutcome o, PrintStream out) {
        QueryResult result = o.result();
        if (result == null || o.status() != StatementOutcome.Status.EXECUTED) {
            return;
        }
        List<String> plan = plan(result);
        if (plan != null) {
            out.println(INDENT + "Plan:");
            plan.forEach(line -> out.println(INDENT + "  " + line));
            return;
        }
        out.println();
        for (String line : TextTable.render(result, MAX_TABLE_ROWS).split("\n")) {
            out.println(INDENT + line);
        }
        out.println();
    }

    /** Returns "ALLOW READ, executed: 5 rows in 12 ms" and the like. */
    static String outcomeLine(StatementOutcome o) {
        StringBuilder sb = new StringBuilder()
                .append(o.verdict().decision().name())
                .append(' ')
                .append(o.verdict().kind().name())
                .append(", ");
        switch (o.status()) {
            case EXECUTED -> {
                QueryResult result = o.result();
                if (result != null && isPlan(result)) {
                    sb.append("explained");
                } else if (result != null) {
                    sb.append("executed: ").append(count(result.rowCount(), "row"));
                    if (result.isTruncated()) {
                        sb.append(" (cut by the ")
                                .append(result.truncation().name().equals("ROW_LIMIT") ? "row" : "size")
                                .append(" limit)");
                    }
                } else if (o.verdict().kind() == StatementKind.DDL || o.affectedRows() < 0) {
                    sb.append("done");
                } else {
                    sb.append("executed: ")
                            .append(count(o.affectedRows(), "row"))
                            .append(" changed");
                }
                sb.append(" in ").append(millis(o.elapsed()));
            }
            case REFUSED -> sb.append("refused: ").append(o.verdict().reason());
            case FAILED ->
                sb.append("failed: ")
                        .append(PgAgentException.abbreviate(o.error(), 200))
                        .append(o.sqlState() == null ? "" : " [" + o.sqlState() + "]");
            // a statement timeout is a cancellation too; its message says so, and after how long
            case CANCELLED ->
                sb.append(
                        o.error() == null || o.error().isBlank()
                                ? "cancelled"
                                : o.error().startsWith("the statement timed out")
                                        ? PgAgentException.abbreviate(o.error(), 200)
                                        : "cancelled: " + PgAgentException.abbreviate(o.error(), 200));
            case PENDING_CONFIRMATION -> sb.append("waiting for confirmation");
            case DECLINED -> sb.append("declined").append(o.error() == null ? "" : ": " + o.error());
        }
        return sb.toString();
    }

    /** Returns "(3 steps, 1234 tokens in / 56 out, 2.1 s)". */
    static String summary(AgentResponse r) {
        return "(" + count(r.steps().size(), "step") + ", " + r.usage().inputTokens() + " tokens in / "
                + r.usage().outputTokens() + " out, " + seconds(r.elapsed()) + ")";
    }

    /** Returns "1 row", "2 rows" and the like. */
    static String count(long n, String noun) {
        return n + " " + (n == 1 ? noun : noun + "s");
    }

    /** Returns whether {@code result} is the plan of an explained statement (one json cell named QUERY PLAN). */
    static boolean isPlan(QueryResult result) {
        return result.columns().size() == 1
                && result.columns().get(0).name().equals("QUERY PLAN")
                && result.rowCount() == 1;
    }

    /** Returns the plan as one line a node, indented by depth, or null when {@code result} is not a plan. */
    static @Nullable List<String> plan(QueryResult result) {
        if (!isPlan(result) || result.rows().get(0).get(0) == null) {
            return null;
        }
        try {
            JsonNode root = JsonViews.MAPPER.readTree(result.rows().get(0).get(0));
            JsonNode plan = root.isArray() && root.size() > 0 ? root.get(0).get("Plan") : root.get("Plan");
            if (plan == null) {
                return null;
            }
            List<String> lines = new ArrayList<>();
            node(plan, 0, lines);
            return lines;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static void node(JsonNode n, int depth, List<String> lines) {
        if (lines.size() >= MAX_PLAN_NODES) {
            if (lines.size() == MAX_PLAN_NODES) {
                lines.add("...");
            }
            return;
        }
        StringBuilder sb = new StringBuilder("  ".repeat(depth))
                .append(depth == 0 ? "" : "-> ")
                .append(n.path("Node Type").asText("?"));
        String relation = n.path("Relation Name").asText(null);
        if (relation != null) {
            String alias = n.path("Alias").asText(relation);
            sb.append(" on ").append(relation).append(alias.equals(relation) ? "" : " " + alias);
        }
        String index = n.path("Index Name").asText(null);
        if (index != null) {
            sb.append(" using ").append(index);
        }
        sb.append("  (cost ")
                .append(number(n.path("Total Cost").asDouble()))
                .append(", rows ")
                .append(n.path("Plan Rows").asLong())
                .append(')');
        lines.add(sb.toString());
        for (JsonNode child : n.path("Plans")) {
            node(child, depth + 1, lines);
        }
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.2f", d);
    }

    static String millis(Duration d) {
        return d.toMillis() + " ms";
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
