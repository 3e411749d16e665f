package dev.pgagent.db.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.api.Experimental;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.IndexInfo;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads an {@code EXPLAIN (FORMAT JSON)} plan, or {@code EXPLAIN (ANALYZE, FORMAT JSON)} output, into a tree of
 * {@link Node}s and reports the {@link Finding}s a DBA would point at: sequential scans of large tables under a
 * selective filter, functions or casts on indexed columns, joins on foreign keys without an index, nested loops over
 * large outer sides, parallel query not used, and, from ANALYZE output only, row estimates off by
 * {@value #MISESTIMATE_FACTOR}x or more and sorts or hashes that spilled to disk. With a {@link SchemaModel} the
 * analysis also knows table sizes, indexes and foreign keys; without one it reports what the plan alone shows.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * PlanAnalysis a = PlanAnalysis.of(planJson, db.schema());
 * a.findings().forEach(f -> System.out.println(f.message() + " Fix: " + f.fix()));
 * }</pre>
 */
@Experimental
public final class PlanAnalysis {
    /** Tables with more rows than this (estimated or counted) are large. */
    public static final long LARGE_TABLE_ROWS = 10_000;

    /** Estimated and actual row counts this many times apart are reported. */
    public static final int MISESTIMATE_FACTOR = 10;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] DETAILS = {
        "Index Cond", "Recheck Cond", "Hash Cond", "Merge Cond", "Join Filter", "Filter", "Sort Key", "Group Key"
    };
    private static final Set<String> JOINS = Set.of("Nested Loop", "Hash Join", "Merge Join");
    /** A function applied to a bare column, e.g. {@code lower(email)} or {@code lower((email)::text)}. */
    private static final Pattern FUNCTION_ON_COLUMN =
            Pattern.compile("([a-z_][a-z0-9_]*)\\(\\(*(?:[a-z_][a-z0-9_]*\\.)?([a-z_][a-z0-9_]*)\\)*[,)]");
    /** A cast of a bare column, e.g. {@code (created)::text}. */
    private static final Pattern CAST_OF_COLUMN =
            Pattern.compile("\\((?:[a-z_][a-z0-9_]*\\.)?([a-z_][a-z0-9_]*)\\)::([a-z ]+)");
    /** Functions a plan prints that do not hide a column from an index. */
    private static final Set<String> HARMLESS = Set.of("any", "all", "array");

    /** What kind of problem a finding describes. */
    public enum Kind {
        /** A sequential scan of a large table that keeps few of its rows. */
        SEQ_SCAN_SELECTIVE,
        /** A function or cast on an indexed column keeps the index from being used. */
        FUNCTION_ON_INDEXED_COLUMN,
        /** A join on a foreign key whose referencing columns have no index. */
        UNINDEXED_FOREIGN_KEY,
        /** A nested loop that runs its inner side once for each of many outer rows. */
        NESTED_LOOP_LARGE_OUTER,
        /** Estimated and actual rows differ by {@value PlanAnalysis#MISESTIMATE_FACTOR}x or more (ANALYZE). */
        ROW_MISESTIMATE,
        /** A sort that spilled to disk (ANALYZE). */
        SORT_SPILL,
        /** A hash or hash aggregate that spilled to disk in batches (ANALYZE). */
        HASH_SPILL,
        /** A large scan that runs without parallel workers, or workers that were planned but not launched. */
        NO_PARALLELISM,
        /** A LIMIT over a sort of many rows: an index in the sort order would return the first rows directly. */
        TOP_N_SORT
    }

    /**
     * One step of the plan.
     *
     * @param id the step's number, 1 for the root, in depth-first order
     * @param type the node type, e.g. {@code Seq Scan}
     * @param relation the scanned relation ({@code schema.name} when the plan names the schema), or null
     * @param alias the relation's alias in the statement, or null
     * @param index the index used, or null
     * @param totalCost the estimated total cost
     * @param planRows the estimated rows per loop
     * @param actualRows the rows per loop counted by ANALYZE, or -1 without ANALYZE
     * @param loops the loops counted by ANALYZE, or -1 without ANALYZE
     * @param actualMs the time of one loop in milliseconds counted by ANALYZE, or -1 without ANALYZE
     * @param details the conditions and keys of the step (Filter, Index Cond, Hash Cond, Sort Key...), in plan order
     * @param children the steps below, in plan order
     */
    public record Node(
            int id,
            String type,
            @Nullable String relation,
            @Nullable String alias,
            @Nullable String index,
            double totalCost,
            long planRows,
            long actualRows,
            long loops,
            double actualMs,
            Map<String, String> details,
            List<Node> children) {
        /** Validates and copies the components. */
        public Node {
            Objects.requireNonNull(type, "type == null");
            details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
            children = List.copyOf(children);
        }

        /** Returns a short label, e.g. {@code #2 Seq Scan on orders o}. */
        public String label() {
            StringBuilder sb = new StringBuilder("#").append(id).append(' ').append(type);
            if (index != null) {
                sb.append(" using ").append(index);
            }
            if (relation != null) {
                sb.append(" on ").append(relation);
                if (alias != null && !alias.equals(relation) && !relation.endsWith("." + alias)) {
                    sb.append(' ').append(alias);
                }
            }
            return sb.toString();
        }
    }

    /**
     * One problem in the plan.
     *
     * @param kind what kind of problem it is
     * @param node the label of the step it concerns, e.g. {@code #2 Seq Scan on orders o}
     * @param message what is wrong, with the numbers
     * @param fix what would fix it
     */
    public record Finding(Kind kind, String node, String message, String fix) {
        /** Validates the components. */
        public Finding {
            Objects.requireNonNull(kind, "kind == null");
            Objects.requireNonNull(node, "node == null");
            Objects.requireNonNull(message, "message == null");
            Objects.requireNonNull(fix, "fix == null");
        }
    }

    /** The sizes above which the analysis reports; package-private so tests can use small tables. */
    record Thresholds(long largeTableRows, long nestedLoopOuterRows, long parallelRows) {
        static final Thresholds DEFAULT = new Thresholds(LARGE_TABLE_ROWS, LARGE_TABLE_ROWS, 100_000);
    }

    private final Node root;
    private final boolean analyzed;
    private final double planningMs;
    private final double executionMs;
    private final List<Finding> findings;

    private PlanAnalysis(Node root, boolean analyzed, double planningMs, double executionMs, List<Finding> findings) {
        this.root = root;
        this.analyzed = analyzed;
        this.planningMs = planningMs;
        this.executionMs = executionMs;
        this.findings = List.copyOf(findings);
    }

    /**
     * Analyzes {@code planJson}.
     *
     * @param schema the database's schema, for table sizes, indexes and foreign keys, or null when unknown
     * @throws IllegalArgumentException if the text is not EXPLAIN JSON output
     */
    public static PlanAnalysis of(String planJson, @Nullable SchemaModel schema) {
        return of(planJson, schema, Thresholds.DEFAULT);
    }

    static PlanAnalysis of(String planJson, @Nullable SchemaModel schema, Thresholds limits) {
        Objects.requireNonNull(planJson, "planJson == null");
        JsonNode top;
        try {
            top = JSON.readTree(planJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the plan must be EXPLAIN (FORMAT JSON) output", e);
        }
        JsonNode first = top != null && top.isArray() && top.size() > 0 ? top.get(0) : top;
        JsonNode plan = first == null ? null : first.get("Plan");
        if (plan == null || !plan.isObject()) {
            throw new IllegalArgumentException("the plan must be EXPLAIN (FORMAT JSON) output");
        }
        boolean analyzed = plan.has("Actual Rows");
        int[] ids = {0};
        Map<Node, JsonNode> raw = new LinkedHashMap<>();
        Node root = node(plan, ids, raw);
        List<Finding> findings = new Checks(schema, limits, raw, analyzed).run(root);
        return new PlanAnalysis(
                root,
                analyzed,
                first.path("Planning Time").asDouble(-1),
                first.path("Execution Time").asDouble(-1),
                findings);
    }

    private static Node node(JsonNode n, int[] ids, Map<Node, JsonNode> raw) {
        int id = ++ids[0];
        Map<String, String> details = new LinkedHashMap<>();
        for (String key : DETAILS) {
            JsonNode v = n.get(key);
            if (v != null) {
                details.put(key, v.isArray() ? join(v) : v.asText());
            }
        }
        List<Node> children = new ArrayList<>();
        for (JsonNode child : n.path("Plans")) {
            children.add(node(child, ids, raw));
        }
        String relation = text(n, "Relation Name");
        String schema = text(n, "Schema");
        if (relation == null && n.has("CTE Name")) {
            relation = "CTE " + n.path("CTE Name").asText();
        } else if (relation == null && n.has("Function Name")) {
            relation = n.path("Function Name").asText() + "()";
        }
        Node node = new Node(
                id,
                n.path("Node Type").asText("?"),
                relation != null && schema != null ? schema + "." + relation : relation,
                text(n, "Alias"),
                text(n, "Index Name"),
                n.path("Total Cost").asDouble(),
                n.path("Plan Rows").asLong(),
                n.path("Actual Rows").asLong(-1),
                n.path("Actual Loops").asLong(-1),
                n.path("Actual Total Time").asDouble(-1),
                details,
                children);
        raw.put(node, n);
        return node;
    }

    private static @Nullable String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String join(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(e -> parts.add(e.asText()));
        return String.join(", ", parts);
    }

    /** Returns the root step of the plan. */
    public Node root() {
        return root;
    }

    /** Returns whether the plan came from EXPLAIN ANALYZE (it then holds actual rows and times). */
    public boolean analyzed() {
        return analyzed;
    }

    /** Returns the execution time in milliseconds reported by EXPLAIN ANALYZE, or -1 without ANALYZE. */
    public double executionMs() {
        return executionMs;
    }

    /** Returns the planning time in milliseconds, or -1 when the plan does not say. */
    public double planningMs() {
        return planningMs;
    }

    /** Returns the findings, in plan order; empty when nothing stands out. */
    public List<Finding> findings() {
        return findings;
    }

    /**
     * Returns the analysis as one JSON object: {@code analyzed}, {@code planningMs} and {@code executionMs} (-1 when
     * unknown), {@code plan} (the tree: each node with {@code id}, {@code type}, {@code label}, {@code relation},
     * {@code index}, {@code totalCost}, {@code planRows}, with ANALYZE {@code actualRows}, {@code loops} and
     * {@code actualMs}, {@code details} and {@code children}), and {@code findings} (each with {@code kind},
     * {@code node}, {@code message} and {@code fix}).
     */
    public String toJson() {
        com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
        out.put("analyzed", analyzed);
        out.put("planningMs", planningMs);
        out.put("executionMs", executionMs);
        out.set("plan", json(root));
        com.fasterxml.jackson.databind.node.ArrayNode list = out.putArray("findings");
        for (Finding f : findings) {
            list.addObject()
                    .put("kind", f.kind().name())
                    .put("node", f.node())
                    .put("message", f.message())
                    .put("fix", f.fix());
        }
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the plan as JSON", e);
        }
    }

    private com.fasterxml.jackson.databind.node.ObjectNode json(Node n) {
        com.fasterxml.jackson.databind.node.ObjectNode o = JSON.createObjectNode();
        o.put("id", n.id())
                .put("type", n.type())
                .put("label", n.label())
                .put("relation", n.relation())
                .put("index", n.index())
                .put("totalCost", n.totalCost())
                .put("planRows", n.planRows());
        if (analyzed) {
            o.put("actualRows", n.actualRows()).put("loops", n.loops()).put("actualMs", n.actualMs());
        }
        com.fasterxml.jackson.databind.node.ObjectNode d = o.putObject("details");
        n.details().forEach(d::put);
        com.fasterxml.jackson.databind.node.ArrayNode kids = o.putArray("children");
        n.children().forEach(c -> kids.add(json(c)));
        return o;
    }

    /**
     * Returns the plan as compact text for a model or a terminal: a header with total cost (and times with ANALYZE),
     * one line a step, then the findings with their fixes. At most {@code maxChars} characters; the tree is cut
     * first, and the text says so.
     */
    public String toText(int maxChars) {
        StringBuilder head = new StringBuilder();
        if (analyzed) {
            head.append(String.format(
                    Locale.ROOT,
                    "Executed plan (EXPLAIN ANALYZE, rolled back): total cost %.2f, %d rows, execution %.1f ms%n",
                    root.totalCost(),
                    root.actualRows(),
                    executionMs));
        } else {
            head.append(String.format(
                    Locale.ROOT,
                    "Estimated plan (not executed): total cost %.2f, %d rows%n",
                    root.totalCost(),
                    root.planRows()));
        }
        StringBuilder tree = new StringBuilder();
        lines(root, 0, tree);
        StringBuilder tail = new StringBuilder();
        if (findings.isEmpty()) {
            tail.append("Findings: none.");
        } else {
            tail.append("Findings:\n");
            for (Finding f : findings) {
                tail.append("- [")
                        .append(f.kind())
                        .append("] ")
                        .append(f.node())
                        .append(": ")
                        .append(f.message())
                        .append(" Fix: ")
                        .append(f.fix())
                        .append('\n');
            }
        }
        String t = tail.toString();
        if (t.length() > maxChars / 2) {
            t = t.substring(0, Math.max(0, maxChars / 2 - 30)) + "\n[findings cut to fit]";
        }
        String body = tree.toString();
        int room = maxChars - head.length() - t.length() - 30;
        if (body.length() > room) {
            body = body.substring(0, Math.max(0, room)) + "\n[plan cut to fit]\n";
        }
        return (head + body + t).stripTrailing();
    }

    private void lines(Node n, int depth, StringBuilder sb) {
        sb.append("  ".repeat(depth)).append("-> ").append(n.label());
        if (analyzed && n.loops() >= 0) {
            sb.append(String.format(
                    Locale.ROOT,
                    " (cost=%.2f rows=%d actual rows=%d loops=%d time=%.3f ms)",
                    n.totalCost(),
                    n.planRows(),
                    n.actualRows(),
                    n.loops(),
                    n.actualMs()));
        } else if (analyzed) {
            sb.append(String.format(Locale.ROOT, " (cost=%.2f rows=%d never executed)", n.totalCost(), n.planRows()));
        } else {
            sb.append(String.format(Locale.ROOT, " (cost=%.2f rows=%d)", n.totalCost(), n.planRows()));
        }
        for (Map.Entry<String, String> e : n.details().entrySet()) {
            sb.append(' ').append(e.getKey()).append(": ").append(cut(e.getValue(), 160));
        }
        sb.append('\n');
        for (Node c : n.children()) {
            lines(c, depth + 1, sb);
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** The checks of one analysis. */
    private static final class Checks {
        private final @Nullable SchemaModel schema;
        private final Thresholds limits;
        private final Map<Node, JsonNode> raw;
        private final boolean analyzed;
        private final List<Finding> out = new ArrayList<>();
        private final Map<String, TableInfo> byAlias = new LinkedHashMap<>();
        private boolean parallel;

        Checks(@Nullable SchemaModel schema, Thresholds limits, Map<Node, JsonNode> raw, boolean analyzed) {
            this.schema = schema;
            this.limits = limits;
            this.raw = raw;
            this.analyzed = analyzed;
        }

        List<Finding> run(Node root) {
            for (Node n : raw.keySet()) {
                if (n.type().startsWith("Gather")) {
                    parallel = true;
                }
                table(n).ifPresent(t -> byAlias.put(n.alias() == null ? t.name() : n.alias(), t));
            }
            Set<String> reportedFks = new HashSet<>();
            List<Node> ordered = raw.keySet().stream()
                    .sorted(java.util.Comparator.comparingInt(Node::id))
                    .toList();
            for (Node n : ordered) { // depth-first order, so findings follow the plan
                JsonNode j = raw.get(n);
                scan(n, j);
                if (JOINS.contains(n.type())) {
                    join(n, reportedFks);
                }
                if (analyzed) {
                    misestimate(n);
                    spill(n, j);
                }
                workers(n, j);
                if ("Limit".equals(n.type())) {
                    topN(n);
                }
            }
            return out;
        }

        private Optional<TableInfo> table(Node n) {
            if (schema == null
                    || n.relation() == null
                    || n.relation().endsWith(")")
                    || n.relation().startsWith("CTE ")) {
                return Optional.empty();
            }
            return schema.table(n.relation());
        }

        /** The table's size: the larger of the catalog estimate and what the plan saw. */
        private long size(Node n, JsonNode j, Optional<TableInfo> t) {
            long seen = analyzed && n.actualRows() >= 0
                    ? (n.actualRows() + j.path("Rows Removed by Filter").asLong(0))
                    : n.planRows();
            return Math.max(seen, t.map(TableInfo::rowEstimate).orElse(-1L));
        }

        private void scan(Node n, JsonNode j) {
            if (!"Seq Scan".equals(n.type()) && !"Parallel Seq Scan".equals(n.type())) {
                return;
            }
            Optional<TableInfo> t = table(n);
            long size = size(n, j, t);
            String filter = n.details().get("Filter");
            if (filter != null && t.isPresent() && functionOnIndex(n, t.get(), filter)) {
                return;
            }
            if (filter != null && size > limits.largeTableRows()) {
                long kept = analyzed && n.actualRows() >= 0 ? n.actualRows() : n.planRows();
                long workers = Math.max(1, j.path("Workers Planned").asLong(0) + 1);
                if ("Parallel Seq Scan".equals(n.type())) {
                    kept *= workers; // per worker
                }
                if (kept * 10 <= size) {
                    out.add(new Finding(
                            Kind.SEQ_SCAN_SELECTIVE,
                            n.label(),
                            String.format(
                                    Locale.ROOT,
                                    "reads all ~%d rows of the table to keep %d (%s) with Filter %s.",
                                    size,
                                    kept,
                                    percent(kept, size),
                                    cut(filter, 160)),
                            "an index on the filtered column(s) of " + n.relation()
                                    + " lets PostgreSQL read only the matching rows, e.g. CREATE INDEX ON "
                                    + n.relation() + " (" + String.join(", ", columns(filter)) + ")."));
                }
            }
            if (!parallel && size > limits.parallelRows()) {
                out.add(new Finding(
                        Kind.NO_PARALLELISM,
                        n.label(),
                        String.format(Locale.ROOT, "scans ~%d rows in one process; the plan has no Gather node.", size),
                        "check max_parallel_workers_per_gather (0 turns parallel query off) and "
                                + "min_parallel_table_scan_size; functions marked PARALLEL UNSAFE, cursors and "
                                + "writes also rule it out."));
            }
        }

        private boolean functionOnIndex(Node n, TableInfo t, String filter) {
            String f = filter.toLowerCase(Locale.ROOT);
            Set<String> leading = leadingIndexColumns(t);
            List<String> hits = new ArrayList<>();
            Matcher m = FUNCTION_ON_COLUMN.matcher(f);
            while (m.find()) {
                if (!HARMLESS.contains(m.group(1)) && leading.contains(m.group(2))) {
                    hits.add(m.group(1) + "(" + m.group(2) + ")");
                }
            }
            m = CAST_OF_COLUMN.matcher(f);
            while (m.find()) {
                if (leading.contains(m.group(1))) {
                    hits.add("(" + m.group(1) + ")::" + m.group(2).strip());
                }
            }
            if (hits.isEmpty()) {
                return false;
            }
            out.add(new Finding(
                    Kind.FUNCTION_ON_INDEXED_COLUMN,
                    n.label(),
                    "the Filter " + cut(filter, 160) + " applies " + String.join(", ", hits)
                            + " to an indexed column, so its index cannot be used and all ~"
                            + size(n, raw.get(n), Optional.of(t)) + " rows are read.",
                    "compare the bare column (e.g. move the function to the constant side) or create an "
                            + "expression index, e.g. CREATE INDEX ON " + n.relation() + " ((" + hits.get(0) + "))."));
            return true;
        }

        private void join(Node n, Set<String> reported) {
            StringBuilder joined =
                    new StringBuilder(String.join(" ", n.details().values()));
            if (n.type().equals("Nested Loop")) {
                // the inner side carries the join condition of a parameterized nested loop
                for (Node c : n.children()) {
                    joined.append(' ').append(String.join(" ", c.details().values()));
                }
            }
            String cond = joined.toString();
            for (Map.Entry<String, TableInfo> e : byAlias.entrySet()) {
                for (ForeignKey fk : e.getValue().foreignKeys()) {
                    boolean all = !fk.columns().isEmpty();
                    for (String col : fk.columns()) {
                        all &= cond.contains(e.getKey() + "." + col + " ")
                                || cond.contains(e.getKey() + "." + col + ")");
                    }
                    String key = e.getValue().qualifiedName() + "." + fk.name();
                    if (all && !indexed(e.getValue(), fk.columns()) && reported.add(key)) {
                        out.add(new Finding(
                                Kind.UNINDEXED_FOREIGN_KEY,
                                n.label(),
                                "joins " + e.getValue().qualifiedName() + " on its foreign key " + fk.name() + " ("
                                        + String.join(", ", fk.columns()) + " -> " + fk.referencedQualifiedName()
                                        + "), which has no index, so "
                                        + e.getValue().qualifiedName()
                                        + " can only be read in full (~"
                                        + e.getValue().rowEstimate() + " rows).",
                                "CREATE INDEX ON " + e.getValue().qualifiedName() + " ("
                                        + String.join(", ", fk.columns()) + ")."));
                    }
                }
            }
            if (n.type().equals("Nested Loop") && !n.children().isEmpty()) {
                Node outer = n.children().get(0);
                long rows = analyzed && outer.actualRows() >= 0
                        ? outer.actualRows() * Math.max(1, outer.loops())
                        : outer.planRows();
                if (rows > limits.nestedLoopOuterRows()) {
                    Node inner = n.children().size() > 1 ? n.children().get(1) : outer;
                    out.add(new Finding(
                            Kind.NESTED_LOOP_LARGE_OUTER,
                            n.label(),
                            String.format(
                                    Locale.ROOT,
                                    "runs its inner side (%s) once for each of ~%d outer rows from %s.",
                                    inner.label(),
                                    rows,
                                    outer.label()),
                            "a hash or merge join usually suits this many rows: check the outer row estimate "
                                    + "(ANALYZE the tables) and that enable_hashjoin/enable_mergejoin are on; "
                                    + "if the nested loop stays, make sure the inner side is an index lookup."));
                }
            }
        }

        private void misestimate(Node n) {
            if (n.loops() <= 0) {
                return;
            }
            long est = Math.max(1, n.planRows());
            long act = Math.max(1, n.actualRows());
            if (Math.max(est, act) < 100 || Math.max(est, act) < (long) MISESTIMATE_FACTOR * Math.min(est, act)) {
                return;
            }
            String ratio = act > est ? (act / est) + "x more" : (est / act) + "x fewer";
            String filter = n.details()
                    .getOrDefault(
                            "Filter",
                            n.details().getOrDefault("Index Cond", n.details().getOrDefault("Hash Cond", "")));
            List<String> cols = columns(filter);
            out.add(new Finding(
                    Kind.ROW_MISESTIMATE,
                    n.label(),
                    String.format(
                            Locale.ROOT,
                            "estimated %d rows but got %d (%s than planned)%s.",
                            n.planRows(),
                            n.actualRows(),
                            ratio,
                            filter.isEmpty() ? "" : " for " + cut(filter, 160)),
                    (n.relation() == null ? "ANALYZE the tables below this step" : "ANALYZE " + n.relation())
                            + (cols.size() > 1 && n.relation() != null
                                    ? "; if the columns are correlated, CREATE STATISTICS ON " + String.join(", ", cols)
                                            + " FROM " + n.relation() + " and ANALYZE again"
                                    : "; raise the column statistics target if the values are skewed")
                            + "."));
        }

        private void spill(Node n, JsonNode j) {
            if ("Disk".equals(j.path("Sort Space Type").asText())) {
                long kb = j.path("Sort Space Used").asLong();
                out.add(new Finding(
                        Kind.SORT_SPILL,
                        n.label(),
                        String.format(
                                Locale.ROOT,
                                "sorted %d rows with %s, using %d kB on disk.",
                                n.actualRows(),
                                j.path("Sort Method").asText("?"),
                                kb),
                        String.format(
                                Locale.ROOT,
                                "raise work_mem above ~%d kB for this query (SET LOCAL work_mem), "
                                        + "add an index that returns rows in the Sort Key order, or sort fewer rows.",
                                kb * 2)));
            }
            long batches = j.path("Hash Batches").asLong(0);
            if (batches > 1) {
                out.add(new Finding(
                        Kind.HASH_SPILL,
                        n.label(),
                        String.format(
                                Locale.ROOT,
                                "built its hash table of %d rows in %d batches (%d planned), spilling to disk; peak "
                                        + "memory %d kB.",
                                n.actualRows(),
                                batches,
                                j.path("Original Hash Batches").asLong(),
                                j.path("Peak Memory Usage").asLong()),
                        String.format(
                                Locale.ROOT,
                                "raise work_mem (or hash_mem_multiplier) to about %d kB so the "
                                        + "hash fits in one batch, or hash the smaller side.",
                                Math.max(1, j.path("Peak Memory Usage").asLong()) * batches)));
            }
            long aggBatches = j.path("HashAgg Batches").asLong(0);
            if (aggBatches > 1 || j.path("Disk Usage").asLong(0) > 0) {
                out.add(new Finding(
                        Kind.HASH_SPILL,
                        n.label(),
                        String.format(
                                Locale.ROOT,
                                "aggregated in %d batches using %d kB on disk.",
                                aggBatches,
                                j.path("Disk Usage").asLong()),
                        "raise work_mem (or hash_mem_multiplier) for this query."));
            }
        }

        /**
         * A Limit whose input is a Sort of at least {@value PlanAnalysis#LARGE_TABLE_ROWS} rows that keeps at most 1% of
         * them: every row is read and sorted to return a few, where an index in the sort order (after the columns
         * compared with constants) would return them directly.
         */
        private void topN(Node limit) {
            if (limit.children().isEmpty()) {
                return;
            }
            Node sort = limit.children().get(0);
            if (!"Sort".equals(sort.type())) {
                return;
            }
            long input = analyzed && sort.actualRows() >= 0 ? sort.actualRows() : sort.planRows();
            long kept = analyzed && limit.actualRows() >= 0 ? limit.actualRows() : limit.planRows();
            JsonNode keys = raw.get(sort).path("Sort Key");
            if (input < LARGE_TABLE_ROWS || kept * 100 > input || !keys.isArray() || keys.isEmpty()) {
                return;
            }
            List<String> key = new ArrayList<>();
            keys.forEach(k -> key.add(k.asText()));
            Node scan = sort.children().isEmpty() ? null : sort.children().get(0);
            String on = scan != null && scan.relation() != null ? scan.relation() : "the table";
            String equality = scan == null ? "" : scan.details().getOrDefault("Filter", "");
            out.add(new Finding(
                    Kind.TOP_N_SORT,
                    sort.label(),
                    String.format(
                            Locale.ROOT, "sorts ~%d rows by %s to return %d.", input, String.join(", ", key), kept),
                    "CREATE INDEX ON " + on + " ("
                            + (equality.isEmpty() ? "" : "<columns compared with constants " + "in " + equality + ">, ")
                            + String.join(", ", key) + ") lets PostgreSQL read the "
                            + "first rows in order and stop, instead of reading and sorting all of them."));
        }

        private void workers(Node n, JsonNode j) {
            if (analyzed && j.has("Workers Planned") && j.has("Workers Launched")) {
                long planned = j.path("Workers Planned").asLong();
                long launched = j.path("Workers Launched").asLong();
                if (launched < planned) {
                    out.add(new Finding(
                            Kind.NO_PARALLELISM,
                            n.label(),
                            String.format(
                                    Locale.ROOT, "planned %d parallel workers but launched %d.", planned, launched),
                            "raise max_parallel_workers (and max_worker_processes), or run fewer parallel "
                                    + "queries at once."));
                }
            }
        }

        private static boolean indexed(TableInfo t, List<String> columns) {
            for (IndexInfo i : t.indexes()) {
                List<String> cols = indexColumns(i.definition());
                if (cols.size() >= columns.size()
                        && new HashSet<>(cols.subList(0, columns.size())).equals(new HashSet<>(columns))) {
                    return true;
                }
            }
            return false;
        }

        private static Set<String> leadingIndexColumns(TableInfo t) {
            Set<String> out = new HashSet<>();
            for (IndexInfo i : t.indexes()) {
                List<String> cols = indexColumns(i.definition());
                if (!cols.isEmpty() && !cols.get(0).isEmpty()) {
                    out.add(cols.get(0));
                }
            }
            return out;
        }
    }

    /**
     * Returns the key columns of an index definition as {@code pg_get_indexdef} prints it; an expression key is an
     * empty string.
     */
    static List<String> indexColumns(String definition) {
        int using = definition.indexOf(" USING ");
        int open = definition.indexOf('(', using < 0 ? 0 : using);
        if (open < 0) {
            return List.of();
        }
        List<String> cols = new ArrayList<>();
        int depth = 0;
        StringBuilder part = new StringBuilder();
        for (int i = open + 1; i < definition.length(); i++) {
            char c = definition.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && depth-- == 0) {
                cols.add(keyColumn(part.toString()));
                break;
            } else if (c == ',' && depth == 0) {
                cols.add(keyColumn(part.toString()));
                part.setLength(0);
                continue;
            }
            part.append(c);
        }
        return cols;
    }

    private static String keyColumn(String key) {
        String k = key.strip();
        if (k.startsWith("(")) {
            return "";
        }
        if (k.startsWith("\"")) {
            int end = k.indexOf('"', 1);
            return end < 0 ? "" : k.substring(1, end);
        }
        int space = k.indexOf(' ');
        String name = space < 0 ? k : k.substring(0, space);
        return name.matches("[a-z_][a-z0-9_$]*") ? name : "";
    }

    /** Returns the bare column names a condition mentions, in order, without duplicates. */
    static List<String> columns(String condition) {
        Set<String> out = new java.util.LinkedHashSet<>();
        Matcher m = Pattern.compile("\\(+(?:[a-z_][a-z0-9_]*\\.)?([a-z_][a-z0-9_]*)\\)*\\s*(?:=|<>|<=|>=|<|>|~~|"
                        + "!~~|~~\\*| IS | IN |::)")
                .matcher(condition.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group(1));
        }
        return List.copyOf(out);
    }

    private static String percent(long part, long whole) {
        return String.format(Locale.ROOT, "%.2f%%", whole <= 0 ? 0.0 : 100.0 * part / whole);
    }
}
