package dev.pgagent.context;

import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolContext;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.context.internal.IndexCache;
import dev.pgagent.context.internal.Query;
import dev.pgagent.context.internal.SchemaIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@code search_schema} tool: finds tables and columns by keyword across the whole schema, ranked the way
 * {@link TableRanker#lexical()} ranks them, and lists them compactly (table, comment, matching columns with types)
 * so the model can explore a schema too big for its prompt. Arguments: {@code query} (required), {@code limit}
 * (optional, default 10, at most 50). The schema comes from a supplier on each call; its index is rebuilt only when
 * the supplier returns a different model. Thread-safe.
 *
 * <pre>{@code
 * Tool search = SchemaSearchTool.of(db::schema);
 * }</pre>
 */
public final class SchemaSearchTool implements Tool {
    /** The tool's name. */
    public static final String NAME = "search_schema";

    private static final int DEFAULT_LIMIT = 10;
    private static final int MAX_LIMIT = 50;
    private static final int MAX_COLUMNS_SHOWN = 6;
    private static final ToolSpec SPEC = new ToolSpec(
            NAME,
            "Searches the whole database schema for tables and columns matching keywords (names, comments, enum"
                    + " values; synonyms and plural forms match too). Use it to find tables that are not in the"
                    + " schema overview you were given. Returns ranked tables with their matching columns.",
            "{\"type\":\"object\",\"properties\":{"
                    + "\"query\":{\"type\":\"string\",\"description\":\"keywords, e.g. 'invoice due date'\"},"
                    + "\"limit\":{\"type\":\"integer\",\"description\":\"most tables to return (default 10, max 50)\"}"
                    + "},\"required\":[\"query\"]}");

    private final Supplier<SchemaModel> schema;
    private final IndexCache cache = new IndexCache();

    private SchemaSearchTool(Supplier<SchemaModel> schema) {
        this.schema = schema;
    }

    /** Returns the tool over the schema {@code schema} supplies (for example {@code db::schema}). */
    public static SchemaSearchTool of(Supplier<SchemaModel> schema) {
        return new SchemaSearchTool(Objects.requireNonNull(schema, "schema == null"));
    }

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolResult execute(ToolArguments arguments, ToolContext context) {
        Objects.requireNonNull(arguments, "arguments == null");
        String q;
        long limit;
        try {
            q = arguments.requireString("query");
            limit = arguments.integer("limit").orElse((long) DEFAULT_LIMIT);
        } catch (IllegalArgumentException e) {
            return ToolResult.error(e.getMessage());
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            return ToolResult.error("argument 'limit' must be 1 to " + MAX_LIMIT + " but was " + limit);
        }
        return ToolResult.of(search(q, (int) limit));
    }

    /**
     * Searches the schema and returns the text the model sees.
     *
     * @param query keywords
     * @param limit the most tables to list, 1 to 50
     */
    public String search(String query, int limit) {
        Objects.requireNonNull(query, "query == null");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + " but was " + limit);
        }
        SchemaIndex index = cache.get(schema.get());
        Query analyzed = index.analyze(query);
        double[] score = index.scoreTables(analyzed);
        List<Integer> hits = new ArrayList<>();
        for (int i = 0; i < score.length; i++) {
            if (score[i] > 0) {
                hits.add(i);
            }
        }
        if (hits.isEmpty()) {
            return "No table or column matches '" + query + "'. Try other words, or list_tables.";
        }
        hits.sort((a, b) -> {
            int c = Double.compare(score[b], score[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int shown = Math.min(limit, hits.size());
        StringBuilder sb = new StringBuilder();
        sb.append(hits.size())
                .append(hits.size() == 1 ? " table matches '" : " tables match '")
                .append(query)
                .append('\'');
        if (shown < hits.size()) {
            sb.append("; the best ").append(shown);
        }
        sb.append(":\n");
        for (int k = 0; k < shown; k++) {
            int id = hits.get(k);
            TableInfo t = index.table(id);
            sb.append(k + 1).append(". ").append(t.qualifiedName());
            sb.append(" (").append(t.columns().size()).append(" columns)");
            if (t.comment() != null && !t.comment().isBlank()) {
                sb.append(" -- ").append(cut(t.comment(), 80));
            }
            sb.append('\n');
            double[] cs = index.scoreColumns(id, analyzed);
            Integer[] cols = new Integer[cs.length];
            for (int c = 0; c < cs.length; c++) {
                cols[c] = c;
            }
            Arrays.sort(cols, (a, b) -> Double.compare(cs[b], cs[a]));
            List<String> matching = new ArrayList<>();
            for (int c : cols) {
                if (cs[c] <= 0 || matching.size() >= MAX_COLUMNS_SHOWN) {
                    break;
                }
                ColumnInfo col = t.columns().get(c);
                matching.add(col.name() + " " + col.type());
            }
            if (!matching.isEmpty()) {
                sb.append("   matching columns: ")
                        .append(String.join(", ", matching))
                        .append('\n');
            }
        }
        sb.append("Use describe_table for all columns of a table.");
        return sb.toString();
    }

    private static String cut(String s, int max) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= max ? one : one.substring(0, max - 3).stripTrailing() + "...";
    }

    @Override
    public String toString() {
        return "SchemaSearchTool[" + NAME + "]";
    }
}
