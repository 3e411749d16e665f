package dev.pgagent.db.postgres.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Summarizes an {@code EXPLAIN (FORMAT JSON)} plan for a model: the node tree indented, with estimated cost and rows
 * and the main conditions of each node, the total cost, and a warning for each sequential scan on a large table.
 * Stateless and thread-safe.
 */
public final class PlanSummary {
    /** Sequential scans over more rows than this (estimated) are flagged. */
    public static final long LARGE_TABLE_ROWS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] DETAILS = {
        "Index Cond", "Recheck Cond", "Hash Cond", "Merge Cond", "Join Filter", "Filter", "Sort Key", "Group Key"
    };

    private PlanSummary() {}

    /**
     * Returns the summary of {@code planJson}.
     *
     * @param tableRows returns the planner's row estimate of a relation given as {@code schema.name} or
     *     {@code name}, or -1 when unknown
     * @throws IllegalArgumentException if the text is not an EXPLAIN JSON plan
     */
    public static String summarize(String planJson, ToLongFunction<String> tableRows, int maxChars) {
        JsonNode root;
        try {
            root = JSON.readTree(planJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the plan must be EXPLAIN (FORMAT JSON) output", e);
        }
        JsonNode plan = root.isArray() && root.size() > 0 ? root.get(0).path("Plan") : root.path("Plan");
        if (plan.isMissingNode()) {
            throw new IllegalArgumentException("the plan must be EXPLAIN (FORMAT JSON) output");
        }
        StringBuilder tree = new StringBuilder();
        List<String> warnings = new ArrayList<>();
        node(plan, 0, tree, warnings, tableRows);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "Estimated plan (not executed): total cost %.2f, %d rows%n",
                plan.path("Total Cost").asDouble(),
                plan.path("Plan Rows").asLong()));
        String body = tree.toString();
        int room = maxChars
                - sb.length()
                - 300
                - warnings.stream().mapToInt(w -> w.length() + 3).sum();
        if (body.length() > Math.max(200, room)) {
            body = body.substring(0, Math.max(200, room)) + "\n[plan cut to fit]\n";
        }
        sb.append(body);
        if (warnings.isEmpty()) {
            sb.append("No sequential scans on large tables.");
        } else {
            sb.append("Warnings:\n");
            for (String w : warnings) {
                sb.append("- ").append(w).append('\n');
            }
        }
        return sb.toString().stripTrailing();
    }

    private static void node(
            JsonNode n, int depth, StringBuilder sb, List<String> warnings, ToLongFunction<String> tableRows) {
        String type = n.path("Node Type").asText("?");
        sb.append("  ".repeat(depth)).append("-> ").append(type);
        if (n.has("Join Type") && type.contains("Join") || n.has("Join Type") && type.equals("Nested Loop")) {
            sb.append(" (").append(n.path("Join Type").asText()).append(')');
        }
        String relation = n.path("Relation Name").asText(null);
        String schema = n.path("Schema").asText(null);
        if (n.has("Index Name")) {
            sb.append(" using ").append(n.path("Index Name").asText());
        }
        if (relation != null) {
            sb.append(" on ").append(schema == null ? relation : schema + "." + relation);
            String alias = n.path("Alias").asText(relation);
            if (!alias.equals(relation)) {
                sb.append(' ').append(alias);
            }
        } else if (n.has("CTE Name")) {
            sb.append(" on CTE ").append(n.path("CTE Name").asText());
        } else if (n.has("Function Name")) {
            sb.append(" on ").append(n.path("Function Name").asText()).append("()");
        }
        long rows = n.path("Plan Rows").asLong();
        sb.append(String.format(
                Locale.ROOT,
                " (cost=%.2f..%.2f rows=%d)",
                n.path("Startup Cost").asDouble(),
                n.path("Total Cost").asDouble(),
                rows));
        for (String key : DETAILS) {
            JsonNode v = n.get(key);
            if (v != null) {
                String text = v.isArray() ? join(v) : v.asText();
                sb.append(' ').append(key).append(": ").append(SchemaText.cut(text, 160));
            }
        }
        sb.append('\n');
        if ("Seq Scan".equals(type) && relation != null) {
            long tableEstimate = tableRows.applyAsLong(schema == null ? relation : schema + "." + relation);
            long size = Math.max(rows, tableEstimate);
            if (size > LARGE_TABLE_ROWS) {
                String where = n.has("Filter")
                        ? " filtered by " + SchemaText.cut(n.path("Filter").asText(), 160)
                                + "; an index on the filtered columns may help"
                        : "";
                warnings.add(String.format(
                        Locale.ROOT,
                        "Sequential scan on large table %s (~%d rows estimated)%s.",
                        schema == null ? relation : schema + "." + relation,
                        size,
                        where));
            }
        }
        for (JsonNode child : n.path("Plans")) {
            node(child, depth + 1, sb, warnings, tableRows);
        }
    }

    private static String join(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(e -> parts.add(e.asText()));
        return String.join(", ", parts);
    }
}
