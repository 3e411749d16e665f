package dev.pgagent.db.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Finds which relations changed since an earlier read of the schema, for the incremental refresh, with one query
 * over the catalogs (about 100 ms on 10,000 tables, most of it one scan of {@code pg_attribute}) and a small one
 * over the objects a change cannot be attributed to.
 *
 * <p>Every catalog row written since the earlier read carries the ID of a transaction that the earlier read's
 * snapshot did not see as ended: its {@code xmin} is at or after that snapshot's {@code xmax}, or one of the
 * transactions it saw running. The former are found with {@code age(xmin) <= age(xmax)}, which compares distances
 * from the current transaction ID and so stays right across xid wraparound as long as fewer than 2^31 transactions
 * passed (the caller checks with 64-bit IDs), the latter by equality; frozen and bootstrap rows have the largest age
 * and never match, and a row whose raw {@code xmin} merely looks recent is re-read needlessly, never missed. A
 * relation is <em>recent</em> when its own {@code pg_class} row or one of its rows in {@code pg_attribute}
 * (columns: added, dropped, renamed, retyped, NOT NULL), {@code pg_attrdef} (defaults), {@code pg_constraint} (by
 * {@code conrelid}), {@code pg_description} (comments), {@code pg_index} or its indexes' {@code pg_class} rows is.
 * Deletions leave no new row, so each relation's {@link Sig} also holds its number of constraints, indexes,
 * comments and defaults, and what the model shows of its {@code pg_class} row that changes in place or elsewhere
 * (schema name, row estimate, partition parent); the caller compares those. Relations of every non-system schema
 * are listed, in scope or not, since a foreign key may point out of scope.
 *
 * <p>The other objects are schemas, non-composite non-array types, sequences, standalone composite types and
 * functions outside the system schemas: a change of one that existed before (a rename) may alter how columns,
 * defaults or constraints print anywhere, so it makes the caller read everything; new and dropped ones do not
 * (what depended on a dropped one was dropped or changed with it). Collations, operator classes and operators are
 * not watched; renaming one shows up at the next full read.
 */
final class RelationSignatures {
    private RelationSignatures() {}

    /**
     * What the model shows of a relation's catalog rows besides their {@code xmin}.
     *
     * @param schema the schema name
     * @param name the relation name
     * @param relkind the relation kind
     * @param reltuples the row estimate (updated in place by VACUUM and ANALYZE)
     * @param partition whether the relation is a partition
     * @param parent the partition's parent OID, else 0
     * @param inScope whether the relation's schema is introspected
     * @param counts the numbers of constraints, indexes, comments and defaults
     */
    record Sig(
            String schema,
            String name,
            char relkind,
            double reltuples,
            boolean partition,
            long parent,
            boolean inScope,
            String counts) {}

    /**
     * The result of one read.
     *
     * @param relations the relations by OID
     * @param recent the relations with a row written since the bound (empty without a bound)
     * @param others the other objects (kind letter and OID) and whether each has a row written since the bound
     */
    record Read(Map<Long, Sig> relations, Set<Long> recent, Map<String, Boolean> others) {}

    /** Binds the schema filter's three parameters from position {@code first}. */
    interface FilterBinder {
        void bind(Connection c, PreparedStatement ps, int first) throws SQLException;
    }

    private static final String USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
            + " AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

    /** A row written at or after the bound; the second form also by a transaction then running. */
    private static final String AFTER = "pg_catalog.age(%1$s) <= b.a";

    private static final String AFTER_OR_RUNNING = "(pg_catalog.age(%1$s) <= b.a OR %1$s = ANY (b.ip))";

    // One pass over each catalog, grouped by relation: how many constraints, indexes, comments and defaults it has,
    // and whether any of its rows there, in pg_attribute or in its indexes' pg_class rows is recent.
    private static final String RELATIONS_SQL = relationsSql(AFTER);

    private static final String RELATIONS_SQL_RUNNING = relationsSql(AFTER_OR_RUNNING);

    private static final String OTHERS_SQL = othersSql(AFTER);

    private static final String OTHERS_SQL_RUNNING = othersSql(AFTER_OR_RUNNING);

    private static String relationsSql(String recent) {
        return "WITH b AS (SELECT pg_catalog.age(?::text::xid) a, ?::text::xid[] ip),"
                + " s AS (SELECT o, sum(k) k, sum(x) x, sum(e) e, sum(d) d, bool_or(r) r FROM ("
                + "SELECT t.conrelid o, 1 k, 0 x, 0 e, 0 d, " + recent.formatted("t.xmin") + " r"
                + " FROM pg_catalog.pg_constraint t, b"
                + " UNION ALL SELECT t.indrelid, 0, 1, 0, 0, " + recent.formatted("t.xmin")
                + " FROM pg_catalog.pg_index t, b"
                + " UNION ALL SELECT t.objoid, 0, 0, 1, 0, " + recent.formatted("t.xmin")
                + " FROM pg_catalog.pg_description t, b"
                + " WHERE t.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass"
                + " UNION ALL SELECT t.adrelid, 0, 0, 0, 1, " + recent.formatted("t.xmin")
                + " FROM pg_catalog.pg_attrdef t, b"
                + " UNION ALL SELECT t.attrelid, 0, 0, 0, 0, true FROM pg_catalog.pg_attribute t, b"
                + " WHERE " + recent.formatted("t.xmin")
                + " UNION ALL SELECT x.indrelid, 0, 0, 0, 0, true FROM pg_catalog.pg_class t"
                + " JOIN pg_catalog.pg_index x ON x.indexrelid = t.oid, b"
                + " WHERE t.relkind IN ('i', 'I') AND " + recent.formatted("t.xmin")
                + ") u GROUP BY o)"
                + " SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples, c.relispartition,"
                + " CASE WHEN c.relispartition THEN"
                + " (SELECT i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1) END,"
                + " " + SchemaIntrospector.schemaFilter("n") + ","
                + " coalesce(" + recent.formatted("c.xmin") + " OR s.r, false),"
                + " concat_ws(':', coalesce(s.k, 0), coalesce(s.x, 0), coalesce(s.e, 0), coalesce(s.d, 0))"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace CROSS JOIN b"
                + " LEFT JOIN s ON s.o = c.oid"
                + " WHERE c.relkind IN " + SchemaIntrospector.RELKINDS + " AND " + USER_SCHEMA;
    }

    private static String othersSql(String recent) {
        return "WITH b AS (SELECT pg_catalog.age(?::text::xid) a, ?::text::xid[] ip)"
                + " SELECT 'n' || s.oid, coalesce(" + recent.formatted("s.xmin") + ", false)"
                + " FROM pg_catalog.pg_namespace s, b"
                + " UNION ALL SELECT 't' || t.oid, coalesce(" + recent.formatted("t.xmin") + ", false)"
                + " FROM pg_catalog.pg_type t, b WHERE t.typrelid = 0 AND t.typcategory <> 'A'"
                + " UNION ALL SELECT 'c' || s.oid, coalesce(" + recent.formatted("s.xmin") + ", false)"
                + " FROM pg_catalog.pg_class s, b WHERE s.relkind IN ('S', 'c')"
                + " UNION ALL SELECT 'f' || p.oid, coalesce(" + recent.formatted("p.xmin") + ", false)"
                + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace, b"
                + " WHERE " + USER_SCHEMA;
    }

    /**
     * The earlier read's snapshot as 32-bit xids: rows written by a transaction at or after {@code xmax}, or by one
     * of {@code inProgress}, were not visible to it.
     *
     * @param xmax the first transaction not yet assigned then
     * @param inProgress the transactions running then
     */
    record Bound(long xmax, List<Long> inProgress) {}

    /**
     * Reads the signatures; with {@code since} (the earlier read's snapshot) also which relations and other objects
     * have rows written since.
     */
    static Read read(Connection c, FilterBinder filter, @Nullable Bound since) throws SQLException {
        Map<Long, Sig> relations = new HashMap<>();
        Set<Long> recent = new HashSet<>();
        boolean running = since != null && !since.inProgress().isEmpty();
        try (PreparedStatement ps = c.prepareStatement(running ? RELATIONS_SQL_RUNNING : RELATIONS_SQL)) {
            bindSince(ps, since);
            filter.bind(c, ps, 3);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    relations.put(
                            oid,
                            new Sig(
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4).charAt(0),
                                    rs.getDouble(5),
                                    rs.getBoolean(6),
                                    rs.getLong(7),
                                    rs.getBoolean(8),
                                    rs.getString(10)));
                    if (rs.getBoolean(9)) {
                        recent.add(oid);
                    }
                }
            }
        }
        Map<String, Boolean> others = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(running ? OTHERS_SQL_RUNNING : OTHERS_SQL)) {
            bindSince(ps, since);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    others.put(rs.getString(1), rs.getBoolean(2));
                }
            }
        }
        return new Read(relations, recent, others);
    }

    private static void bindSince(PreparedStatement ps, @Nullable Bound since) throws SQLException {
        if (since == null) {
            ps.setNull(1, Types.VARCHAR);
            ps.setNull(2, Types.VARCHAR);
        } else {
            ps.setString(1, Long.toString(since.xmax()));
            StringBuilder sb = new StringBuilder("{");
            for (long x : since.inProgress()) {
                sb.append(sb.length() > 1 ? "," : "").append(x);
            }
            ps.setString(2, sb.append('}').toString());
        }
    }

    /**
     * Returns the root of every relation in scope that the model shows, itself for a root: a partition's root is
     * found through parents in scope, as {@link SchemaIntrospector} folds them; a partition whose chain leaves the
     * scope is left out.
     */
    static Map<Long, Long> roots(Map<Long, Sig> relations) {
        Map<Long, Long> roots = new HashMap<>();
        relations.forEach((oid, sig) -> {
            if (!sig.inScope()) {
                return;
            }
            long id = oid;
            Sig s = sig;
            int guard = 0;
            while (s != null && s.partition() && guard++ < 100) {
                id = s.parent();
                Sig p = relations.get(id);
                s = p != null && p.inScope() ? p : null;
            }
            if (s != null && !s.partition()) {
                roots.put(oid, id);
            }
        });
        return roots;
    }
}
