package dev.pgagent.db.postgres.internal;

import dev.pgagent.db.postgres.ColumnInfo;
import dev.pgagent.db.postgres.EnumType;
import dev.pgagent.db.postgres.ForeignKey;
import dev.pgagent.db.postgres.IndexInfo;
import dev.pgagent.db.postgres.SchemaModel;
import dev.pgagent.db.postgres.TableInfo;
import dev.pgagent.db.postgres.TableKind;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@link SchemaModel} from {@code pg_catalog} in six bulk queries (relations, columns, comments,
 * constraints, indexes, enums), each covering the whole database at once, inside one REPEATABLE READ, READ ONLY
 * transaction so the queries see one snapshot. Never uses {@code information_schema} and never queries per table.
 * Partitions are folded under their root table (see {@link TableInfo}). Stateless and thread-safe.
 */
public final class SchemaIntrospector {
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
                + " AND " + n + ".nspname NOT LIKE 'pg\\_temp\\_%' AND " + n + ".nspname NOT LIKE 'pg\\_toast\\_temp\\_%'"
                + " AND (cardinality(?::text[]) = 0 OR " + n + ".nspname = ANY (?::text[]))"
                + " AND " + n + ".nspname <> ALL (?::text[])";
    }

    /** Binds the three parameters of {@link #schemaFilter(String)} starting at {@code index}. */
    int bindFilter(Connection c, PreparedStatement ps, int index) throws SQLException {
        Array include = c.createArrayOf("text", includeSchemas.toArray());
        Array exclude = c.createArrayOf("text", excludeSchemas.toArray());
        ps.setArray(index, include);
        ps.setArray(index + 1, include);
        ps.setArray(index + 2, exclude);
        return index + 3;
    }

    private static final String RELATIONS_SQL = "SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples,"
            + " c.relispartition, CASE WHEN c.relispartition THEN"
            + " (SELECT i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1) END"
            + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN " + RELKINDS + " AND " + schemaFilter("n");

    private static final String FROM_TOP_LEVEL = " JOIN pg_catalog.pg_class c ON c.oid = {rel}"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN " + RELKINDS + " AND NOT c.relispartition AND " + schemaFilter("n");

    private static final String COLUMNS_SQL = "SELECT a.attrelid, a.attnum, a.attname,"
            + " pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity, a.attgenerated,"
            + " CASE WHEN a.atthasdef THEN (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid)"
            + " FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum) END"
            + " FROM pg_catalog.pg_attribute a" + FROM_TOP_LEVEL.replace("{rel}", "a.attrelid")
            + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum";

    private static final String COMMENTS_SQL = "SELECT d.objoid, d.objsubid, d.description"
            + " FROM pg_catalog.pg_description d" + FROM_TOP_LEVEL.replace("{rel}", "d.objoid")
            + " AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass";

    private static final String CONSTRAINTS_SQL = "SELECT con.conrelid, con.conname, con.contype,"
            + " con.conkey::int4[],"
            + " CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_constraintdef(con.oid, true) END,"
            + " fn.nspname, fc.relname,"
            + " CASE WHEN con.contype = 'f' THEN ARRAY(SELECT fa.attname::text"
            + " FROM unnest(con.confkey) WITH ORDINALITY k(num, ord) JOIN pg_catalog.pg_attribute fa"
            + " ON fa.attrelid = con.confrelid AND fa.attnum = k.num ORDER BY k.ord) END"
            + " FROM pg_catalog.pg_constraint con"
            + " LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid"
            + " LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace"
            + FROM_TOP_LEVEL.replace("{rel}", "con.conrelid")
            + " AND con.contype IN ('p', 'u', 'f', 'c') AND con.conparentid = 0"
            + " ORDER BY con.conrelid, con.conname";

    private static final String INDEXES_SQL = "SELECT x.indrelid, ic.relname,"
            + " pg_catalog.pg_get_indexdef(x.indexrelid), x.indisunique, x.indisprimary"
            + " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid"
            + FROM_TOP_LEVEL.replace("{rel}", "x.indrelid")
            + " ORDER BY x.indrelid, ic.relname";

    private static final String ENUMS_SQL = "SELECT n.nspname, t.typname, e.enumlabel"
            + " FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE " + schemaFilter("n")
            + " ORDER BY n.nspname, t.typname, e.enumsortorder";

    /** A relation while it is being assembled. */
    private static final class Rel {
        final long oid;
        final String schema;
        final String name;
        final char relkind;
        final double reltuples;
        final boolean partition;
        final long parent;
        final List<ColumnInfo> columns = new ArrayList<>();
        final Map<Integer, String> attnames = new HashMap<>();
        final Map<Integer, String> columnComments = new HashMap<>();
        @Nullable String comment;
        List<String> primaryKey = List.of();
        final List<List<String>> uniques = new ArrayList<>();
        final List<ForeignKey> foreignKeys = new ArrayList<>();
        final List<String> checks = new ArrayList<>();
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
        Objects.requireNonNull(c, "c == null");
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (var st = c.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            SchemaModel model = readInTransaction(c);
            c.rollback();
            return model;
        } finally {
            try {
                c.rollback();
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private SchemaModel readInTransaction(Connection c) throws SQLException {
        Instant at = Instant.now();
        Map<Long, Rel> rels = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(RELATIONS_SQL)) {
            bindFilter(c, ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    rels.put(oid, new Rel(oid, rs.getString(2), rs.getString(3), rs.getString(4).charAt(0),
                            rs.getDouble(5), rs.getBoolean(6), rs.getLong(7)));
                }
            }
        }
        // Comments first, so columns can pick theirs up as they are built.
        try (PreparedStatement ps = c.prepareStatement(COMMENTS_SQL)) {
            bindFilter(c, ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rel r = rels.get(rs.getLong(1));
                    if (r == null) {
                        continue;
                    }
                    int sub = rs.getInt(2);
                    if (sub == 0) {
                        r.comment = rs.getString(3);
                    } else {
                        r.columnComments.put(sub, rs.getString(3));
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(COLUMNS_SQL)) {
            bindFilter(c, ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rel r = rels.get(rs.getLong(1));
                    if (r == null) {
                        continue;
                    }
                    int attnum = rs.getInt(2);
                    String name = rs.getString(3);
                    String identity = switch (nullToEmpty(rs.getString(6))) {
                        case "a" -> "ALWAYS";
                        case "d" -> "BY DEFAULT";
                        default -> null;
                    };
                    boolean generated = !nullToEmpty(rs.getString(7)).isEmpty();
                    String expr = rs.getString(8);
                    r.attnames.put(attnum, name);
                    r.columns.add(new ColumnInfo(name, rs.getString(4), !rs.getBoolean(5),
                            generated ? null : expr, identity, generated ? expr : null,
                            r.columnComments.get(attnum)));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(CONSTRAINTS_SQL)) {
            bindFilter(c, ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rel r = rels.get(rs.getLong(1));
                    if (r == null) {
                        continue;
                    }
                    String name = rs.getString(2);
                    char type = rs.getString(3).charAt(0);
                    List<String> cols = names(r, rs.getArray(4));
                    switch (type) {
                        case 'p' -> r.primaryKey = cols;
                        case 'u' -> r.uniques.add(cols);
                        case 'c' -> r.checks.add(rs.getString(5));
                        case 'f' -> {
                            Array refs = rs.getArray(8);
                            List<String> refCols = new ArrayList<>();
                            if (refs != null) {
                                for (Object o : (Object[]) refs.getArray()) {
                                    refCols.add((String) o);
                                }
                            }
                            r.foreignKeys.add(new ForeignKey(name, cols, nullToEmpty(rs.getString(6)),
                                    nullToEmpty(rs.getString(7)), refCols));
                        }
                        default -> {
                            // only p, u, c and f are selected
                        }
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(INDEXES_SQL)) {
            bindFilter(c, ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rel r = rels.get(rs.getLong(1));
                    if (r != null) {
                        r.indexes.add(new IndexInfo(rs.getString(2), rs.getString(3), rs.getBoolean(4),
                                rs.getBoolean(5)));
                    }
                }
            }
        }
        List<EnumType> enums = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(ENUMS_SQL)) {
            bindFilter(c, ps, 1);
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
        return assemble(rels, enums, at);
    }

    private static SchemaModel assemble(Map<Long, Rel> rels, List<EnumType> enums, Instant at) {
        List<Rel> roots = new ArrayList<>();
        for (Rel r : rels.values()) {
            if (!r.partition) {
                roots.add(r);
                continue;
            }
            Rel root = r;
            int guard = 0;
            while (root != null && root.partition && guard++ < 100) {
                root = rels.get(root.parent);
            }
            if (root != null && !root.partition) {
                root.partitions.add(r); // a partition whose root is not introspected is left out
            }
        }
        roots.sort(Comparator.comparing((Rel r) -> r.schema).thenComparing(r -> r.name));
        List<TableInfo> tables = new ArrayList<>(roots.size());
        for (Rel r : roots) {
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
            tables.add(new TableInfo(r.schema, r.name, kind(r.relkind), r.columns, r.primaryKey, r.uniques,
                    r.foreignKeys, r.checks, r.indexes, r.comment, estimate, partitionNames));
        }
        return new SchemaModel(tables, enums, at);
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

    private static List<String> names(Rel r, @Nullable Array attnums) throws SQLException {
        if (attnums == null) {
            return List.of();
        }
        Object[] nums = (Object[]) attnums.getArray();
        List<String> out = new ArrayList<>(nums.length);
        for (Object o : nums) {
            int attnum = ((Number) o).intValue();
            out.add(r.attnames.getOrDefault(attnum, "#" + attnum));
        }
        return out;
    }

    private static String nullToEmpty(@Nullable String s) {
        return s == null ? "" : s;
    }
}
