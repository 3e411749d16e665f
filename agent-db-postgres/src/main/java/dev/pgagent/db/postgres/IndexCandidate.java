package dev.pgagent.db.postgres;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One index the advisor may recommend: a B-tree on a table's key columns, optionally with INCLUDE columns and a
 * partial predicate. Its DDL is built from catalog identifiers, each quoted, and from a predicate rebuilt from a
 * literal PostgreSQL printed ({@link PlanUsage#literal}), never from a statement's text.
 */
record IndexCandidate(
        String schema,
        String table,
        List<String> keys,
        List<String> include,
        @Nullable String predicateColumn,
        @Nullable String predicateLiteral,
        IndexRecommendation.Kind kind) {

    /** PostgreSQL's reserved key words (and a few others that cannot stand as a bare column name). */
    private static final Set<String> RESERVED = Set.of(
            "all",
            "analyse",
            "analyze",
            "and",
            "any",
            "array",
            "as",
            "asc",
            "asymmetric",
            "authorization",
            "binary",
            "both",
            "case",
            "cast",
            "check",
            "collate",
            "collation",
            "column",
            "concurrently",
            "constraint",
            "create",
            "cross",
            "current_catalog",
            "current_date",
            "current_role",
            "current_schema",
            "current_time",
            "current_timestamp",
            "current_user",
            "default",
            "deferrable",
            "desc",
            "distinct",
            "do",
            "else",
            "end",
            "except",
            "false",
            "fetch",
            "for",
            "foreign",
            "freeze",
            "from",
            "full",
            "grant",
            "group",
            "having",
            "ilike",
            "in",
            "initially",
            "inner",
            "intersect",
            "into",
            "is",
            "isnull",
            "join",
            "lateral",
            "leading",
            "left",
            "like",
            "limit",
            "localtime",
            "localtimestamp",
            "natural",
            "not",
            "notnull",
            "null",
            "offset",
            "on",
            "only",
            "or",
            "order",
            "outer",
            "overlaps",
            "placing",
            "primary",
            "references",
            "returning",
            "right",
            "select",
            "session_user",
            "similar",
            "some",
            "symmetric",
            "system_user",
            "table",
            "tablesample",
            "then",
            "to",
            "trailing",
            "true",
            "union",
            "unique",
            "user",
            "using",
            "variadic",
            "verbose",
            "when",
            "where",
            "window",
            "with");

    IndexCandidate {
        Objects.requireNonNull(schema, "schema == null");
        Objects.requireNonNull(table, "table == null");
        keys = List.copyOf(keys);
        include = List.copyOf(include);
        Objects.requireNonNull(kind, "kind == null");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("keys must not be empty but was " + keys);
        }
        if ((predicateColumn == null) != (predicateLiteral == null)) {
            throw new IllegalArgumentException("predicateColumn and predicateLiteral must be set together");
        }
    }

    /** Returns {@code schema.table} unquoted, as the plan names it. */
    String qualifiedTable() {
        return schema + "." + table;
    }

    /** Returns the partial index's predicate, e.g. {@code status = 'open'::text}, or null. */
    @Nullable
    String predicate() {
        return predicateColumn == null ? null : quoteIdent(predicateColumn) + " = " + predicateLiteral;
    }

    /** Returns the key and INCLUDE columns with the predicate, e.g. {@code (a, b) INCLUDE (c) WHERE d = 1}. */
    String shape() {
        StringBuilder sb = new StringBuilder("(").append(list(keys)).append(')');
        if (!include.isEmpty()) {
            sb.append(" INCLUDE (").append(list(include)).append(')');
        }
        String p = predicate();
        if (p != null) {
            sb.append(" WHERE ").append(p);
        }
        return sb.toString();
    }

    /** Returns {@code CREATE INDEX ON schema.table (...)} without a name, as hypopg takes it. */
    String createStatement() {
        return "CREATE INDEX ON " + quoteIdent(schema) + "." + quoteIdent(table) + " " + shape();
    }

    /** Returns {@code CREATE INDEX [CONCURRENTLY] name ON schema.table (...)}. */
    String createStatement(String name, boolean concurrently) {
        return "CREATE INDEX " + (concurrently ? "CONCURRENTLY " : "") + quoteIdent(name) + " ON " + quoteIdent(schema)
                + "." + quoteIdent(table) + " " + shape();
    }

    /**
     * Returns a name in PostgreSQL's fashion, {@code table_key1_key2_idx}, lower-cased with other characters than
     * letters, digits and underscores made underscores, cut to 63 bytes.
     */
    String indexName() {
        StringBuilder sb = new StringBuilder(table);
        for (String k : keys) {
            sb.append('_').append(k);
        }
        if (predicateColumn != null) {
            sb.append("_part");
        }
        String suffix = "_idx";
        String base = sb.toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
        while (base.getBytes(StandardCharsets.UTF_8).length + suffix.length() > 63) {
            base = base.substring(0, base.length() - 1);
        }
        return base + suffix;
    }

    /** Returns whether an index with these key columns (and these INCLUDE columns) serves this candidate. */
    boolean servedBy(List<String> existingKeys, List<String> existingAll, boolean existingPartial) {
        if (existingPartial || existingKeys.size() < keys.size()) {
            return false;
        }
        if (!existingKeys.subList(0, keys.size()).equals(keys)) {
            return false;
        }
        return existingAll.containsAll(include);
    }

    private static String list(List<String> columns) {
        StringBuilder sb = new StringBuilder();
        for (String c : columns) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(quoteIdent(c));
        }
        return sb.toString();
    }

    /** Returns {@code ident} as PostgreSQL's {@code quote_ident} would: bare when it can be, else double-quoted. */
    static String quoteIdent(String ident) {
        Objects.requireNonNull(ident, "ident == null");
        if (ident.matches("[a-z_][a-z0-9_$]*") && !RESERVED.contains(ident)) {
            return ident;
        }
        return '"' + ident.replace("\"", "\"\"") + '"';
    }

    /** Returns {@code value} as a standard-conforming SQL string literal. */
    static String quoteLiteral(String value) {
        Objects.requireNonNull(value, "value == null");
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("value must not contain NUL but did");
        }
        return "'" + value.replace("'", "''") + "'";
    }

    @Override
    public String toString() {
        return qualifiedTable() + " " + shape().toLowerCase(Locale.ROOT);
    }
}
