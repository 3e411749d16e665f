package dev.pgagent.db.postgres;

import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolContext;
import dev.pgagent.testkit.contract.ToolContract;
import dev.pgagent.testsupport.TestPostgres;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * Each built-in tool of {@link PostgresTools} keeps the {@link Tool} contract, against a real PostgreSQL with the
 * shop fixture. The SQL tools run through {@link DirectToolContext}, a gateway that reads without validation (the
 * guarded gateway is agent-core's).
 */
class PostgresToolsContractIT {
    static PostgresDatabase db;
    static Map<String, Tool> tools;

    @BeforeAll
    static void database() {
        DataSource ds = TestPostgres.freshDatabase("toolcontract");
        Fixtures.exec(ds, Fixtures.SHOP);
        Fixtures.exec(ds, "INSERT INTO shop.customers (email, name) VALUES ('a@example.com', 'Ann')");
        db = PostgresDatabase.of(ds);
        tools = new java.util.LinkedHashMap<>();
        PostgresTools.builtIns(db).forEach(t -> tools.put(t.name(), t));
        tools.put(PostgresTools.SUGGEST_INDEXES, PostgresTools.suggestIndexes(db));
    }

    /** The parts every built-in shares: the tool by name, and a direct context over the shop database. */
    abstract static class BuiltIn extends ToolContract {
        abstract String name();

        @Override
        protected Tool tool() {
            return tools.get(name());
        }

        @Override
        protected ToolContext context() {
            return new DirectToolContext(db, ExecutionLimits.defaults().withMaxRows(100));
        }
    }

    @Nested
    class ExecuteQuery extends BuiltIn {
        @Override
        String name() {
            return PostgresTools.EXECUTE_QUERY;
        }

        @Override
        protected ToolArguments validArguments() {
            return arguments(Map.of("sql", "SELECT email, name FROM shop.customers ORDER BY email"));
        }

        @Override
        protected List<ToolArguments> badArguments() {
            return List.of(
                    arguments(Map.of("sql", "   ")), arguments(Map.of("sql", "SELECT nope FROM shop.customers")));
        }
    }

    @Nested
    class ListTables extends BuiltIn {
        @Override
        String name() {
            return PostgresTools.LIST_TABLES;
        }

        @Override
        protected ToolArguments validArguments() {
            return arguments(Map.of("schema", "shop"));
        }

        @Override
        protected List<ToolArguments> badArguments() {
            return List.of(arguments(Map.of("schema", "no_such_schema")));
        }
    }

    @Nested
    class DescribeTable extends BuiltIn {
        @Override
        String name() {
            return PostgresTools.DESCRIBE_TABLE;
        }

        @Override
        protected ToolArguments validArguments() {
            return arguments(Map.of("table", "shop.orders"));
        }

        @Override
        protected List<ToolArguments> badArguments() {
            return List.of(arguments(Map.of("table", "no_such_table")), arguments(Map.of("table", "")));
        }
    }

    @Nested
    class GetSchema extends BuiltIn {
        @Override
        String name() {
            return PostgresTools.GET_SCHEMA;
        }

        @Override
        protected ToolArguments validArguments() {
            return arguments(Map.of("filter", "order*"));
        }
    }

    @Nested
    class ExplainQuery extends BuiltIn {
        @Override
        String name() {
            return PostgresTools.EXPLAIN_QUERY;
        }

        @Override
        protected ToolArguments validArguments() {
            return arguments(Map.of("sql", "SELECT * FROM shop.orders WHERE customer_id = 1"));
        }

        @Override
        protected List<ToolArguments> badArguments() {
            return List.of(arguments(Map.of("sql", "")), arguments(Map.of("sql", "SELECT FROM WHERE")));
        }
    }

    @Nested
    class SuggestIndexes extends BuiltIn {
        @Override
        String name() {
            return PostgresTools.SUGGEST_INDEXES;
        }

        @Override
        protected ToolArguments validArguments() {
            return arguments(
                    Map.of("statements", List.of("SELECT * FROM shop.orders WHERE customer_id = 1"), "budget_mb", 10));
        }

        @Override
        protected List<ToolArguments> badArguments() {
            // no statements and no pg_stat_statements; a budget under 1 MB; a budget that is not a number
            return List.of(
                    arguments(Map.of()),
                    arguments(Map.of("statements", List.of("SELECT 1"), "budget_mb", 0)),
                    arguments(Map.of("statements", List.of("SELECT 1"), "budget_mb", "lots")));
        }
    }
}
