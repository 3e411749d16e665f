package dev.pgagent.db.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What one statement's {@code EXPLAIN (VERBOSE, FORMAT JSON)} plan shows about how it uses each table it scans: the
 * columns under equality and range filters with a constant (or a parameter), the join columns, the sort and group
 * keys, and the columns it reads. This is the raw material of {@link IndexAdvisor}'s candidates. The plan is
 * PostgreSQL's own deparse of the statement, so columns come qualified by the scan's alias and every table is named
 * with its schema.
 */
final class PlanUsage {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IDENT = "(?:\"(?:[^\"]|\"\")+\"|[a-z_][a-z0-9_$]*)";
    /** {@code alias.column} or a bare column, possibly in parentheses and cast, then an operator. */
    private static final Pattern COMPARISON = Pattern.compile(
            "^\\(*(?:(" + IDENT + ")\\.)?(" + IDENT + ")\\)*(?:::[a-z][a-z0-9 _\\[\\]]*?)?\\s*"
                    + "(= ANY|=|<=|>=|<|>)\\s*(.*)$",
            Pattern.DOTALL);
    /** A qualified column reference anywhere in an expression. */
    private static final Pattern QUALIFIED = Pattern.compile("(" + IDENT + ")\\.(" + IDENT + ")");

    private static final Pattern KEY = Pattern.compile(
            "^\\(*(?:(" + IDENT + ")\\.)?(" + IDENT + ")\\)*(?:\\s+(DESC|ASC))?(?:\\s+NULLS (?:FIRST|LAST))?$");
    /** A literal PostgreSQL prints: a quoted string with an optional simple cast, or a number. */
    private static final Pattern LITERAL =
            Pattern.compile("^\\(*(?:'((?:[^']|'')*)'(?:::([a-z][a-z0-9 _]*))?|(-?[0-9]+(?:\\.[0-9]+)?))\\)*$");

    /** How a column is compared with a constant. */
    enum Op {
        EQ,
        RANGE
    }

    /** One column compared with a constant or parameter. */
    record Predicate(String column, Op op, @Nullable String literal) {}

    /** How one scan of a table is used. */
    static final class TableUse {
        final String schema;
        final String table;
        final String alias;
        final List<Predicate> predicates = new ArrayList<>();
        final Set<String> joinColumns = new LinkedHashSet<>();
        final List<String> sortColumns = new ArrayList<>();
        final Set<String> groupColumns = new LinkedHashSet<>();
        final Set<String> outputColumns = new LinkedHashSet<>();

        TableUse(String schema, String table, String alias) {
            this.schema = schema;
            this.table = table;
            this.alias = alias;
        }

        /** Returns {@code schema.table}, as the plan names them (unquoted). */
        String qualifiedName() {
            return schema + "." + table;
        }

        List<String> columns(Op op) {
            List<String> out = new ArrayList<>();
            for (Predicate p : predicates) {
                if (p.op() == op && !out.contains(p.column())) {
                    out.add(p.column());
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return qualifiedName() + " " + alias + " preds=" + predicates + " join=" + joinColumns + " sort="
                    + sortColumns + " group=" + groupColumns + " out=" + outputColumns;
        }
    }

    private final Map<String, TableUse> byAlias = new LinkedHashMap<>();
    private final double totalCost;

    private PlanUsage(double totalCost) {
        this.totalCost = totalCost;
    }

    /** Returns the plan's estimated total cost, the root's {@code Total Cost}. */
    double totalCost() {
        return totalCost;
    }

    /** Returns the tables the plan scans, one entry per alias, in plan order. */
    List<TableUse> tables() {
        return List.copyOf(byAlias.values());
    }

    /** Returns the root's estimated total cost of an {@code EXPLAIN (FORMAT JSON)} document. */
    static double cost(String planJson) {
        return root(planJson).path("Total Cost").asDouble();
    }

    private static JsonNode root(String planJson) {
        Objects.requireNonNull(planJson, "planJson == null");
        JsonNode doc;
        try {
            doc = JSON.readTree(planJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("plan must be EXPLAIN (FORMAT JSON) output but was not JSON", e);
        }
        JsonNode top = doc != null && doc.isArray() ? doc.path(0) : doc;
        JsonNode plan = top == null ? null : top.get("Plan");
        if (plan == null || !plan.isObject()) {
            throw new IllegalArgumentException("plan must be EXPLAIN (FORMAT JSON) output but had no Plan");
        }
        return plan;
    }

    /** Reads an {@code EXPLAIN (VERBOSE, FORMAT JSON)} document. */
    static PlanUsage of(String planJson) {
        JsonNode plan = root(planJson);
        PlanUsage u = new PlanUsage(plan.path("Total Cost").asDouble());
        u.collectScans(plan);
        u.collectUses(plan, null);
        return u;
    }

    private void collectScans(JsonNode n) {
        String relation = text(n, "Relation Name");
        if (relation != null) {
            String alias = Objects.requireNonNullElse(text(n, "Alias"), relation);
            String schema = Objects.requireNonNullElse(text(n, "Schema"), "public");
            byAlias.putIfAbsent(alias, new TableUse(schema, relation, alias));
        }
        for (JsonNode c : n.path("Plans")) {
            collectScans(c);
        }
    }

    private void collectUses(JsonNode n, @Nullable TableUse scanned) {
        String relation = text(n, "Relation Name");
        TableUse own = scanned;
        if (relation != null) {
            own = byAlias.get(Objects.requireNonNullElse(text(n, "Alias"), relation));
            if (own != null) {
                for (JsonNode o : n.path("Output")) {
                    ColumnRef ref = ref(o.asText(), own.alias);
                    if (ref != null && ref.alias.equals(own.alias)) {
                        own.outputColumns.add(ref.column);
                    }
                }
            }
        }
        for (String key :
                new String[] {"Filter", "Index Cond", "Recheck Cond", "Join Filter", "Hash Cond", "Merge Cond"}) {
            String cond = text(n, key);
            if (cond != null) {
                for (String conjunct : conjuncts(cond)) {
                    conjunct(conjunct, relation == null ? null : own);
                }
            }
        }
        String type = Objects.requireNonNullElse(text(n, "Node Type"), "");
        if (type.endsWith("Sort")) {
            keys(n.path("Sort Key"), true);
        }
        if (n.has("Group Key")) {
            keys(n.path("Group Key"), false);
        }
        for (JsonNode c : n.path("Plans")) {
            collectUses(c, null);
        }
    }

    /** Records sort or group keys when they all belong to one table. */
    private void keys(JsonNode keys, boolean sort) {
        TableUse target = null;
        List<String> cols = new ArrayList<>();
        Set<Boolean> directions = new LinkedHashSet<>();
        for (JsonNode k : keys) {
            Matcher m = KEY.matcher(k.asText().strip());
            if (!m.matches() || m.group(1) == null) {
                return;
            }
            TableUse t = byAlias.get(unquote(m.group(1)));
            if (t == null || (target != null && t != target)) {
                return;
            }
            target = t;
            cols.add(unquote(m.group(2)));
            directions.add("DESC".equals(m.group(3)));
        }
        if (target == null || cols.isEmpty() || directions.size() > 1) {
            return;
        }
        if (sort) {
            if (target.sortColumns.isEmpty()) {
                // one direction for every key (checked above): a B-tree in either order serves it, read forwards or
                // backwards, so the direction itself need not be kept
                target.sortColumns.addAll(cols);
            }
        } else {
            target.groupColumns.addAll(cols);
        }
    }

    private void conjunct(String conjunct, @Nullable TableUse scan) {
        if (withoutStrings(conjunct).contains(" OR ")) {
            return;
        }
        Matcher m = COMPARISON.matcher(conjunct);
        if (!m.matches()) {
            return;
        }
        String alias = m.group(1) == null ? (scan == null ? null : scan.alias) : unquote(m.group(1));
        TableUse left = alias == null ? null : byAlias.get(alias);
        if (left == null) {
            return;
        }
        String column = unquote(m.group(2));
        String op = m.group(3);
        String rest = m.group(4).strip();
        List<ColumnRef> others = new ArrayList<>();
        Matcher q = QUALIFIED.matcher(withoutStrings(rest));
        while (q.find()) {
            TableUse t = byAlias.get(unquote(q.group(1)));
            if (t != null) {
                others.add(new ColumnRef(t.alias, unquote(q.group(2))));
            }
        }
        if (others.isEmpty()) {
            Op kind = op.equals("=") || op.equals("= ANY") ? Op.EQ : Op.RANGE;
            String literal = op.equals("=") ? literal(rest) : null;
            left.predicates.add(new Predicate(column, kind, literal));
        } else if (op.equals("=") && others.size() == 1) {
            ColumnRef other = others.get(0);
            if (!other.alias.equals(left.alias)) {
                left.joinColumns.add(column);
                TableUse right = byAlias.get(other.alias);
                if (right != null) {
                    right.joinColumns.add(other.column);
                }
            }
        }
    }

    /** Returns a literal PostgreSQL printed as it would be written again, rebuilt from its parts, or null. */
    static @Nullable String literal(String text) {
        Matcher m = LITERAL.matcher(text.strip());
        if (!m.matches()) {
            return null;
        }
        if (m.group(3) != null) {
            return m.group(3);
        }
        String value = m.group(1).replace("''", "'");
        String cast = m.group(2);
        return IndexCandidate.quoteLiteral(value) + (cast == null ? "" : "::" + cast.strip());
    }

    private record ColumnRef(String alias, String column) {}

    private static @Nullable ColumnRef ref(String expression, String ownAlias) {
        Matcher m = KEY.matcher(expression.strip());
        if (!m.matches() || m.group(3) != null) {
            return null;
        }
        return new ColumnRef(m.group(1) == null ? ownAlias : unquote(m.group(1)), unquote(m.group(2)));
    }

    /** Splits a condition into its top-level AND parts, each without its outer parentheses. */
    static List<String> conjuncts(String condition) {
        String c = stripParens(condition.strip());
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (ch == '\'') {
                quoted = !quoted;
            } else if (!quoted && ch == '(') {
                depth++;
            } else if (!quoted && ch == ')') {
                depth--;
            } else if (!quoted && depth == 0 && c.startsWith(" AND ", i)) {
                out.add(stripParens(c.substring(start, i).strip()));
                start = i + 5;
                i += 4;
            }
        }
        out.add(stripParens(c.substring(start).strip()));
        return out;
    }

    /** Removes parentheses that enclose the whole text. */
    static String stripParens(String s) {
        String t = s;
        while (t.length() >= 2 && t.charAt(0) == '(' && closing(t) == t.length() - 1) {
            t = t.substring(1, t.length() - 1).strip();
        }
        return t;
    }

    private static int closing(String s) {
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\'') {
                quoted = !quoted;
            } else if (!quoted && ch == '(') {
                depth++;
            } else if (!quoted && ch == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String withoutStrings(String s) {
        return s.replaceAll("'(?:[^']|'')*'", "''");
    }

    static String unquote(String ident) {
        return ident.startsWith("\"") ? ident.substring(1, ident.length() - 1).replace("\"\"", "\"") : ident;
    }

    private static @Nullable String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
