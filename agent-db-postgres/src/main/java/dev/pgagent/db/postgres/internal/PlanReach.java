package dev.pgagent.db.postgres.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGStatement;

/**
 * Finds the data a statement reaches, from PostgreSQL's own plan ({@code EXPLAIN (VERBOSE, FORMAT JSON)}, which plans
 * but does not run): the relations scanned or modified once views are expanded and inheritance children and
 * partitions are added, and the columns each scan reads (its output, filters, index and join conditions). A
 * materialized view counts as reaching what its definition reads. Stateless and thread-safe.
 */
public final class PlanReach {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Statements EXPLAIN accepts among those a model may send. */
    private static final Set<String> EXPLAINABLE =
            Set.of("SELECT", "WITH", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE");
    /** Plan fields that are names or settings, never expressions over columns. */
    private static final Set<String> NOT_EXPRESSIONS = Set.of(
            "Node Type",
            "Parent Relationship",
            "Relation Name",
            "Schema",
            "Alias",
            "Index Name",
            "CTE Name",
            "Function Name",
            "Subplan Name",
            "Strategy",
            "Partial Mode",
            "Join Type",
            "Scan Direction",
            "Operation",
            "Command",
            "Sort Method",
            "Sort Space Type",
            "Table Function Name",
            "Conflict Resolution",
            "Conflict Arbiter Indexes",
            "Setop Strategy");
    /** How deep materialized views defined over materialized views are followed. */
    private static final int MAX_DEPTH = 4;

    private static final String SOURCES_SQL = """
            SELECT u.s, u.n, c.oid, c.relkind::text, pn.nspname, p.relname
            FROM unnest(?::text[], ?::text[]) AS u(s, n)
            JOIN pg_catalog.pg_namespace ns ON ns.nspname = u.s
            JOIN pg_catalog.pg_class c ON c.relnamespace = ns.oid AND c.relname = u.n
            LEFT JOIN LATERAL (
              WITH RECURSIVE up(oid) AS (
                SELECT i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid
                UNION
                SELECT i.inhparent FROM up JOIN pg_catalog.pg_inherits i ON i.inhrelid = up.oid)
              SELECT oid FROM up) a ON true
            LEFT JOIN pg_catalog.pg_class p ON p.oid = a.oid
            LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace""";

    private PlanReach() {}

    /** A relation the plan scans or modifies, under the alias the plan's expressions use for it. */
    private record Scan(String schema, String name, String alias) {
        String display() {
            return schema + "." + name;
        }
    }

    /** What the catalog says of a scanned relation: its kind and the names it is also known by (its ancestors). */
    private record Source(long oid, char kind, List<String[]> ancestors) {}

    /** Returns whether {@code firstKeyword} starts a statement this check can plan. */
    public static boolean explainable(String firstKeyword) {
        return EXPLAINABLE.contains(firstKeyword);
    }

    /**
     * Returns why the statement reaches denied data, or null when it does not. Runs in the caller's transaction.
     *
     * @param jdbcSql the statement, already prepared for pgjdbc (its {@code ?} doubled)
     * @param deniedTables lower-cased {@code table} or {@code schema.table}
     * @param deniedColumns lower-cased {@code table.column} or {@code schema.table.column}
     * @throws SQLException if PostgreSQL cannot plan the statement (the same error running it would give)
     */
    public static @Nullable String violation(
            Connection c, String jdbcSql, Set<String> deniedTables, Set<String> deniedColumns) throws SQLException {
        return violation(c, jdbcSql, deniedTables, deniedColumns, 0);
    }

    private static @Nullable String violation(
            Connection c, String jdbcSql, Set<String> deniedTables, Set<String> deniedColumns, int depth)
            throws SQLException {
        JsonNode plan = explain(c, jdbcSql);
        List<Scan> scans = new ArrayList<>();
        List<String> expressions = new ArrayList<>();
        collect(plan, null, scans, expressions);
        if (scans.isEmpty()) {
            return null;
        }
        Map<String, Source> sources = sources(c, scans);
        Set<String> relations = new LinkedHashSet<>();
        scans.forEach(s -> relations.add(s.display()));
        for (Scan scan : scans) {
            Source source = sources.get(scan.display());
            List<String[]> names = new ArrayList<>();
            names.add(new String[] {scan.schema(), scan.name()});
            if (source != null) {
                names.addAll(source.ancestors());
            }
            String via = names.size() < 2
                    ? ""
                    : " (an inheritance child or partition of " + join(names.subList(1, names.size())) + ")";
            for (String[] n : names) {
                if (matchesTable(deniedTables, n[0], n[1])) {
                    return "the statement reads denied table " + n[0] + "." + n[1] + ": PostgreSQL's plan scans "
                            + scan.display() + via;
                }
            }
            Set<String> columns = deniedColumnsOf(deniedColumns, names);
            if (!columns.isEmpty()) {
                String hit = reference(expressions, scan.alias(), columns, relations.size() == 1);
                if (hit != null) {
                    return "the statement reads denied column " + scan.display() + "." + hit
                            + ": PostgreSQL's plan of it reads that column" + via;
                }
            }
            if (source != null && source.kind() == 'm' && depth < MAX_DEPTH) {
                String inner;
                try {
                    inner = violation(c, definition(c, source.oid()), deniedTables, deniedColumns, depth + 1);
                } catch (SQLException e) {
                    // for example a role that may read the view but not its tables: fail closed, and say why
                    return "the statement reads materialized view " + scan.display() + ", whose definition could"
                            + " not be checked for denied data: " + firstLine(e.getMessage());
                }
                if (inner != null) {
                    return "the statement reads materialized view " + scan.display() + ", whose definition: " + inner;
                }
            } else if (source != null && source.kind() == 'm') {
                return "the statement reads materialized view " + scan.display() + ", defined over more than "
                        + MAX_DEPTH + " levels of materialized views";
            }
        }
        return null;
    }

    private static JsonNode explain(Connection c, String jdbcSql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (VERBOSE, FORMAT JSON) " + jdbcSql)) {
            if (ps.isWrapperFor(PGStatement.class)) {
                ps.unwrap(PGStatement.class).setPrepareThreshold(0);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("EXPLAIN returned no plan");
                }
                JsonNode root = JSON.readTree(rs.getString(1));
                JsonNode plan = root.path(0).path("Plan");
                if (plan.isMissingNode()) {
                    throw new SQLException("EXPLAIN returned no plan");
                }
                return plan;
            } catch (JsonProcessingException e) {
                throw new SQLException("EXPLAIN returned no JSON plan", e);
            }
        }
    }

    private static String definition(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_get_viewdef(?::oid)")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    throw new SQLException("no definition for materialized view " + oid);
                }
                String def = rs.getString(1).strip();
                if (def.endsWith(";")) {
                    def = def.substring(0, def.length() - 1);
                }
                return SqlText.scan(def).jdbcText();
            }
        }
    }

    /**
     * Walks the plan tree: relation nodes go to {@code scans}, every expression text to {@code expressions}. A scan
     * under a node that prints its own output as its outer or inner input may return the whole row for speed (a
     * "physical target list"); then its output is not what is read, and the parent's expressions, which name the
     * columns they use through the scan's alias, stand for it.
     */
    private static void collect(JsonNode node, @Nullable JsonNode parent, List<Scan> scans, List<String> expressions) {
        JsonNode relation = node.get("Relation Name");
        boolean scan = relation != null && relation.isTextual();
        if (scan) {
            String schema = node.path("Schema").asText("");
            String alias = node.path("Alias").asText(relation.asText());
            scans.add(new Scan(schema, relation.asText(), alias));
        }
        String relationship = node.path("Parent Relationship").asText("");
        boolean outputStandsAbove = scan
                && parent != null
                && parent.path("Output").size() > 0
                && (relationship.equals("Outer") || relationship.equals("Inner"));
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            JsonNode value = field.getValue();
            String key = field.getKey();
            if (key.equals("Plans")) {
                for (JsonNode child : value) {
                    collect(child, node, scans, expressions);
                }
            } else if (!NOT_EXPRESSIONS.contains(key) && !(outputStandsAbove && key.equals("Output"))) {
                texts(value, expressions);
            }
        }
    }

    private static void texts(JsonNode value, List<String> out) {
        if (value.isTextual()) {
            out.add(value.asText());
        } else if (value.isArray() || value.isObject()) {
            for (JsonNode v : value) {
                texts(v, out);
            }
        }
    }

    /** Looks the scanned relations up in one query: their oid, kind and inheritance ancestors. */
    private static Map<String, Source> sources(Connection c, List<Scan> scans) throws SQLException {
        Map<String, Scan> distinct = new LinkedHashMap<>();
        scans.forEach(s -> distinct.putIfAbsent(s.display(), s));
        String[] schemas = distinct.values().stream().map(Scan::schema).toArray(String[]::new);
        String[] names = distinct.values().stream().map(Scan::name).toArray(String[]::new);
        Map<String, Source> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(SOURCES_SQL)) {
            Array a1 = c.createArrayOf("text", schemas);
            Array a2 = c.createArrayOf("text", names);
            ps.setArray(1, a1);
            ps.setArray(2, a2);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1) + "." + rs.getString(2);
                    Source s = out.get(key);
                    if (s == null) {
                        s = new Source(rs.getLong(3), rs.getString(4).charAt(0), new ArrayList<>());
                        out.put(key, s);
                    }
                    if (rs.getString(6) != null) {
                        s.ancestors().add(new String[] {rs.getString(5), rs.getString(6)});
                    }
                }
            }
        }
        return out;
    }

    private static String firstLine(@Nullable String message) {
        return message == null
                ? "(no message)"
                : message.lines().findFirst().orElse("").strip();
    }

    private static String join(List<String[]> names) {
        return String.join(", ", names.stream().map(n -> n[0] + "." + n[1]).toList());
    }

    /** A rule {@code table} matches in any schema, {@code schema.table} only there. */
    private static boolean matchesTable(Set<String> rules, String schema, String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return rules.contains(n) || rules.contains(schema.toLowerCase(Locale.ROOT) + "." + n);
    }

    /** The denied columns (lower-cased names) of a relation known by any of {@code names}. */
    private static Set<String> deniedColumnsOf(Set<String> rules, List<String[]> names) {
        Set<String> out = new LinkedHashSet<>();
        for (String rule : rules) {
            String[] p = rule.split("\\.", -1);
            for (String[] n : names) {
                String schema = n[0].toLowerCase(Locale.ROOT);
                String table = n[1].toLowerCase(Locale.ROOT);
                boolean match = p.length == 2 ? p[0].equals(table) : p[0].equals(schema) && p[1].equals(table);
                if (match) {
                    out.add(p[p.length - 1]);
                }
            }
        }
        return out;
    }

    /**
     * Returns the first denied column (or {@code *}) that an expression reads through {@code alias}, or null. In a
     * plan over one relation PostgreSQL prints columns without the alias, so then bare names count too.
     */
    static @Nullable String reference(List<String> expressions, String alias, Set<String> columns, boolean bare) {
        String a = alias.toLowerCase(Locale.ROOT);
        for (String e : expressions) {
            List<Token> tokens = tokens(e);
            for (int i = 0; i < tokens.size(); i++) {
                Token t = tokens.get(i);
                if (t.kind() != Kind.IDENT) {
                    continue;
                }
                Token next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
                Token prev = i > 0 ? tokens.get(i - 1) : null;
                if (next != null && next.kind() == Kind.DOT && t.text().equals(a) && i + 2 < tokens.size()) {
                    Token col = tokens.get(i + 2);
                    if (col.kind() == Kind.STAR) {
                        return "*";
                    }
                    if (col.kind() == Kind.IDENT && columns.contains(col.text())) {
                        return col.text();
                    }
                }
                boolean typeName = prev != null && prev.text().equals(":"); // 'x'::name is a cast, not a column
                boolean qualified = typeName
                        || (prev != null && prev.kind() == Kind.DOT)
                        || (next != null && (next.kind() == Kind.DOT || next.kind() == Kind.OPEN));
                if (bare && !qualified && columns.contains(t.text())) {
                    return t.text();
                }
            }
        }
        return null;
    }

    private enum Kind {
        IDENT,
        DOT,
        STAR,
        OPEN,
        OTHER
    }

    private record Token(Kind kind, String text) {}

    /** Splits an expression as PostgreSQL prints it; string literals are skipped, identifiers lower-cased. */
    private static List<Token> tokens(String s) {
        List<Token> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            char ch = s.charAt(i);
            if (ch == '\'') {
                i++;
                while (i < n) {
                    if (s.charAt(i) == '\'') {
                        if (i + 1 < n && s.charAt(i + 1) == '\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i++;
                }
                i++;
                out.add(new Token(Kind.OTHER, "'"));
            } else if (ch == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (i < n) {
                    if (s.charAt(i) == '"') {
                        if (i + 1 < n && s.charAt(i + 1) == '"') {
                            b.append('"');
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    b.append(s.charAt(i++));
                }
                i++;
                out.add(new Token(Kind.IDENT, b.toString().toLowerCase(Locale.ROOT)));
            } else if (Character.isLetter(ch) || ch == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '$')) {
                    i++;
                }
                out.add(new Token(Kind.IDENT, s.substring(start, i).toLowerCase(Locale.ROOT)));
            } else if (Character.isWhitespace(ch)) {
                i++;
            } else {
                Kind k = ch == '.' ? Kind.DOT : ch == '*' ? Kind.STAR : ch == '(' ? Kind.OPEN : Kind.OTHER;
                out.add(new Token(k, String.valueOf(ch)));
                i++;
            }
        }
        return out;
    }
}
