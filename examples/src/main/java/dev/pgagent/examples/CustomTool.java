package dev.pgagent.examples;

import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PgDataSources;
import dev.pgagent.llm.openai.OpenAiLlmClient;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Gives the model a tool of the host's own. {@code sales_target} answers from the host's planning data, which is not in
 * the database; {@code order_count} shows that a host tool reaches the database only through
 * {@link dev.pgagent.api.tool.ToolContext#sql()}, so the same safety checks, guards and audit apply to it as to the
 * built-in tools. Run it on the demo shop ({@code pg-agent demo --url ... --load}) and ask: "Did we meet the sales
 * target in March 2024?"
 */
public final class CustomTool {
    private static final Map<YearMonth, Long> TARGETS_EUR =
            Map.of(YearMonth.of(2024, 1), 250_000L, YearMonth.of(2024, 2), 255_000L, YearMonth.of(2024, 3), 300_000L);

    private CustomTool() {}

    /** Returns the host tool that looks up the monthly sales target. */
    public static Tool salesTarget() {
        ToolSpec spec = new ToolSpec(
                "sales_target",
                "Returns the sales target in EUR for a calendar month.",
                "{\"type\":\"object\",\"properties\":{\"month\":{\"type\":\"string\",\"description\":\"YYYY-MM\"}},"
                        + "\"required\":[\"month\"]}");
        return Tool.of(spec, (args, context) -> {
            try {
                YearMonth month = YearMonth.parse(args.requireString("month"));
                Long target = TARGETS_EUR.get(month);
                return target == null
                        ? ToolResult.error("no target is planned for " + month)
                        : ToolResult.of("The sales target for " + month + " is " + target + " EUR.");
            } catch (DateTimeParseException e) {
                return ToolResult.error("month must look like 2024-03");
            }
        });
    }

    /** Returns a host tool that counts the orders of a status through the guarded SQL gateway. */
    public static Tool orderCount() {
        ToolSpec spec = new ToolSpec(
                "order_count",
                "Counts the orders in a given status (pending, paid, shipped," + " delivered, cancelled, refunded).",
                "{\"type\":\"object\",\"properties\":{\"status\":{\"type\":\"string\"}},\"required\":[\"status\"]}");
        return Tool.of(spec, (args, context) -> {
            String status = args.requireString("status");
            if (!status.matches("[a-z_]{1,20}")) {
                return ToolResult.error("status must be one word such as shipped");
            }
            StatementOutcome outcome =
                    context.sql().execute("SELECT count(*) FROM shop.orders WHERE status = '" + status + "'");
            return outcome.isExecuted() && outcome.result() != null
                    ? ToolResult.of(outcome.result().rows().get(0).get(0) + " orders are " + status, outcome.result())
                    : ToolResult.error(String.valueOf(outcome.error()));
        });
    }

    /** Asks a question that needs both the host tool and the database. */
    public static void main(String[] args) {
        PostgresAgent agent = PostgresAgent.builder()
                .llm(OpenAiLlmClient.builder()
                        .apiKey(System.getenv("OPENAI_API_KEY"))
                        .model("gpt-4o-mini")
                        .build())
                .dataSource(PgDataSources.fromEnvironment(System.getenv()))
                .addTool(salesTarget())
                .addTool(orderCount())
                .build();
        AgentResponse response =
                agent.ask(args.length > 0 ? String.join(" ", args) : "Did we meet the sales target in March 2024?");
        System.out.println(response.answer());
        response.steps()
                .forEach(step -> step.toolInvocations()
                        .forEach(inv -> System.out.println("  called "
                                + inv.call().name() + " " + inv.call().arguments())));
    }
}
