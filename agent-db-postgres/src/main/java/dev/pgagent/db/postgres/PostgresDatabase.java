package dev.pgagent.db.postgres;

import dev.pgagent.api.sql.QueryResult;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Guarded access to one PostgreSQL database through the host's {@link DataSource}: cached schema introspection,
 * reads in a rolled-back READ ONLY transaction under timeouts and caps, and dry-run/apply of writes. Thread-safe;
 * build one per database and share it.
 *
 * <pre>{@code
 * PostgresDatabase db = PostgresDatabase.builder()
 *     .dataSource(pool)
 *     .excludeSchemas("audit")
 *     .schemaCheckInterval(Duration.ofSeconds(5))
 *     .build();
 * QueryResult r = db.read("SELECT * FROM orders", ExecutionLimits.defaults(), new QueryCancellation());
 * }</pre>
 */
public final class PostgresDatabase {
    private final DataSource dataSource;
    private final List<String> includeSchemas;
    private final List<String> excludeSchemas;
    private final Duration schemaCheckInterval;

    private PostgresDatabase(Builder b) {
        this.dataSource = Objects.requireNonNull(b.dataSource, "dataSource");
        this.includeSchemas = List.copyOf(b.includeSchemas);
        this.excludeSchemas = List.copyOf(b.excludeSchemas);
        this.schemaCheckInterval = b.schemaCheckInterval;
    }

    /** Returns a database over {@code dataSource} with the default settings. */
    public static PostgresDatabase of(DataSource dataSource) {
        return builder().dataSource(dataSource).build();
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the data source connections come from. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** Returns the schemas introspection is limited to; empty means every non-system schema. */
    public List<String> includeSchemas() {
        return includeSchemas;
    }

    /** Returns the schemas introspection leaves out, besides the system schemas. */
    public List<String> excludeSchemas() {
        return excludeSchemas;
    }

    /** Returns how long a cached schema is used without checking the catalog for changes. */
    public Duration schemaCheckInterval() {
        return schemaCheckInterval;
    }

    /**
     * Returns the schema, introspecting on first use and re-reading when the catalog changed.
     *
     * @throws dev.pgagent.api.DatabaseException if the catalog cannot be read
     */
    public SchemaModel schema() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Re-reads the whole schema now and caches it.
     *
     * @throws dev.pgagent.api.DatabaseException if the catalog cannot be read
     */
    public SchemaModel refreshSchema() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Runs one read-only statement and returns its rows, capped.
     *
     * @throws dev.pgagent.api.DatabaseException on a SQL error (with its SQLSTATE) or a statement timeout
     * @throws dev.pgagent.api.CancelledException if cancelled or the calling thread was interrupted
     */
    public QueryResult read(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Returns the plan of {@code sql} as {@code EXPLAIN (FORMAT JSON)} prints it, run in a rolled-back READ ONLY
     * transaction (never ANALYZE).
     *
     * @throws dev.pgagent.api.DatabaseException on a SQL error
     * @throws dev.pgagent.api.CancelledException if cancelled or interrupted
     */
    public String explainJson(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Runs a write in a transaction that is always rolled back and reports what it changed.
     *
     * @throws dev.pgagent.api.DatabaseException on a SQL error
     * @throws dev.pgagent.api.CancelledException if cancelled or interrupted
     */
    public WriteDryRun dryRun(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Runs a write in its own transaction and commits it only if it changed {@code expectedRows} rows.
     *
     * @param expectedRows the row count of the dry run, or -1 to skip the check (DDL)
     * @return the number of rows changed
     * @throws dev.pgagent.api.DatabaseException on a SQL error, or if the count differs (rolled back)
     * @throws dev.pgagent.api.CancelledException if cancelled or interrupted (rolled back)
     */
    public long apply(String sql, long expectedRows, ExecutionLimits limits, QueryCancellation cancellation) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    @Override
    public String toString() {
        return "PostgresDatabase{" + dataSource + '}';
    }

    /** Builds a {@link PostgresDatabase}. Not thread-safe. */
    public static final class Builder {
        private @Nullable DataSource dataSource;
        private final Set<String> includeSchemas = new LinkedHashSet<>();
        private final Set<String> excludeSchemas = new LinkedHashSet<>();
        private Duration schemaCheckInterval = Duration.ofSeconds(5);

        private Builder() {}

        /** Sets the data source (the host's pool, or one from {@link PgDataSources}). Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource == null");
            return this;
        }

        /** Limits introspection to these schemas (exact names). Default: every non-system schema. */
        public Builder includeSchemas(String... schemas) {
            for (String s : schemas) {
                includeSchemas.add(schemaName(s, "includeSchemas"));
            }
            return this;
        }

        /** Leaves these schemas (exact names) out of introspection. Default: none besides the system schemas. */
        public Builder excludeSchemas(String... schemas) {
            for (String s : schemas) {
                excludeSchemas.add(schemaName(s, "excludeSchemas"));
            }
            return this;
        }

        /**
         * Sets how long a cached schema is used without asking the catalog whether it changed; zero checks on every
         * {@link PostgresDatabase#schema()} call. Default: 5 s.
         */
        public Builder schemaCheckInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval == null");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("schemaCheckInterval must be >= 0 but was " + interval);
            }
            this.schemaCheckInterval = interval;
            return this;
        }

        private static String schemaName(@Nullable String s, String what) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException(what + " must not hold blank names but was " + s);
            }
            return s.strip();
        }

        /**
         * Returns the database.
         *
         * @throws IllegalStateException if no data source was set
         */
        public PostgresDatabase build() {
            if (dataSource == null) {
                throw new IllegalStateException("dataSource must be set but was null");
            }
            return new PostgresDatabase(this);
        }
    }
}
