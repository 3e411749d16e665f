package dev.pgagent.db.postgres;

import dev.pgagent.api.schema.ColumnRef;
import dev.pgagent.api.schema.ValueSampler;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.sql.QueryResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples column values from PostgreSQL: first the planner's statistics ({@code pg_stats.most_common_vals}, one
 * query for all columns asked about), then, for columns without statistics, a bounded query per column
 * ({@code SELECT DISTINCT col FROM (SELECT col FROM t WHERE col IS NOT NULL LIMIT n) LIMIT k}) run through
 * {@link PostgresDatabase#read} under {@link ExecutionLimits} (read-only transaction, timeouts, row cap). Statements
 * are built only from catalog identifiers, quoted, never from question text. Results, empty ones included, are
 * cached for the life of the sampler. Thread-safe.
 *
 * <pre>{@code
 * SchemaContextBuilder builder = SchemaContextBuilder.builder()
 *     .schema(db.schema())
 *     .valueSampler(PgValueSampler.of(db))
 *     .build();
 * }</pre>
 */
public final class PgValueSampler implements ValueSampler {
    private static final Logger LOG = LoggerFactory.getLogger(PgValueSampler.class);

    private final PostgresDatabase db;
    private final int maxValues;
    private final int scanRows;
    private final ExecutionLimits limits;
    private final Map<ColumnRef, List<String>> cache = new ConcurrentHashMap<>();

    private PgValueSampler(Builder b) {
        this.db = Objects.requireNonNull(b.db, "db == null");
        this.maxValues = b.maxValues;
        this.scanRows = b.scanRows;
        this.limits = b.limits;
    }

    /** Returns a sampler with the defaults of {@link Builder}. */
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
                out.put(c, v);
            } else if (!missing.contains(c)) {
                missing.add(c);
            }
        }
        if (missing.isEmpty()) {
            return out;
        }
        Map<ColumnRef, List<String>> fromStats = fromStatistics(missing);
        for (ColumnRef c : missing) {
            List<String> v = fromStats.get(c);
            if (v == null || v.isEmpty()) {
                v = fromTable(c);
            }
            if (v != null) {
                cache.put(c, v);
                out.put(c, v);
            }
        }
        return out;
    }

    private Map<ColumnRef, List<String>> fromStatistics(List<ColumnRef> columns) {
        StringBuilder in = new StringBuilder();
        for (ColumnRef c : columns) {
            if (in.length() > 0) {
                in.append(", ");
            }
            in.append('(').append(literal(c.schema())).append(", ").append(literal(c.table())).append(", ")
                    .append(literal(c.column())).append(')');
        }
        // most_common_vals is anyarray; its text form parses as text[]. Ordered by frequency as pg_stats keeps it.
        String sql = "SELECT s.schemaname::text, s.tablename::text, s.attname::text, v.val"
                + " FROM pg_catalog.pg_stats s"
                + " CROSS JOIN LATERAL unnest(s.most_common_vals::text::text[]) WITH ORDINALITY AS v(val, ord)"
                + " WHERE (s.schemaname::text, s.tablename::text, s.attname::text) IN (" + in + ")"
                + " AND v.ord <= " + maxValues
                + " ORDER BY 1, 2, 3, s.inherited DESC, v.ord";
        Map<ColumnRef, List<String>> out = new HashMap<>();
        QueryResult r;
        try {
            r = db.read(sql, limits.withMaxRows(columns.size() * maxValues * 2), new QueryCancellation());
        } catch (PgAgentException e) {
            LOG.warn("Reading pg_stats failed; sampling tables instead: {}", e.getMessage());
            return out;
        }
        for (List<@Nullable String> row : r.rows()) {
            String s = row.get(0);
            String t = row.get(1);
            String a = row.get(2);
            String v = row.get(3);
            if (s == null || t == null || a == null || v == null) {
                continue;
            }
            List<String> vals = out.computeIfAbsent(new ColumnRef(s, t, a), k -> new ArrayList<>());
            if (vals.size() < maxValues && !vals.contains(v)) {
                vals.add(v);
            }
        }
        return out;
    }

    private @Nullable List<String> fromTable(ColumnRef c) {
        String col = identifier(c.column());
        String sql = "SELECT DISTINCT v FROM (SELECT " + col + "::text AS v FROM " + identifier(c.schema()) + "."
                + identifier(c.table()) + " WHERE " + col + " IS NOT NULL LIMIT " + scanRows + ") AS sample"
                + " ORDER BY v LIMIT " + maxValues;
        try {
            QueryResult r = db.read(sql, limits.withMaxRows(maxValues), new QueryCancellation());
            List<String> vals = new ArrayList<>();
            for (List<@Nullable String> row : r.rows()) {
                String v = row.get(0);
                if (v != null) {
                    vals.add(v);
                }
            }
            return List.copyOf(vals);
        } catch (DeniedDataException e) {
            LOG.debug("Not sampling {}: {}", c, e.reason());
            return List.of(); // cached: the policy will not change for this sampler
        } catch (PgAgentException e) {
            LOG.warn("Sampling values of {} failed: {}", c, e.getMessage());
            return null;
        }
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
        return "PgValueSampler[maxValues=" + maxValues + ", cached=" + cache.size() + "]";
    }

    /** Builds a {@link PgValueSampler}. Not thread-safe. */
    public static final class Builder {
        private @Nullable PostgresDatabase db;
        private int maxValues = 20;
        private int scanRows = 10_000;
        private ExecutionLimits limits = ExecutionLimits.defaults().withStatementTimeout(Duration.ofSeconds(2));

        private Builder() {}

        /** Sets the database to sample. Required. */
        public Builder database(PostgresDatabase db) {
            this.db = Objects.requireNonNull(db, "db == null");
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

        /** Sets how many rows the fallback query reads at most before taking distinct values. Default: 10,000. */
        public Builder scanRows(int scanRows) {
            if (scanRows < 1) {
                throw new IllegalArgumentException("scanRows must be >= 1 but was " + scanRows);
            }
            this.scanRows = scanRows;
            return this;
        }

        /**
         * Sets the limits the sampling statements run under. Default: {@link ExecutionLimits#defaults()} with a
         * 2-second statement timeout.
         */
        public Builder limits(ExecutionLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits == null");
            return this;
        }

        /**
         * Returns the sampler.
         *
         * @throws IllegalStateException if no database was set
         */
        public PgValueSampler build() {
            if (db == null) {
                throw new IllegalStateException("database must be set but was null");
            }
            return new PgValueSampler(this);
        }
    }
}
