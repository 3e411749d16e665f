package dev.pgagent.db.postgres.internal;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.EnumType;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.IndexInfo;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link SchemaModel} from {@code pg_catalog} with one bulk query per kind of object for the whole database
 * (relations, comments, columns, constraints, indexes, enums) plus a few small lookups (type names of the distinct
 * column types, default operator classes, keywords), inside one REPEATABLE READ, READ ONLY transaction so all see
 * one snapshot. Never uses {@code information_schema} and never queries per table. Partitions are folded under
 * their root table (see {@link TableInfo}). Requires PostgreSQL 11 or later. Stateless and thread-safe.
 *
 * <p>Two costs dominate a naive catalog read on large schemas, and are avoided: {@code format_type} is called once
 * per distinct (type, modifier) pair instead of once per column, and {@code pg_get_indexdef} only for indexes that
 * are not plain: an index on plain columns with default operator classes, the columns' collations, default
 * ordering, no INCLUDE, predicate, storage parameters or NULLS NOT DISTINCT, using btree or hash (whose core
 * operator classes take no options), on an ordinary table or materialized view, gets its definition assembled here
 * exactly as {@code pg_get_indexdef} prints it; {@code IndexDefinitionIT} checks the two agree.
 *
 * <p>{@link #readState} also keeps what {@link #refresh} needs to update the model incrementally: the snapshot, the
 * relations' signatures ({@link RelationSignatures}), which relation folds into which table, and which relations
 * each table's foreign keys reference. A refresh runs the same bulk queries restricted to the changed relations
 * ({@code c.oid = ANY (?)}) and merges them into a new model that shares the unchanged tables.
 */
public final class SchemaIntrospector {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaIntrospector.class);

    /** The relation kinds introspected: tables, partitioned tables, views, materialized views, foreign tables. */
    static final String RELKINDS = "('r','p','v','m','f')";

    private final List<String> includeSchemas;
    private final List<String> excludeSchemas;

    /** Creates an introspector limited to {@code includeSchemas} (empty: all) minus {@code excludeSchemas}. */
    public SchemaIntrospector(List<String> includeSchemas, List<String> excludeSchemas) {
        this.includeSchemas = List.copyOf(includeSchemas);
        this.excludeSchemas = List.copyOf(excludeSchemas);
    }

    /**
     * Returns the SQL condition selecting user schemas of the namespace alias {@code n}, with three {@code text[]}
     * parameters: include, include again, exclude.
     */
    static String schemaFilter(String n) {
        return n + ".nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
                + " AND " + n + ".nspname NOT LIKE 'pg\\_temp\\_%'"
                + " AND " + n + ".nspname NOT LIKE 'pg\\_toast\\_temp\\_%'"
                + " AND (cardinality(?::text[]) = 0 OR " + n + ".nspname = ANY (?::text[]))"
                + " AND " + n + ".nspname <> ALL (?::text[])";
    }

    private void bindFilter(Connection c, PreparedStatement ps) throws SQLException {
        bindFilter(c, ps, 1);
    }

    private void bindFilter(Connection c, PreparedStatement ps, int first) throws SQLException {
        Array include = c.createArrayOf("text", includeSchemas.toArray());
        Array exclude = c.createArrayOf("text", excludeSchemas.toArray());
        ps.setArray(first, include);
        ps.setArray(first + 1, include);
        ps.setArray(first + 2, exclude);
    }

    /**
     * Prepares one of the bulk queries, restricted to the relations {@code only} (by {@code c.oid}) when not null,
     * and binds its parameters.
     */
    private PreparedStatement prepare(Connection c, String sql, Long @Nullable [] only) throws SQLException {
        PreparedStatement ps = c.prepareStatement(only == null ? sql : sql + " AND c.oid = ANY (?::pg_catalog.oid[])");
        try {
            bindFilter(c, ps);
            if (only != null) {
                ps.setArray(4, c.createArrayOf("oid", only));
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    private static final String RELATIONS_SQL = "SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples,"
            + " c.relispartition, CASE WHEN c.relispartition THEN"
            + " (SELECT i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1) END"
            + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN " + RELKINDS + " AND " + schemaFilter("n");

    private static final String FROM_TOP_LEVEL = " JOIN pg_catalog.pg_class c ON c.oid = {rel}"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN " + RELKINDS + " AND NOT c.relispartition AND " + schemaFilter("n");

    private static final String COLUMNS_SQL = "SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod,"
            + " a.attnotnull, a.attidentity, a.attgenerated, a.attcollation,"
            // A default cannot refer to columns, so it is deparsed without the relation, which is several times
            // faster; a generated column's expression does refer to them.
            + " pg_catalog.pg_get_expr(d.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE d.adrelid END)"
            + " FROM pg_catalog.pg_attribute a"
            + " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + FROM_TOP_LEVEL.replace("{rel}", "a.attrelid")
            + " AND a.attnum > 0 AND NOT a.attisdropped";

    /** Type names, and the relation whose row type a type is (or is an array of), whose renaming renames it. */
    private static final String TYPE_NAMES_SQL = "SELECT u.t, u.m, pg_catalog.format_type(u.t, u.m),"
            + " coalesce(nullif(t.typrelid, 0), e.typrelid, 0)"
            + " FROM unnest(?::pg_catalog.oid[], ?::int4[]) AS u(t, m)"
            + " LEFT JOIN pg_catalog.pg_type t ON t.oid = u.t LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem";

    private static final String COMMENTS_SQL = "SELECT d.objoid, d.objsubid, d.description"
            + " FROM pg_catalog.pg_description d" + FROM_TOP_LEVEL.replace("{rel}", "d.objoid")
            + " AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass";

    private static final String CONSTRAINTS_SQL = "SELECT con.conrelid, con.conname, con.contype,"
            + " con.conkey::text, con.confrelid, con.confkey::text, fn.nspname, fc.relname,"
            + " CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_constraintdef(con.oid, true) END"
            + " FROM pg_catalog.pg_constraint con"
            + " LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid"
            + " LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace"
            + FROM_TOP_LEVEL.replace("{rel}", "con.conrelid")
            + " AND con.contype IN ('p', 'u', 'f', 'c') AND con.conparentid = 0";

    private static final String ATTNAMES_SQL = "SELECT attrelid, attnum, attname FROM pg_catalog.pg_attribute"
            + " WHERE attrelid = ANY (?::pg_catalog.oid[]) AND attnum > 0";

    private static final String INDEXES_SQL = "SELECT x.indexrelid, x.indrelid, ic.relname, x.indisunique,"
            + " x.indisprimary, ic.relam, am.amname, x.indkey::text, x.indclass::text, x.indcollation::text,"
            + " x.indoption::text,"
            + " x.indexprs IS NULL AND x.indpred IS NULL AND x.indnkeyatts = x.indnatts AND ic.reloptions IS NULL"
            + " AND c.relkind IN ('r', 'm') AND am.amname IN ('btree', 'hash') {nulls}"
            + " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid"
            + " JOIN pg_catalog.pg_am am ON am.oid = ic.relam"
            + FROM_TOP_LEVEL.replace("{rel}", "x.indrelid");

    private static final String INDEXDEF_SQL =
            "SELECT i, pg_catalog.pg_get_indexdef(i)" + " FROM unnest(?::pg_catalog.oid[]) AS i";

    /**
     * Default operator classes by (access method, type), as {@code GetDefaultOpClass} chooses them: the exact one,
     * else among the binary-coercible ones the one preferred in the type's category, else the only one.
     */
    private static final String DEFAULT_OPCLASSES_SQL = "SELECT o.opcmethod, o.opcintype, o.oid, true, false"
            + " FROM pg_catalog.pg_opclass o WHERE o.opcdefault"
            + " UNION ALL SELECT o.opcmethod, k.castsource, o.oid, false,"
            + " ot.typispreferred AND ot.typcategory = st.typcategory FROM pg_catalog.pg_opclass o"
            + " JOIN pg_catalog.pg_cast k ON k.casttarget = o.opcintype AND k.castmethod = 'b'"
            + " JOIN pg_catalog.pg_type ot ON ot.oid = o.opcintype JOIN pg_catalog.pg_type st ON st.oid = k.castsource"
            + " WHERE o.opcdefault AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_opclass e"
            + " WHERE e.opcmethod = o.opcmethod AND e.opcintype = k.castsource AND e.opcdefault)";

    private static final String KEYWORDS_SQL = "SELECT word, current_setting('quote_all_identifiers')"
            + " FROM pg_catalog.pg_get_keywords() WHERE catcode <> 'U'";

    private static final String ENUMS_SQL = "SELECT n.nspname, t.typname, e.enumlabel"
            + " FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE " + schemaFilter("n")
            + " ORDER BY n.nspname, t.typname, e.enumsortorder";

    /** A column while it is being assembled. */
    private record Col(
            int attnum,
            String name,
            long typeOid,
            int typmod,
            boolean notNull,
            String identity,
            String generated,
            long collation,
            @Nullable String expr) {}

    /** A constraint while it is being assembled. */
    private record Con(
            String name,
            char type,
            List<Integer> keys,
            long refOid,
            List<Integer> refKeys,
            @Nullable String refSchema,
            @Nullable String refTable,
            @Nullable String check) {}

    /** A relation while it is being assembled. */
    private static final class Rel {
        final long oid;
        final String schema;
        final String name;
        final char relkind;
        final double reltuples;
        final boolean partition;
        final long parent;
        final List<Col> cols = new ArrayList<>();
        final Map<Integer, Col> byAttnum = new HashMap<>();
        final Map<Integer, String> columnComments = new HashMap<>();

        @Nullable
        String comment;

        final List<Con> constraints = new ArrayList<>();
        final List<IndexInfo> indexes = new ArrayList<>();
        final List<Rel> partitions = new ArrayList<>();

        Rel(long oid, String schema, String name, char relkind, double reltuples, boolean partition, long parent) {
            this.oid = oid;
            this.schema = schema;
            this.name = name;
            this.relkind = relkind;
            this.reltuples = reltuples;
            this.partition = partition;
            this.parent = parent;
        }
    }

    /**
     * Reads the schema over {@code c}. The connection must be in autocommit mode; it is returned in autocommit
     * mode with no transaction open.
     *
     * @throws SQLException if a catalog query fails
     */
    public SchemaModel read(Connection c) throws SQLException {
        return readState(c).model();
    }

    /**
     * Reads the whole schema over {@code c}, with what {@link #refresh} needs to update it later. The connection
     * must be in autocommit mode; it is returned in autocommit mode with no transaction open.
     *
     * @throws SQLException if a catalog query fails
     */
    public SchemaState readState(Connection c) throws SQLException {
        Objects.requireNonNull(c, "c == null");
        return inSnapshot(c, () -> full(c, CatalogSignature.transactionSnapshot(c)));
    }

    /**
     * Brings {@code previous} up to date: finds the relations whose catalog rows changed since it was read (see
     * {@link RelationSignatures}) and re-reads only those, sharing the unchanged {@link TableInfo} instances; falls
     * back to a full read when more than {@link #INCREMENTAL_LIMIT_SHARE} of the relations (and more than
     * {@link #INCREMENTAL_LIMIT_MIN}) changed, or when a change cannot be attributed to relations (a renamed schema,
     * type, sequence or function). Returns {@code previous}'s model itself when nothing it shows changed. The
     * result equals what {@link #readState} would read. Same connection rules as {@link #readState}.
     *
     * @throws SQLException if a catalog query fails
     */
    public SchemaState refresh(Connection c, SchemaState previous) throws SQLException {
        Objects.requireNonNull(c, "c == null");
        Objects.requireNonNull(previous, "previous == null");
        return inSnapshot(c, () -> incremental(c, previous));
    }

    /** At most this share of the relations is re-read incrementally; more changed means a full read. */
    public static final double INCREMENTAL_LIMIT_SHARE = 0.2;

    /** Up to this many changed relations are always re-read incrementally, whatever their share. */
    public static final int INCREMENTAL_LIMIT_MIN = 20;

    /** A read inside the transaction. */
    private interface InSnapshot {
        SchemaState run() throws SQLException;
    }

    private static SchemaState inSnapshot(Connection c, InSnapshot body) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (var st = c.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            return body.run();
        } finally {
            try {
                c.rollback();
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private SchemaState full(Connection c, CatalogSignature.Snapshot snapshot) throws SQLException {
        Instant at = Instant.now();
        RelationSignatures.Read sigs = RelationSignatures.read(c, this::bindFilter, null);
        Parts parts = readParts(c, null);
        List<EnumType> enums = readEnums(c);
        Map<Long, TableInfo> byRoot = parts.tables();
        List<TableInfo> tables = sorted(byRoot.values());
        return new SchemaState(
                new SchemaModel(tables, enums, at),
                snapshot,
                sigs.relations(),
                sigs.others().keySet(),
                byRoot,
                parts.rootOf(),
                parts.references(),
                -1);
    }

    private SchemaState incremental(Connection c, SchemaState prev) throws SQLException {
        Instant at = Instant.now();
        long t0 = System.nanoTime();
        CatalogSignature.Snapshot snapshot = CatalogSignature.transactionSnapshot(c);
        CatalogSignature.Snapshot since = prev.snapshot();
        // Rows are matched by age against the 32-bit xid of the previous snapshot's xmax, which only holds while
        // fewer than 2^31 transactions passed; the special xids 0-2 cannot be used as the bound.
        if (snapshot.xmax() - since.xmin() > (1L << 30) || (since.xmax() & 0xFFFF_FFFFL) < 3) {
            LOG.debug("Too many transactions since the last read; reading the whole schema");
            return full(c, snapshot);
        }
        RelationSignatures.Read sigs = RelationSignatures.read(
                c,
                this::bindFilter,
                new RelationSignatures.Bound(
                        since.xmax() & 0xFFFF_FFFFL,
                        since.inProgress().stream().map(x -> x & 0xFFFF_FFFFL).toList()));
        for (var e : sigs.others().entrySet()) {
            if (e.getValue() && prev.others().contains(e.getKey())) {
                LOG.debug("{} changed; reading the whole schema", e.getKey());
                return full(c, snapshot);
            }
        }
        Map<Long, RelationSignatures.Sig> cur = sigs.relations();
        Set<Long> changed = new HashSet<>(sigs.recent());
        prev.relations().forEach((oid, sig) -> {
            if (!sig.equals(cur.get(oid))) {
                changed.add(oid);
            }
        });
        cur.keySet().forEach(oid -> {
            if (!prev.relations().containsKey(oid)) {
                changed.add(oid);
            }
        });
        long t1 = System.nanoTime();
        Map<Long, Long> newRootOf = RelationSignatures.roots(cur);
        Set<Long> affected = new HashSet<>();
        for (long oid : changed) {
            Long old = prev.rootOf().get(oid);
            if (old != null) {
                affected.add(old);
            }
            Long now = newRootOf.get(oid);
            if (now != null) {
                affected.add(now);
            }
        }
        prev.references().forEach((root, refs) -> {
            for (long ref : refs) {
                if (changed.contains(ref)) {
                    affected.add(root);
                    break;
                }
            }
        });
        if (affected.isEmpty()) {
            List<EnumType> enums = readEnums(c);
            boolean same = enums.equals(prev.model().enums());
            LOG.debug("No relation the model shows changed{} ({} ms)", same ? ", nor an enum" : "", ms(t0, t1));
            SchemaModel model =
                    same ? prev.model() : new SchemaModel(prev.model().tables(), enums, at);
            return new SchemaState(
                    model, snapshot, cur, sigs.others().keySet(), prev.byRoot(), prev.rootOf(), prev.references(), 0);
        }
        long roots = newRootOf.entrySet().stream()
                .filter(e -> e.getKey().equals(e.getValue()))
                .count();
        if (affected.size() > INCREMENTAL_LIMIT_MIN && affected.size() > INCREMENTAL_LIMIT_SHARE * roots) {
            LOG.debug("{} of {} relations changed; reading the whole schema", affected.size(), roots);
            return full(c, snapshot);
        }
        List<Long> only = new ArrayList<>();
        newRootOf.forEach((oid, root) -> {
            if (affected.contains(root)) {
                only.add(oid);
            }
        });
        Parts parts =
                only.isEmpty() ? new Parts(Map.of(), Map.of(), Map.of()) : readParts(c, only.toArray(Long[]::new));
        List<EnumType> enums = readEnums(c);

        Map<Long, TableInfo> byRoot = new HashMap<>(prev.byRoot());
        Map<Long, Long> rootOf = new HashMap<>(prev.rootOf());
        Map<Long, Set<Long>> references = new HashMap<>(prev.references());
        byRoot.keySet().removeAll(affected);
        references.keySet().removeAll(affected);
        rootOf.values().removeAll(affected);
        byRoot.putAll(parts.tables());
        rootOf.putAll(parts.rootOf());
        references.putAll(parts.references());
        SchemaState state = new SchemaState(
                new SchemaModel(sorted(byRoot.values()), enums, at),
                snapshot,
                cur,
                sigs.others().keySet(),
                byRoot,
                rootOf,
                references,
                affected.size());
        LOG.debug(
                "Re-read {} changed relations of {} in {} ms (finding them: {} ms)",
                affected.size(),
                roots,
                ms(t0, System.nanoTime()),
                ms(t0, t1));
        return state;
    }

    private static List<TableInfo> sorted(Collection<TableInfo> tables) {
        List<TableInfo> list = new ArrayList<>(tables);
        list.sort(Comparator.comparing(TableInfo::schema).thenComparing(TableInfo::name));
        return list;
    }

    /** Reads the relations (all, or only those given by OID, each with its partitions) and assembles them. */
    private Parts readParts(Connection c, Long @Nullable [] only) throws SQLException {
        long t0 = System.nanoTime();
        Map<Long, Rel> rels = new HashMap<>();
        try (PreparedStatement ps = prepare(c, RELATIONS_SQL, only)) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    rels.put(
                            oid,
                            new Rel(
                                    oid,
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4).charAt(0),
                                    rs.getDouble(5),
                                    rs.getBoolean(6),
                                    rs.getLong(7)));
                }
            }
        }
        long t1 = System.nanoTime();
        try (PreparedStatement ps = prepare(c, COMMENTS_SQL, only)) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rel r = rels.get(rs.getLong(1));
                    if (r != null) {
                        int sub = rs.getInt(2);
                        if (sub == 0) {
                            r.comment = rs.getString(3);
                        } else {
                            r.columnComments.put(sub, rs.getString(3));
                        }
                    }
                }
            }
        }
        long t2 = System.nanoTime();
        Map<Long, Long> rowTypes = new HashMap<>();
        Map<Long, Map<Integer, String>> typeNames = readColumns(c, rels, only, rowTypes);
        long t3 = System.nanoTime();
        readConstraints(c, rels, only);
        long t4 = System.nanoTime();
        readIndexes(c, rels, only);
        long t5 = System.nanoTime();
        Map<Long, Map<Integer, String>> outside = referencedColumnsOutside(c, rels);
        long t6 = System.nanoTime();
        Parts parts = assemble(rels, typeNames, rowTypes, outside);
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "Introspection ms: relations {}, comments {}, columns {}, constraints {}, indexes {}, outside {},"
                            + " assembly {}",
                    ms(t0, t1),
                    ms(t1, t2),
                    ms(t2, t3),
                    ms(t3, t4),
                    ms(t4, t5),
                    ms(t5, t6),
                    ms(t6, System.nanoTime()));
        }
        return parts;
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /** Reads the columns; returns the type names by type OID and modifier. */
    private Map<Long, Map<Integer, String>> readColumns(
            Connection c, Map<Long, Rel> rels, Long @Nullable [] only, Map<Long, Long> rowTypes) throws SQLException {
        Map<Long, Set<Integer>> distinct = new LinkedHashMap<>();
        try (PreparedStatement ps = prepare(c, COLUMNS_SQL, only)) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rel r = rels.get(rs.getLong(1));
                    if (r == null) {
                        continue;
                    }
                    long type = rs.getLong(4);
                    int typmod = rs.getInt(5);
                    Col col = new Col(
                            rs.getInt(2),
                            rs.getString(3),
                            type,
                            typmod,
                            rs.getBoolean(6),
                            nullToEmpty(rs.getString(7)),
                            nullToEmpty(rs.getString(8)),
                            rs.getLong(9),
                            rs.getString(10));
                    r.cols.add(col);
                    r.byAttnum.put(col.attnum(), col);
                    distinct.computeIfAbsent(type, k -> new HashSet<>()).add(typmod);
                }
            }
        }
        // One format_type call per distinct (type, modifier) instead of per column.
        Map<Long, Map<Integer, String>> names = new HashMap<>();
        List<Long> oids = new ArrayList<>();
        List<Integer> mods = new ArrayList<>();
        distinct.forEach((oid, ms) -> ms.forEach(m -> {
            oids.add(oid);
            mods.add(m);
        }));
        try (PreparedStatement ps = c.prepareStatement(TYPE_NAMES_SQL)) {
            ps.setArray(1, c.createArrayOf("oid", oids.toArray()));
            ps.setArray(2, c.createArrayOf("int4", mods.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getInt(2), rs.getString(3));
                    if (rs.getLong(4) != 0) {
                        rowTypes.put(rs.getLong(1), rs.getLong(4));
                    }
                }
            }
        }
        return names;
    }

    private void readConstraints(Connection c, Map<Long, Rel> rels, Long @Nullable [] only) throws SQLException {
        try (PreparedStatement ps = prepare(c, CONSTRAINTS_SQL, only)) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rel r = rels.get(rs.getLong(1));
                    if (r != null) {
                        r.constraints.add(new Con(
                                rs.getString(2),
                                rs.getString(3).charAt(0),
                                ints(rs.getString(4)),
                                rs.getLong(5),
                                ints(rs.getString(6)),
                                rs.getString(7),
                                rs.getString(8),
                                rs.getString(9)));
                    }
                }
            }
        }
    }

    private void readIndexes(Connection c, Map<Long, Rel> rels, Long @Nullable [] only) throws SQLException {
        boolean pg15 = c.getMetaData().getDatabaseMajorVersion() >= 15;
        String sql = INDEXES_SQL.replace("{nulls}", pg15 ? "AND NOT x.indnullsnotdistinct" : "");
        Map<String, Long> defaults = defaultOpclasses(c);
        Set<String> keywords = new HashSet<>();
        boolean quoteAll = false;
        try (PreparedStatement ps = c.prepareStatement(KEYWORDS_SQL);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                keywords.add(rs.getString(1));
                quoteAll = "on".equals(rs.getString(2));
            }
        }
        Map<Long, Rel> needDefinition = new LinkedHashMap<>();
        Map<Long, Object[]> pending = new HashMap<>();
        try (PreparedStatement ps = prepare(c, sql, only)) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long indexOid = rs.getLong(1);
                    Rel r = rels.get(rs.getLong(2));
                    if (r == null) {
                        continue;
                    }
                    String name = rs.getString(3);
                    boolean unique = rs.getBoolean(4);
                    boolean primary = rs.getBoolean(5);
                    String definition = rs.getBoolean(12)
                            ? plainDefinition(
                                    r,
                                    name,
                                    unique,
                                    rs.getLong(6),
                                    rs.getString(7),
                                    rs.getString(8),
                                    rs.getString(9),
                                    rs.getString(10),
                                    rs.getString(11),
                                    defaults,
                                    keywords,
                                    quoteAll)
                            : null;
                    if (definition != null) {
                        r.indexes.add(new IndexInfo(name, definition, unique, primary));
                    } else {
                        needDefinition.put(indexOid, r);
                        pending.put(indexOid, new Object[] {name, unique, primary});
                    }
                }
            }
        }
        LOG.debug(
                "Index definitions assembled: {}; from pg_get_indexdef: {}",
                pending.isEmpty() ? "all" : "most",
                needDefinition.size());
        if (!needDefinition.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(INDEXDEF_SQL)) {
                ps.setArray(1, c.createArrayOf("oid", needDefinition.keySet().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long oid = rs.getLong(1);
                        Object[] p = pending.get(oid);
                        needDefinition
                                .get(oid)
                                .indexes
                                .add(new IndexInfo((String) p[0], rs.getString(2), (Boolean) p[1], (Boolean) p[2]));
                    }
                }
            }
        }
    }

    private static Map<String, Long> defaultOpclasses(Connection c) throws SQLException {
        Map<String, Long> exact = new HashMap<>();
        Map<String, List<Long>> preferred = new HashMap<>();
        Map<String, List<Long>> coercible = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(DEFAULT_OPCLASSES_SQL);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String key = rs.getLong(1) + ":" + rs.getLong(2);
                long oid = rs.getLong(3);
                if (rs.getBoolean(4)) {
                    exact.put(key, oid);
                } else {
                    (rs.getBoolean(5) ? preferred : coercible)
                            .computeIfAbsent(key, k -> new ArrayList<>())
                            .add(oid);
                }
            }
        }
        Map<String, Long> result = new HashMap<>();
        coercible.forEach((key, oids) -> {
            if (oids.size() == 1 && !preferred.containsKey(key)) {
                result.put(key, oids.get(0));
            }
        });
        preferred.forEach((key, oids) -> {
            if (oids.size() == 1) {
                result.put(key, oids.get(0));
            }
        });
        result.putAll(exact);
        return result;
    }

    /**
     * Returns the definition of a plain index as {@code pg_get_indexdef} prints it, or null when this index has
     * anything that needs PostgreSQL's own rendering (an operator class or collation other than the column's
     * default, a sort option).
     */
    private static @Nullable String plainDefinition(
            Rel r,
            String name,
            boolean unique,
            long am,
            String amname,
            String indkey,
            String indclass,
            String indcollation,
            String indoption,
            Map<String, Long> defaults,
            Set<String> keywords,
            boolean quoteAll) {
        String[] keys = indkey.isBlank() ? new String[0] : indkey.strip().split(" ");
        String[] classes = indclass.strip().split(" ");
        String[] collations = indcollation.strip().split(" ");
        String[] options = indoption.strip().split(" ");
        if (keys.length == 0
                || classes.length != keys.length
                || collations.length != keys.length
                || options.length != keys.length) {
            return null;
        }
        StringBuilder sb = new StringBuilder("CREATE ");
        if (unique) {
            sb.append("UNIQUE ");
        }
        sb.append("INDEX ")
                .append(quote(name, keywords, quoteAll))
                .append(" ON ")
                .append(quote(r.schema, keywords, quoteAll))
                .append('.')
                .append(quote(r.name, keywords, quoteAll))
                .append(" USING ")
                .append(quote(amname, keywords, quoteAll))
                .append(" (");
        for (int i = 0; i < keys.length; i++) {
            Col col = r.byAttnum.get(Integer.parseInt(keys[i]));
            if (col == null || !"0".equals(options[i]) || Long.parseLong(collations[i]) != col.collation()) {
                return null;
            }
            Long defaultClass = defaults.get(am + ":" + col.typeOid());
            if (defaultClass == null || defaultClass != Long.parseLong(classes[i])) {
                return null;
            }
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(quote(col.name(), keywords, quoteAll));
        }
        return sb.append(')').toString();
    }

    /** Quotes an identifier exactly as PostgreSQL's {@code quote_identifier} does. */
    static String quote(String ident, Set<String> keywords, boolean quoteAll) {
        boolean safe = !ident.isEmpty() && !quoteAll;
        for (int i = 0; i < ident.length() && safe; i++) {
            char ch = ident.charAt(i);
            safe = (ch >= 'a' && ch <= 'z') || ch == '_' || (i > 0 && ch >= '0' && ch <= '9');
        }
        if (safe && keywords.contains(ident)) {
            safe = false;
        }
        return safe ? ident : "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    private List<EnumType> readEnums(Connection c) throws SQLException {
        List<EnumType> enums = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(ENUMS_SQL)) {
            bindFilter(c, ps);
            try (ResultSet rs = ps.executeQuery()) {
                String schema = null;
                String name = null;
                List<String> labels = new ArrayList<>();
                while (rs.next()) {
                    String s = rs.getString(1);
                    String t = rs.getString(2);
                    if (name != null && !(s.equals(schema) && t.equals(name))) {
                        enums.add(new EnumType(schema, name, labels));
                        labels = new ArrayList<>();
                    }
                    schema = s;
                    name = t;
                    labels.add(rs.getString(3));
                }
                if (name != null) {
                    enums.add(new EnumType(schema, name, labels));
                }
            }
        }
        return enums;
    }

    /** Returns the column names of relations that foreign keys reference but that are not in the model. */
    private static Map<Long, Map<Integer, String>> referencedColumnsOutside(Connection c, Map<Long, Rel> rels)
            throws SQLException {
        Set<Long> missing = new HashSet<>();
        for (Rel r : rels.values()) {
            for (Con con : r.constraints) {
                Rel ref = rels.get(con.refOid());
                if (con.type() == 'f' && (ref == null || ref.cols.isEmpty())) {
                    missing.add(con.refOid());
                }
            }
        }
        Map<Long, Map<Integer, String>> names = new HashMap<>();
        if (missing.isEmpty()) {
            return names;
        }
        try (PreparedStatement ps = c.prepareStatement(ATTNAMES_SQL)) {
            ps.setArray(1, c.createArrayOf("oid", missing.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getInt(2), rs.getString(3));
                }
            }
        }
        return names;
    }

    /**
     * Relations assembled: tables by root OID, the root of every relation read, and per table the relations whose
     * names or columns it shows (referenced by its foreign keys, or whose row type a column has).
     */
    private record Parts(Map<Long, TableInfo> tables, Map<Long, Long> rootOf, Map<Long, Set<Long>> references) {}

    private static Parts assemble(
            Map<Long, Rel> rels,
            Map<Long, Map<Integer, String>> typeNames,
            Map<Long, Long> rowTypes,
            Map<Long, Map<Integer, String>> outside) {
        List<Rel> roots = new ArrayList<>();
        Map<Long, Long> rootOf = new HashMap<>();
        for (Rel r : rels.values()) {
            if (!r.partition) {
                roots.add(r);
                rootOf.put(r.oid, r.oid);
                continue;
            }
            Rel root = r;
            int guard = 0;
            while (root != null && root.partition && guard++ < 100) {
                root = rels.get(root.parent);
            }
            if (root != null && !root.partition) {
                root.partitions.add(r); // a partition whose root is not introspected is left out
                rootOf.put(r.oid, root.oid);
            }
        }
        Map<Long, TableInfo> tables = new HashMap<>();
        Map<Long, Set<Long>> references = new HashMap<>();
        for (Rel r : roots) {
            tables.put(r.oid, table(r, rels, typeNames, outside));
            Set<Long> refs = new HashSet<>();
            for (Con con : r.constraints) {
                if (con.type() == 'f') {
                    refs.add(con.refOid());
                }
            }
            for (Col col : r.cols) {
                Long rowTypeOf = rowTypes.get(col.typeOid());
                if (rowTypeOf != null) {
                    refs.add(rowTypeOf); // the column's type is named after that relation
                }
            }
            if (!refs.isEmpty()) {
                references.put(r.oid, Set.copyOf(refs));
            }
        }
        return new Parts(tables, rootOf, references);
    }

    private static TableInfo table(
            Rel r,
            Map<Long, Rel> rels,
            Map<Long, Map<Integer, String>> typeNames,
            Map<Long, Map<Integer, String>> outside) {
        r.cols.sort(Comparator.comparingInt(Col::attnum));
        List<ColumnInfo> columns = new ArrayList<>(r.cols.size());
        for (Col col : r.cols) {
            String type = typeNames.getOrDefault(col.typeOid(), Map.of()).get(col.typmod());
            String identity = switch (col.identity()) {
                case "a" -> "ALWAYS";
                case "d" -> "BY DEFAULT";
                default -> null;
            };
            boolean generated = !col.generated().isEmpty();
            columns.add(new ColumnInfo(
                    col.name(),
                    type == null ? "oid " + col.typeOid() : type,
                    !col.notNull(),
                    generated ? null : col.expr(),
                    identity,
                    generated ? col.expr() : null,
                    r.columnComments.get(col.attnum())));
        }
        r.constraints.sort(Comparator.comparing(Con::name));
        List<String> primaryKey = List.of();
        List<List<String>> uniques = new ArrayList<>();
        List<ForeignKey> foreignKeys = new ArrayList<>();
        List<String> checks = new ArrayList<>();
        for (Con con : r.constraints) {
            List<String> cols = names(con.keys(), r.byAttnum, null);
            switch (con.type()) {
                case 'p' -> primaryKey = cols;
                case 'u' -> uniques.add(cols);
                case 'c' -> checks.add(Objects.requireNonNullElse(con.check(), "CHECK (?)"));
                case 'f' -> {
                    Rel ref = rels.get(con.refOid());
                    List<String> refCols = ref != null && !ref.cols.isEmpty()
                            ? names(con.refKeys(), ref.byAttnum, null)
                            : names(con.refKeys(), null, outside.getOrDefault(con.refOid(), Map.of()));
                    foreignKeys.add(new ForeignKey(
                            con.name(), cols, nullToEmpty(con.refSchema()), nullToEmpty(con.refTable()), refCols));
                }
                default -> {
                    // only p, u, c and f are selected
                }
            }
        }
        r.indexes.sort(Comparator.comparing(IndexInfo::name));
        r.partitions.sort(Comparator.comparing((Rel p) -> p.schema).thenComparing(p -> p.name));
        List<String> partitionNames = new ArrayList<>(r.partitions.size());
        long estimate = estimate(r);
        if (r.relkind == 'p') {
            long sum = 0;
            boolean known = false;
            for (Rel p : r.partitions) {
                partitionNames.add(p.schema + "." + p.name);
                long e = estimate(p);
                if (p.relkind != 'p' && e >= 0) {
                    sum += e;
                    known = true;
                }
            }
            estimate = known ? sum : estimate;
        }
        return new TableInfo(
                r.schema,
                r.name,
                kind(r.relkind),
                columns,
                primaryKey,
                uniques,
                foreignKeys,
                checks,
                r.indexes,
                r.comment,
                estimate,
                partitionNames);
    }

    private static List<String> names(
            List<Integer> attnums, @Nullable Map<Integer, Col> cols, @Nullable Map<Integer, String> plain) {
        List<String> out = new ArrayList<>(attnums.size());
        for (int attnum : attnums) {
            String name = null;
            if (cols != null) {
                Col c = cols.get(attnum);
                name = c == null ? null : c.name();
            } else if (plain != null) {
                name = plain.get(attnum);
            }
            out.add(name == null ? "#" + attnum : name);
        }
        return out;
    }

    private static long estimate(Rel r) {
        if (r.relkind == 'v' || r.reltuples < 0) {
            return -1;
        }
        return Math.round(r.reltuples);
    }

    private static TableKind kind(char relkind) {
        return switch (relkind) {
            case 'p' -> TableKind.PARTITIONED_TABLE;
            case 'v' -> TableKind.VIEW;
            case 'm' -> TableKind.MATERIALIZED_VIEW;
            case 'f' -> TableKind.FOREIGN_TABLE;
            default -> TableKind.TABLE;
        };
    }

    /** Parses an integer array in PostgreSQL's text form ({@code {1,2}}); null gives an empty list. */
    static List<Integer> ints(@Nullable String array) {
        if (array == null || array.length() < 3) {
            return List.of();
        }
        String[] parts = array.substring(1, array.length() - 1).split(",");
        List<Integer> out = new ArrayList<>(parts.length);
        for (String p : parts) {
            out.add(Integer.parseInt(p.strip()));
        }
        return out;
    }

    private static String nullToEmpty(@Nullable String s) {
        return s == null ? "" : s;
    }
}
