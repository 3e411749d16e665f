package dev.pgagent.db.postgres;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.schema.ColumnRef;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.SchemaSource;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import dev.pgagent.api.schema.ValueSampler;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the values of text columns from PostgreSQL where that is cheap and meaningful, running every statement
 * through a {@link SqlGateway} (the agent's guarded path: validated, plan-checked, under its limits, audited).
 *
 * <ul>
 *   <li>Statistics first: one query on {@code pg_stats} for all columns asked about gives the most common values
 *       (most frequent first), or, for a column without any, the histogram bounds when they hold at most
 *       {@link Builder#maxValues(int)} values (every distinct value of a small column). A column whose statistics
 *       show neither, or a longer histogram, has mostly distinct values: it is not a category and is not sampled
 *       further.
 *   <li>Otherwise, for a table or a populated materialized view only, a bounded query
 *       ({@code SELECT DISTINCT} over at most {@link Builder#scanRows(int)} rows, at most
 *       {@link Builder#maxValues(int)} values back). Views and foreign tables are never scanned (a view can be as
 *       expensive as its definition), nor are materialized views that were created {@code WITH NO DATA}. The kind
 *       of each relation comes from the {@link Builder#schema(SchemaSource) schema source} when one is set and from
 *       {@code pg_class} ({@code relkind}, {@code relispopulated}) otherwise; when neither can be read, a relation
 *       of unknown kind is scanned, bounded as above.
 *   <li>A column with a sampled value longer than {@link Builder#maxValueLength(int)} characters, or whose average
 *       width in the statistics is, is skipped altogether: a long value is free text or an aggregate
 *       ({@code 'ADAM GRANT, JUDE CRUISE, ...'}), not a value to filter on.
 * </ul>
 *
 * <p>Statements are built from catalog identifiers only, quoted, never from question text. A statement the gateway
 * refuses, or one that fails or times out, is logged at DEBUG and its columns are remembered as having no sample; a
 * catalog query the gateway refused ({@code pg_stats} under denied columns, both catalogs under a policy limiting
 * schemas) is not asked again by this sampler.
 * Results, empty ones included, are cached for the life of the sampler (build one per schema version); columns
 * without a sample are left out of what {@link #sample} returns. Thread-safe.
 *
 * <pre>{@code
 * ValueSampler sampler = PgValueSampler.builder()
 *     .gateway(guardedGateway)      // e.g. the agent's SqlGateway
 *     .schema(db)                   // optional: relation kinds without reading pg_class
 *     .build();
 * SchemaContextBuilder builder = SchemaContextBuilder.builder().schema(db.schema()).valueSampler(sampler).build();
 * }</pre>
 */
public final class PgValueSampler implements ValueSampler {
    private static final Logger LOG = LoggerFactory.getLogger(PgValueSampler.class);

    private final SqlGateway gateway;
    private final @Nullable SchemaSource schema;
    private final int maxValues;
    private final int scanRows;
    private final int maxValueLength;
    private final Map<ColumnRef, List<String>> cache = new ConcurrentHashMap<>();
    private final AtomicBoolean statisticsRefused = new AtomicBoolean();
    private final AtomicBoolean kindsRefused = new AtomicBoolean();

    private PgValueSampler(Builder b, SqlGateway gateway) {
        this.gateway = gateway;
        this.schema = b.schema;
        this.maxValues = b.maxValues;
        this.scanRows = b.scanRows;
        this.maxValueLength = b.maxValueLength;
    }

    /** Returns a sampler running its statements through {@code gateway}, with the other defaults of {@link Builder}. */
    public static PgValueSampler of(SqlGateway gateway) {
        return builder().gateway(gateway).build();
    }

    /**
     * Returns a sampler over {@code db} without a safety layer: statements run directly through
     * {@link PostgresDatabase#read} (read-only transaction) under {@link ExecutionLimits#defaults()} with a 2-second
     * statement timeout, unvalidated and unaudited. For tests and tools; an agent passes its guarded gateway to
     * {@link Builder#gateway(SqlGateway)} instead.
     */
    public static PgValueSampler of(PostgresDatabase db) {
        return builder().database(db).build();
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Map<ColumnRef, List<String>> sample(List<ColumnRef> columns) {
        Objects.requireNonNull(columns, "columns == null");
        Map<ColumnRef, List<String>> out = new LinkedHashMap<>();
        List<ColumnRef> missing = new ArrayList<>();
        for (ColumnRef c : columns) {
            List<String> v = cache.get(c);
            if (v != null) {
                if (!v.isEmpty()) {
                    out.put(c, v);
                }
            } else if (!missing.contains(c)) {
                missing.add(c);
            }
        }
        if (missing.isEmpty()) {
            return out;
        }
        Map<ColumnRef, List<String>> fromStats = fromStatistics(missing);
        List<ColumnRef> toScan = new ArrayList<>();
        for (ColumnRef c : missing) {
            List<String> v = fromStats.get(c);
            if (v != null) {
                remember(c, v, out);
            } else {
                toScan.add(c);
            }
        }
        if (toScan.isEmpty()) {
            return out;
        }
        Map<String, Relation> relations = relations(toScan);
        for (ColumnRef c : toScan) {
            Relation r = relations.getOrDefault(key(c.schema(), c.table()), Relation.UNKNOWN);
            if (!r.scannable()) {
                LOG.debug("Not sampling {}: {}", c, r.why());
                remember(c, List.of(), out);
                continue;
            }
            remember(c, fromTable(c), out);
        }
        return out;
    }

    private void remember(ColumnRef c, List<String> values, Map<ColumnRef, List<String>> out) {
        List<String> v = List.copyOf(values);
        cache.put(c, v);
        if (!v.isEmpty()) {
            out.put(c, v);
        }
    }

    /**
     * Reads {@code pg_stats} for all columns at once.
     *
     * @return by column with statistics: its values, empty when it has statistics but no sample worth showing;
     *     columns without statistics (or all, when the statement did not run) are left out
     */
    private Map<ColumnRef, List<String>> fromStatistics(List<ColumnRef> columns) {
        StringBuilder in = new StringBuilder();
        for (ColumnRef c : columns) {
            if (in.length() > 0) {
                in.append(", ");
            }
            in.append('(')
                    .append(literal(c.schema()))
                    .append(", ")
                    .append(literal(c.table()))
                    .append(", ")
                    .append(literal(c.column()))
                    .append(')');
        }
        // most_common_vals and histogram_bounds are anyarray; their text forms parse as text[]. One more value than
        // kept is read so that a histogram too long to be the whole column shows itself.
        String sql = "SELECT s.schemaname::text, s.tablename::text, s.attname::text, s.inherited,"
                + " s.most_common_vals IS NULL AS from_histogram, v.val, s.avg_width"
                + " FROM pg_catalog.pg_stats s"
                + " LEFT JOIN LATERAL unnest(coalesce(s.most_common_vals::text, s.histogram_bounds::text)::text[])"
                + " WITH ORDINALITY AS v(val, ord) ON v.ord <= " + (maxValues + 1)
                + " WHERE (s.schemaname::text, s.tablename::text, s.attname::text) IN (" + in + ")"
                + " ORDER BY 1, 2, 3, 4 DESC, v.ord";
        QueryResult r = runCatalog(sql, "statistics of " + columns.size() + " columns", statisticsRefused);
        Map<ColumnRef, List<String>> out = new HashMap<>();
        if (r == null) {
            return out;
        }
        Map<ColumnRef, String> inheritedSeen = new HashMap<>();
        Set<ColumnRef> rejected = new LinkedHashSet<>();
        for (List<@Nullable String> row : r.rows()) {
            String s = row.get(0);
            String t = row.get(1);
            String a = row.get(2);
            String inherited = row.get(3);
            if (s == null || t == null || a == null) {
                continue;
            }
            ColumnRef c = new ColumnRef(s, t, a);
            // A parent of inheritance children has two rows of statistics; the first (with children) counts.
            if (!Objects.equals(
                    inheritedSeen.computeIfAbsent(c, k -> String.valueOf(inherited)), String.valueOf(inherited))) {
                continue;
            }
            List<String> vals = out.computeIfAbsent(c, k -> new ArrayList<>());
            String width = row.get(6);
            if (width != null && Integer.parseInt(width) > maxValueLength) {
                rejected.add(c); // on average longer than a value worth showing: free text
            }
            String v = row.get(5);
            if (v == null) {
                continue;
            }
            if (v.length() > maxValueLength) {
                rejected.add(c);
            } else if (!vals.contains(v)) {
                vals.add(v);
            }
            if ("t".equals(row.get(4)) || "true".equals(row.get(4))) {
                // Histogram bounds stand for the whole column only when there are few of them.
                if (vals.size() > maxValues) {
                    rejected.add(c);
                }
            }
        }
        for (ColumnRef c : rejected) {
            LOG.debug("Not sampling {}: its values are long or mostly distinct", c);
            out.put(c, List.of());
        }
        for (Map.Entry<ColumnRef, List<String>> e : out.entrySet()) {
            if (e.getValue().size() > maxValues) {
                e.setValue(e.getValue().subList(0, maxValues));
            }
        }
        return out;
    }

    /** What a relation is, as far as sampling is concerned. */
    private record Relation(boolean scannable, String why) {
        static final Relation UNKNOWN = new Relation(true, "unknown kind");
    }

    /** Returns the relations of {@code columns} by {@link #key}; relations not found are left out. */
    private Map<String, Relation> relations(List<ColumnRef> columns) {
        Map<String, Relation> out = new HashMap<>();
        Set<String> ask = new LinkedHashSet<>();
        SchemaModel model = null;
        if (schema != null) {
            try {
                model = schema.schema();
            } catch (DatabaseException e) {
                LOG.debug("Reading the schema for relation kinds failed: {}", e.getMessage());
            }
        }
        Map<String, TableInfo> known = new HashMap<>();
        if (model != null) {
            for (TableInfo t : model.tables()) {
                known.put(key(t.schema(), t.name()), t);
            }
        }
        for (ColumnRef c : columns) {
            String k = key(c.schema(), c.table());
            if (out.containsKey(k) || ask.contains(k)) {
                continue;
            }
            TableInfo t = known.get(k);
            if (t == null || t.kind() == TableKind.MATERIALIZED_VIEW) {
                ask.add(k); // whether a materialized view is populated is not in the model
            } else {
                out.put(k, of(t.kind()));
            }
        }
        if (ask.isEmpty()) {
            return out;
        }
        StringBuilder in = new StringBuilder();
        for (ColumnRef c : columns) {
            String k = key(c.schema(), c.table());
            if (ask.remove(k)) {
                if (in.length() > 0) {
                    in.append(", ");
                }
                in.append('(')
                        .append(literal(c.schema()))
                        .append(", ")
                        .append(literal(c.table()))
                        .append(')');
            }
        }
        String sql = "SELECT n.nspname::text, c.relname::text, c.relkind::text, c.relispopulated"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE (n.nspname::text, c.relname::text) IN (" + in + ")";
        QueryResult r = runCatalog(sql, "relation kinds", kindsRefused);
        if (r == null) {
            return out;
        }
        Relation absent = new Relation(false, "no such relation in pg_class");
        for (ColumnRef c : columns) {
            out.putIfAbsent(key(c.schema(), c.table()), absent);
        }
        for (List<@Nullable String> row : r.rows()) {
            String s = row.get(0);
            String t = row.get(1);
            String kind = row.get(2);
            if (s == null || t == null || kind == null) {
                continue;
            }
            boolean populated = !"f".equals(row.get(3)) && !"false".equals(row.get(3));
            Relation rel = switch (kind) {
                case "r", "p" -> new Relation(true, "a table");
                case "m" ->
                    populated
                            ? new Relation(true, "a populated materialized view")
                            : new Relation(false, "a materialized view that is not populated");
                case "v" -> new Relation(false, "a view (as expensive as its definition)");
                case "f" -> new Relation(false, "a foreign table");
                default -> new Relation(false, "not a table (relkind " + kind + ")");
            };
            out.put(key(s, t), rel);
        }
        return out;
    }

    private static Relation of(TableKind kind) {
        return switch (kind) {
            case TABLE, PARTITIONED_TABLE -> new Relation(true, "a table");
            case MATERIALIZED_VIEW -> new Relation(true, "a materialized view");
            case VIEW -> new Relation(false, "a view (as expensive as its definition)");
            case FOREIGN_TABLE -> new Relation(false, "a foreign table");
        };
    }

    private static String key(String schema, String table) {
        return schema + '\u0000' + table;
    }

    private List<String> fromTable(ColumnRef c) {
        String col = identifier(c.column());
        // Distinct values of a bounded sample, values too long to show first so that one of them reveals itself.
        String sql = "SELECT left(v, " + (maxValueLength + 1) + ") AS v FROM (SELECT DISTINCT " + col
                + "::text AS v FROM (SELECT " + col + " FROM " + identifier(c.schema()) + "." + identifier(c.table())
                + " WHERE " + col + " IS NOT NULL LIMIT " + scanRows + ") AS r) AS d"
                + " ORDER BY length(v) > " + maxValueLength + " DESC, v LIMIT " + maxValues;
        QueryResult r = run(sql, "values of " + c);
        if (r == null) {
            return List.of();
        }
        List<String> vals = new ArrayList<>();
        for (List<@Nullable String> row : r.rows()) {
            String v = row.get(0);
            if (v == null) {
                continue;
            }
            if (v.length() > maxValueLength) {
                LOG.debug("Not sampling {}: it has values longer than {} characters", c, maxValueLength);
                return List.of();
            }
            vals.add(v);
        }
        return vals;
    }

    /** Runs {@code sql} through the gateway; returns its rows, or null (logged at DEBUG) when it did not run. */
    private @Nullable QueryResult run(String sql, String what) {
        StatementOutcome o = runOutcome(sql, what);
        return o.isExecuted() ? o.result() : null;
    }

    private StatementOutcome runOutcome(String sql, String what) {
        StatementOutcome o = gateway.execute(sql);
        if (!o.isExecuted() || o.result() == null) {
            LOG.debug("Sampling ({}) did not run: {} {}", what, o.status(), o.error());
        }
        return o;
    }

    /**
     * Runs a catalog query unless the gateway refused it before (its policy will not change for this sampler: asking
     * again would only add refusals to the audit trail).
     */
    private @Nullable QueryResult runCatalog(String sql, String what, AtomicBoolean refused) {
        if (refused.get()) {
            return null;
        }
        StatementOutcome o = runOutcome(sql, what);
        if (o.status() == StatementOutcome.Status.REFUSED) {
            refused.set(true);
        }
        return o.isExecuted() ? o.result() : null;
    }

    /** Returns {@code s} as a SQL string literal. */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** Returns {@code s} as a quoted SQL identifier. */
    static String identifier(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    @Override
    public String toString() {
        return "PgValueSampler[maxValues=" + maxValues + ", maxValueLength=" + maxValueLength + ", cached="
                + cache.size() + "]";
    }

    /**
     * A gateway straight to a database: every statement runs through {@link PostgresDatabase#read} under fixed
     * limits, with no validation. Failures become outcomes, as the guarded gateway reports them.
     */
    private static final class DirectGateway implements SqlGateway {
        private static final Verdict UNCHECKED =
                Verdict.allow(StatementKind.READ, "value sampling without a safety layer", Set.of());

        private final PostgresDatabase db;
        private final ExecutionLimits limits;

        DirectGateway(PostgresDatabase db, ExecutionLimits limits) {
            this.db = db;
            this.limits = limits;
        }

        @Override
        public StatementOutcome execute(String sql) {
            try {
                return StatementOutcome.executed(sql, UNCHECKED, db.read(sql, limits, new QueryCancellation()));
            } catch (DeniedDataException e) {
                return StatementOutcome.refused(sql, Verdict.deny(StatementKind.READ, e.reason(), Set.of()));
            } catch (DatabaseException e) {
                return StatementOutcome.failed(
                        sql, UNCHECKED, e.getMessage(), e.sqlState().orElse(null), Duration.ZERO);
            } catch (CancelledException e) {
                return new StatementOutcome(
                        sql,
                        UNCHECKED,
                        StatementOutcome.Status.CANCELLED,
                        null,
                        -1,
                        e.getMessage(),
                        null,
                        Duration.ZERO);
            }
        }

        @Override
        public StatementOutcome explain(String sql) {
            throw new UnsupportedOperationException("the sampler's direct gateway does not explain");
        }

        @Override
        public Verdict check(String sql) {
            return UNCHECKED;
        }

        @Override
        public String toString() {
            return "DirectGateway[" + limits + "]";
        }
    }

    /** Builds a {@link PgValueSampler}. Not thread-safe. */
    public static final class Builder {
        private @Nullable SqlGateway gateway;
        private @Nullable PostgresDatabase db;
        private @Nullable SchemaSource schema;
        private int maxValues = 20;
        private int scanRows = 10_000;
        private int maxValueLength = 64;
        private ExecutionLimits limits = ExecutionLimits.defaults().withStatementTimeout(Duration.ofSeconds(2));

        private Builder() {}

        /**
         * Sets the gateway every sampling statement runs through. Required unless {@link #database} is set; the
         * gateway's limits (statement timeout, row cap) apply.
         */
        public Builder gateway(SqlGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway == null");
            return this;
        }

        /**
         * Sets a database to sample directly, without a safety layer, under {@link #limits}: for tests and tools.
         * Default: none. Cannot be combined with {@link #gateway}.
         */
        public Builder database(PostgresDatabase db) {
            this.db = Objects.requireNonNull(db, "db == null");
            return this;
        }

        /**
         * Sets the limits statements run under when sampling a {@link #database} directly; a gateway applies its
         * own. Default: {@link ExecutionLimits#defaults()} with a 2-second statement timeout.
         */
        public Builder limits(ExecutionLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits == null");
            return this;
        }

        /**
         * Sets where the kinds of relations come from, so that views and foreign tables are known without reading
         * {@code pg_class} (which a policy limiting schemas refuses). Default: none; {@code pg_class} is read.
         */
        public Builder schema(SchemaSource schema) {
            this.schema = Objects.requireNonNull(schema, "schema == null");
            return this;
        }

        /** Sets how many distinct values to keep a column. Default: 20; must be 1 to 1000. */
        public Builder maxValues(int maxValues) {
            if (maxValues < 1 || maxValues > 1000) {
                throw new IllegalArgumentException("maxValues must be 1 to 1000 but was " + maxValues);
            }
            this.maxValues = maxValues;
            return this;
        }

        /** Sets how many rows the table query reads at most before taking distinct values. Default: 10,000. */
        public Builder scanRows(int scanRows) {
            if (scanRows < 1) {
                throw new IllegalArgumentException("scanRows must be >= 1 but was " + scanRows);
            }
            this.scanRows = scanRows;
            return this;
        }

        /**
         * Sets the longest value, in characters, worth showing; a column with a longer value is not sampled.
         * Default: 64; must be 1 to 1000.
         */
        public Builder maxValueLength(int maxValueLength) {
            if (maxValueLength < 1 || maxValueLength > 1000) {
                throw new IllegalArgumentException("maxValueLength must be 1 to 1000 but was " + maxValueLength);
            }
            this.maxValueLength = maxValueLength;
            return this;
        }

        /**
         * Returns the sampler.
         *
         * @throws IllegalStateException if neither or both of a gateway and a database were set
         */
        public PgValueSampler build() {
            if (gateway != null && db != null) {
                throw new IllegalStateException(
                        "gateway and database must not both be set but were " + gateway + " and " + db);
            }
            if (gateway != null) {
                return new PgValueSampler(this, gateway);
            }
            if (db == null) {
                throw new IllegalStateException("gateway must be set but was null");
            }
            return new PgValueSampler(this, new DirectGateway(db, limits));
        }
    }
}
