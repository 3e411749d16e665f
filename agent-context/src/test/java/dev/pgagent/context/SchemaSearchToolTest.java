package dev.pgagent.context;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolContext;
import dev.pgagent.api.tool.ToolResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaSearchToolTest {
    private final SchemaSearchTool tool = SchemaSearchTool.of(TestSchemas::shop);

    private static final ToolContext CONTEXT = new ToolContext() {
        @Override
        public SqlGateway sql() {
            throw new UnsupportedOperationException("search_schema must not touch the database");
        }

        @Override
        public String sessionId() {
            return "s";
        }

        @Override
        public String askId() {
            return "a";
        }

        @Override
        public boolean isCancelled() {
            return false;
        }
    };

    private ToolResult call(Map<String, Object> args) {
        return tool.execute(ToolArguments.of(args, "{}"), CONTEXT);
    }

    @Test
    void findsTablesAndColumnsByKeywordRanked() {
        ToolResult r = call(Map.of("query", "invoice due date"));
        assertThat(r.error()).isFalse();
        assertThat(r.content()).startsWith("");
        assertThat(r.content().lines().skip(1).findFirst().orElseThrow())
                .isEqualTo("1. billing.invoices (5 columns) -- Invoices issued to subscribers");
        assertThat(r.content()).contains("matching columns: due_on date").contains("describe_table");
    }

    @Test
    void findsColumnsThroughSynonymsAndAbbreviations() {
        assertThat(call(Map.of("query", "quantity")).content())
                .contains("sales.order_items")
                .contains("qty int");
        assertThat(call(Map.of("query", "staff")).content()).contains("hr.employees");
    }

    @Test
    void honoursTheLimitAndSaysHowManyMatched() {
        String out = call(Map.of("query", "lookup name", "limit", 3)).content();
        assertThat(out).containsPattern("^\\d+ tables match 'lookup name'; the best 3:");
        assertThat(out.lines().filter(l -> l.matches("^\\d+\\. .*"))).hasSize(3);
    }

    @Test
    void reportsBadArgumentsAndNoMatchesToTheModel() {
        assertThat(call(Map.of()).error()).isTrue();
        assertThat(call(Map.of("query", "x", "limit", 0)).content())
                .isEqualTo("argument 'limit' must be 1 to 50 but was 0");
        ToolResult none = call(Map.of("query", "zebra giraffe"));
        assertThat(none.error()).isFalse();
        assertThat(none.content()).startsWith("No table or column matches 'zebra giraffe'");
    }

    @Test
    void describesItselfToTheModel() {
        assertThat(tool.name()).isEqualTo("search_schema");
        assertThat(tool.spec().parametersSchema())
                .contains("\"query\"")
                .contains("\"limit\"")
                .contains("\"required\":[\"query\"]");
    }
}
