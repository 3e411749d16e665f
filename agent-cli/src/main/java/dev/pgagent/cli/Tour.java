package dev.pgagent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.cli.demo.DemoDatabase;
import dev.pgagent.context.SchemaContext;
import dev.pgagent.context.ScoredTable;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.ExecutionLimits;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.db.postgres.QueryCancellation;
import dev.pgagent.safety.JSqlParserSafetyValidator;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The tour {@code pg-agent demo} gives when no model is configured: what works without one. */
final class Tour {
    private final Cli cli;
    private final PostgresDatabase db;
    private final SafetyPolicy policy;

    Tour(Cli cli, PostgresDatabase db, SafetyPolicy policy) {
        this.cli = cli;
        this.db = db;
        this.policy = policy;
    }

    /** The statements, read, plan and question the tour shows, fitted to the database. */
    private record Script(
            String read, String delete, String injection, String sleep, String explain, String question) {}

    void run() {
        SchemaModel schema = db.schema();
        Script script = scriptFor(schema);
        JSqlParserSafetyValidator validator = JSqlParserSafetyValidator.of(policy);

        heading("1. The schema pg-agent reads (what the model is told about)");
        List<TableInfo> tables = schema.tables();
        for (TableInfo t : tables) {
            cli.out.println("  " + SchemaText.header(t));
        }
        schema.enums()
                .forEach(e -> cli.out.println(
                        "  enum " + e.schema() + "." + e.name() + ": " + String.join(", ", e.labels())));
        cli.out.println("  ('pg-agent schema' prints every column; 'pg-agent schema --json' the full model.)");

        heading("2. The safety layer: verdicts under the " + AgentOptions.name(policy.level())
                + " policy (pg-agent check)");
        for (String sql : List.of(script.read(), script.delete(), script.injection(), script.sleep())) {
            Verdict v = validator.validate(sql);
            cli.out.printf(
                    "  %-6s %-11s %s%n",
                    v.decision().name(), v.kind().name(), dev.pgagent.api.PgAgentException.abbreviate(sql, 90));
            cli.out.printf("  %-18s %s%n", "", v.reason());
        }

        heading("3. A guarded read: validated, then run in a READ ONLY transaction with a statement timeout and a"
                + " row cap");
        cli.out.println(block(script.read()));
        shown(() -> {
            Verdict readVerdict = validator.validate(script.read());
            if (readVerdict.isAllowed()) {
                ExecutionLimits limits = ExecutionLimits.from(policy);
                QueryResult result = db.read(script.read(), limits, new QueryCancellation());
                cli.out.println(indent(TextTable.render(result, 20)));
                cli.out.println("  (" + result.elapsed().toMillis() + " ms; statement_timeout "
                        + limits.statementTimeout().toSeconds() + " s, at most " + limits.maxRows() + " rows)");
            } else {
                cli.out.println("  not run: " + readVerdict.reason());
            }
        });

        heading("4. An explained plan (EXPLAIN estimates it; nothing runs)");
        cli.out.println(block(script.explain()));
        shown(() -> {
            String plan = db.explainJson(script.explain(), ExecutionLimits.from(policy), new QueryCancellation());
            cli.out.print(PlanText.render(plan, "  "));
        });

        heading("5. The schema context the model would get for a question (pg-agent context)");
        cli.out.println("  Question: " + script.question());
        shown(() -> {
            SchemaContext context =
                    PostgresAgent.schemaContextBuilder(db, policy).build(script.question(), 1500);
            for (ScoredTable t : context.tables()) {
                cli.out.printf(
                        "    %-36s score %.3f%s%n",
                        t.qualifiedName(), t.score(), t.viaForeignKey() ? " (via foreign key)" : "");
            }
            cli.out.println("  " + context.tokens() + " tokens of a 1500-token budget.");
        });

        heading("Next");
        cli.out.println("  pg-agent check \"DELETE FROM orders\"            verdicts for your own SQL (no database)");
        cli.out.println("  pg-agent schema --url jdbc:postgresql://...    the schema of your database");
        cli.out.println("  OPENAI_API_KEY=... pg-agent demo               chat with this sample database");
        cli.out.println("  OPENAI_API_KEY=... pg-agent ask --url ... \"question\"   one question on your database");
        cli.out.flush();
    }

    private Script scriptFor(SchemaModel schema) {
        if (schema.table(DemoDatabase.SCHEMA + ".orders").isPresent()
                && schema.table(DemoDatabase.SCHEMA + ".order_totals").isPresent()) {
            return new Script(
                    "SELECT c.first_name || ' ' || c.last_name AS customer, c.country, count(*) AS orders,\n"
                            + "       sum(t.total) AS revenue\n"
                            + "FROM shop.customers c JOIN shop.order_totals t ON t.customer_id = c.customer_id\n"
                            + "WHERE t.status <> 'cancelled'\n"
                            + "GROUP BY c.customer_id ORDER BY revenue DESC LIMIT 5",
                    "DELETE FROM shop.orders WHERE status = 'cancelled'",
                    "SELECT * FROM shop.customers WHERE customer_id = 1; DROP TABLE shop.customers",
                    "SELECT pg_sleep(60)",
                    "SELECT p.name, avg(r.rating) AS stars\n"
                            + "FROM shop.products p JOIN shop.reviews r ON r.product_id = p.product_id\n"
                            + "GROUP BY p.name ORDER BY stars LIMIT 5",
                    "Which products get the worst reviews?");
        }
        Optional<TableInfo> biggest = schema.tables().stream()
                .filter(t -> t.kind() == TableKind.TABLE || t.kind() == TableKind.PARTITIONED_TABLE)
                .max(Comparator.comparingLong(TableInfo::rowEstimate));
        if (biggest.isEmpty()) {
            cli.out.println("(The database has no tables; 'pg-agent demo --url ... --load' loads the sample shop.)");
            return new Script(
                    "SELECT current_database(), version()",
                    "DELETE FROM pg_catalog.pg_class",
                    "SELECT 1; DROP SCHEMA public CASCADE",
                    "SELECT pg_sleep(60)",
                    "SELECT count(*) FROM pg_catalog.pg_class",
                    "Which tables are there?");
        }
        TableInfo t = biggest.get();
        String name = quote(t.schema()) + "." + quote(t.name());
        return new Script(
                "SELECT * FROM " + name + " LIMIT 5",
                "DELETE FROM " + name,
                "SELECT * FROM " + name + " LIMIT 1; DROP TABLE " + name,
                "SELECT pg_sleep(60)",
                "SELECT count(*) FROM " + name,
                "How many rows does " + t.name().replace('_', ' ') + " have?");
    }

    /** Runs one part of the tour; a failure there (a permission, say) is one line, and the tour goes on. */
    private void shown(Runnable part) {
        try {
            part.run();
        } catch (RuntimeException e) {
            cli.out.println("  (not shown: " + Errors.describe(e, cli) + ")");
        }
    }

    private static String quote(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_]*") ? identifier : '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private void heading(String title) {
        cli.out.println();
        cli.out.println(title);
    }

    private static String block(String sql) {
        return "    " + sql.strip().replace("\n", "\n    ");
    }

    private static String indent(String text) {
        return "  " + text.replace("\n", "\n  ");
    }

    /** Renders an EXPLAIN (FORMAT JSON) plan as an indented tree. */
    static final class PlanText {
        private PlanText() {}

        static String render(String json, String indent) {
            try {
                JsonNode root = JsonViews.MAPPER.readTree(json);
                JsonNode plan = root.isArray() && root.size() > 0 ? root.get(0).get("Plan") : root.get("Plan");
                if (plan == null) {
                    return indent + json + "\n";
                }
                StringBuilder sb = new StringBuilder();
                node(plan, indent, sb, true);
                return sb.toString();
            } catch (JsonProcessingException e) {
                return indent + json + "\n";
            }
        }

        /** Returns the node's name as psql's text format prints it (HashAggregate, Hash Left Join, ...). */
        private static String nodeName(JsonNode plan) {
            String type = plan.path("Node Type").asText("?");
            String strategy = plan.path("Strategy").asText("");
            if (type.equals("Aggregate")) {
                switch (strategy) {
                    case "Hashed" -> {
                        return "HashAggregate";
                    }
                    case "Sorted" -> {
                        return "GroupAggregate";
                    }
                    case "Mixed" -> {
                        return "MixedAggregate";
                    }
                    default -> {
                        return type;
                    }
                }
            }
            String join = plan.path("Join Type").asText("");
            if (!join.isEmpty() && !join.equals("Inner") && type.endsWith("Join")) {
                return type.substring(0, type.length() - "Join".length()) + join + " Join";
            }
            if (type.equals("Nested Loop") && !join.isEmpty() && !join.equals("Inner")) {
                return type + " " + join + " Join";
            }
            return type;
        }

        private static void node(JsonNode plan, String indent, StringBuilder sb, boolean top) {
            sb.append(indent).append(top ? "" : "-> ").append(nodeName(plan));
            String relation = plan.path("Relation Name").asText("");
            if (!relation.isEmpty()) {
                sb.append(" on ").append(relation);
                String alias = plan.path("Alias").asText("");
                if (!alias.isEmpty() && !alias.equals(relation)) {
                    sb.append(' ').append(alias);
                }
            }
            String index = plan.path("Index Name").asText("");
            if (!index.isEmpty()) {
                sb.append(" using ").append(index);
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "  (cost %.2f..%.2f, rows %d)",
                    plan.path("Startup Cost").asDouble(),
                    plan.path("Total Cost").asDouble(),
                    plan.path("Plan Rows").asLong()));
            sb.append('\n');
            for (JsonNode child : plan.path("Plans")) {
                node(child, indent + (top ? "  " : "     "), sb, false);
            }
        }
    }
}
