package dev.pgagent.db.postgres;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.SchemaSource;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.ExportResult;
import dev.pgagent.api.sql.QueryResult;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guarded access to one PostgreSQL database through the host's {@link DataSource}: cached schema introspection,
 * reads in a rolled-back READ ONLY transaction under timeouts and caps, and dry-run/apply of writes. Thread-safe;
 * build one per database and share it.
 *
 * <p><b>Reads.</b> Each {@link #read read} borrows a connection, turns autocommit off, runs
 * {@code SET TRANSACTION READ ONLY}, sets {@code statement_timeout}, {@code lock_timeout} (and the role, when the
 * limits name one) with {@code set_config(..., true)} bound as parameters, runs the one statement as a
 * {@link java.sql.PreparedStatement} over the extended protocol (the text must hold exactly one statement; a
 * connection in {@code preferQueryMode=simple} is refused), streams it with the limits' fetch size, stops at the row
 * or byte cap, always rolls back, and hands the connection back with its autocommit restored. Values come back as
 * PostgreSQL prints them (text format), booleans as {@code true}/{@code false}, bytea as {@code \x} hex.
 *
 * <p><b>Cancellation.</b> {@link QueryCancellation#cancel()} from another thread, or interrupting the calling thread,
 * cancels the running statement on the server within about 25 ms and surfaces as
 * {@link dev.pgagent.api.CancelledException}; a {@code statement_timeout} surfaces as a {@link DatabaseException}
 * with SQLSTATE 57014.
 *
 * <p><b>Writes.</b> {@link #dryRun dryRun} runs a write under the same timeouts in a transaction it always rolls
 * back and reports the affected rows (and {@code RETURNING} rows); {@link #apply apply} runs it in its own transaction
 * and commits only if it affected as many rows as the dry run did.
 *
 * <p><b>Read replica.</b> With {@link Builder#readReplica(DataSource)}, reads ({@link #read read},
 * {@link #explainJson explainJson}, {@link #explainAnalyzeJson explainAnalyzeJson}, {@link #export export}) run on the
 * replica while its replay lag is within {@link Builder#maxReplicaLag(Duration)}, so they may see data up to that
 * much older than the primary's; {@link #dryRun dryRun}, {@link #apply apply}, {@link #applyAtMost applyAtMost} and
 * schema introspection always run on the primary. The lag is checked on the replica at most every
 * {@code min(1 s, maxReplicaLag / 4)}: 0 when it is not in recovery, or when its WAL receiver is streaming and it has
 * replayed all it received; else the age of its last replayed commit ({@code clock_timestamp() -
 * pg_last_xact_replay_timestamp()}, conservative after an idle spell of the primary; unknown, and so too far behind,
 * when nothing was replayed since it started). The replica is used while {@code lag + check interval <=
 * maxReplicaLag}. A replica that is too far behind or cannot be reached sends reads to the primary (a WARN log once
 * per change of state; an unreachable one is tried again after 2 s). A statement that fails on the replica is not
 * run again on the primary, since it would fail there too, except after a lost connection and after SQLSTATE 40001
 * ("canceling statement due to conflict with recovery"), which run it once on the primary (an export only when it
 * had written nothing yet). {@link #replicaStats()} counts where reads ran.
 *
 * <p><b>Schema cache.</b> {@link #schema()} introspects on first use (one bulk catalog query per kind of object for
 * the whole database; see {@link SchemaModel} and {@link TableInfo} for what is read and how partitions are
 * folded). Afterwards, within {@link Builder#schemaCheckInterval(Duration)} the cached model is returned as is;
 * after it, a cheap check decides whether the catalog changed: first the transaction snapshot (no transaction
 * began writing or ended: nothing changed; microseconds), else one aggregate over {@code pg_class},
 * {@code pg_description}, {@code pg_constraint}, {@code pg_enum} and the statistics counters of the column
 * catalogs (about 15 ms on 10,000 tables). A change triggers an <em>incremental</em> refresh: one more query finds
 * which relations have catalog rows written since the cached model was read (by {@code xmin}, compared by age so
 * that xid wraparound is harmless) or lost constraints, indexes, comments or defaults, and only those relations
 * (with their partitions, and the tables whose foreign keys point at them or whose columns have their row type)
 * are re-read with the same bulk queries restricted to their OIDs; the new model shares every unchanged {@link TableInfo} instance with the old one and
 * equals what a full read would return. It falls back to a full re-read when more than a fifth of the relations
 * (and more than 20) changed, or when a change cannot be attributed to relations (a renamed schema, type, sequence
 * or function). {@link #refreshSchema()} always re-reads everything. Column-only changes (a renamed or dropped
 * column, a new default) are seen through the statistics counters, which lag their commit by up to about a
 * second.
 *
 * <p><b>Shared cache.</b> The cached schema belongs to the data source, not to one instance: every
 * {@code PostgresDatabase} built on the same {@link DataSource} object (identity, not {@code equals}) with the same
 * include and exclude schema sets shares it, whatever its other settings. The first {@link #schema()} of any of them
 * introspects and the others reuse the result; a freshness check made by one (each uses its own
 * {@link Builder#schemaCheckInterval(Duration) interval} against the time of the last check, whoever made it) serves
 * them all; a change one of them sees, or a {@link #refreshSchema()} by one of them, replaces the model for all and
 * calls the {@link #onChange(java.util.function.Consumer) change listeners} of every one of them. So the sessions of
 * an agent, and several agents on one pool, introspect once. The registry holds data sources and instances weakly:
 * a data source the host drops, with the databases built on it, takes its cache with it. Listeners stay per
 * instance ({@code onChange} registers on this instance only).
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
public final class PostgresDatabase implements SchemaSource {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresDatabase.class);

    /** The default of {@link Builder#maxReplicaLag(Duration)}: 10 s. */
    @dev.pgagent.api.Experimental
    public static final Duration DEFAULT_MAX_REPLICA_LAG = Duration.ofSeconds(10);

    /** The largest {@link Builder#maxReplicaLag(Duration)} accepted: 1 hour. */
    @dev.pgagent.api.Experimental
    public static final Duration MAX_REPLICA_LAG = Duration.ofHours(1);

    private final DataSource dataSource;
    private final List<String> includeSchemas;
    private final List<String> excludeSchemas;
    private final Duration schemaCheckInterval;

    private PostgresDatabase(Builder b) {
        this.dataSource = Objects.requireNonNull(b.dataSource, "dataSource");
        this.includeSchemas = List.copyOf(b.includeSchemas);
        this.excludeSchemas = List.copyOf(b.excludeSchemas);
        this.schemaCheckInterval = b.schemaCheckInterval;
        this.executor = new GuardedExecutor(dataSource);
        this.exporter = new GuardedExport(dataSource);
        this.readReplica = b.readReplica;
        this.maxReplicaLag = b.maxReplicaLag;
        if (readReplica != null) {
            this.router = new ReplicaRouter(readReplica, maxReplicaLag);
            this.replicaExecutor = new GuardedExecutor(readReplica);
            this.replicaExporter = new GuardedExport(readReplica);
        } else {
            this.router = null;
            this.replicaExecutor = null;
            this.replicaExporter = null;
        }
        this.cache = SchemaCache.join(dataSource, includeSchemas, excludeSchemas, this);
    }

    private final @Nullable DataSource readReplica;
    private final Duration maxReplicaLag;
    private final @Nullable ReplicaRouter router;
    private final @Nullable GuardedExecutor replicaExecutor;
    private final @Nullable GuardedExport replicaExporter;
    private final SchemaCache cache;
    private final GuardedExecutor executor;
    private final GuardedExport exporter;
    private final java.util.List<java.util.function.Consumer<SchemaModel>> changeListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Returns a database over {@code dataSource} with the default settings. */
    public static PostgresDatabase of(DataSource dataSource) {
        return builder().dataSource(dataSource).build();
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding this database's settings (not its cached schema). */
    public Builder toBuilder() {
        Builder b = builder()
                .dataSource(dataSource)
                .includeSchemas(includeSchemas.toArray(String[]::new))
                .excludeSchemas(excludeSchemas.toArray(String[]::new))
                .schemaCheckInterval(schemaCheckInterval)
                .maxReplicaLag(maxReplicaLag);
        if (readReplica != null) {
            b.readReplica(readReplica);
        }
        return b;
    }

    /** Returns the read replica's data source, if one was set. */
    @dev.pgagent.api.Experimental
    public java.util.Optional<DataSource> readReplica() {
        return java.util.Optional.ofNullable(readReplica);
    }

    /** Returns how far behind the primary the read replica may be for reads to go to it. */
    @dev.pgagent.api.Experimental
    public Duration maxReplicaLag() {
        return maxReplicaLag;
    }

    /**
     * Returns where reads ran so far (on the replica, or on the primary and why) and the replica's last known state;
     * all zero and {@link ReplicaStats.State#NONE} without a replica.
     */
    @dev.pgagent.api.Experimental
    public ReplicaStats replicaStats() {
        ReplicaRouter r = router;
        return r == null ? new ReplicaStats(ReplicaStats.State.NONE, -1, 0, 0, 0, 0) : r.stats();
    }

    /** Runs a read on the replica when it is current, else (or after a lost connection or a conflict) on the primary. */
    private <T> T routed(java.util.function.BiFunction<GuardedExecutor, GuardedExport, T> read) {
        return routed(read, () -> true);
    }

    private <T> T routed(
            java.util.function.BiFunction<GuardedExecutor, GuardedExport, T> read,
            java.util.function.BooleanSupplier mayRetry) {
        ReplicaRouter r = router;
        GuardedExecutor replicaEx = replicaExecutor;
        GuardedExport replicaExp = replicaExporter;
        if (r == null || replicaEx == null || replicaExp == null) {
            return read.apply(executor, exporter);
        }
        ReplicaRouter.Route route = r.route();
        if (route != ReplicaRouter.Route.REPLICA) {
            r.count(route);
            return read.apply(executor, exporter);
        }
        T result;
        try {
            result = read.apply(replicaEx, replicaExp);
        } catch (DatabaseException e) {
            ReplicaRouter.Route retry = r.retryOnPrimary(e);
            if (retry == null || !mayRetry.getAsBoolean()) {
                r.count(ReplicaRouter.Route.REPLICA);
                throw e;
            }
            LOG.debug("A read failed on the replica ({}); running it on the primary", e.getMessage());
            r.count(retry);
            return read.apply(executor, exporter);
        }
        r.count(ReplicaRouter.Route.REPLICA);
        return result;
    }

    /** Returns the schema cache this database shares with the others on its data source; for tests. */
    SchemaCache schemaCache() {
        return cache;
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
     * Returns the schema, introspecting on first use and re-reading when the catalog changed (then the
     * {@link #onChange(java.util.function.Consumer) change listeners} are called).
     *
     * @throws dev.pgagent.api.DatabaseException if the catalog cannot be read
     */
    public SchemaModel schema() {
        return cache.schema(dataSource, schemaCheckInterval);
    }

    /**
     * Re-reads the whole schema now (a full read, never incremental) and caches it; hosts call it to force a
     * refresh.
     *
     * @throws dev.pgagent.api.DatabaseException if the catalog cannot be read
     */
    public SchemaModel refreshSchema() {
        return cache.refresh(dataSource);
    }

    @Override
    public AutoCloseable onChange(java.util.function.Consumer<SchemaModel> listener) {
        java.util.Objects.requireNonNull(listener, "listener == null");
        changeListeners.add(listener);
        return () -> changeListeners.remove(listener);
    }

    /** Calls this database's change listeners; a failing listener is logged and skipped. */
    void changed(SchemaModel model) {
        for (java.util.function.Consumer<SchemaModel> l : changeListeners) {
            try {
                l.accept(model);
            } catch (RuntimeException e) {
                LOG.warn("A schema change listener failed; ignored", e);
            }
        }
    }

    /**
     * Runs one read-only statement and returns its rows, capped.
     *
     * @throws dev.pgagent.api.DatabaseException on a SQL error (with its SQLSTATE) or a statement timeout
     * @throws dev.pgagent.api.CancelledException if cancelled or the calling thread was interrupted
     */
    public QueryResult read(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        return routed((ex, exp) -> ex.read(sql, limits, cancellation));
    }

    /**
     * Returns the plan of {@code sql} as {@code EXPLAIN (FORMAT JSON)} prints it, run in a rolled-back READ ONLY
     * transaction (never ANALYZE).
     *
     * @throws dev.pgagent.api.DatabaseException on a SQL error
     * @throws dev.pgagent.api.CancelledException if cancelled or interrupted
     */
    public String explainJson(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        return routed((ex, exp) -> ex.explainJson(sql, limits, cancellation));
    }

    /**
     * Returns the plan of {@code sql} as {@code EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)} prints it. The statement is
     * executed, so it must be a query (SELECT, WITH, VALUES or TABLE); it runs like {@link #read} in a READ ONLY
     * transaction under the limits' timeouts, and the transaction is rolled back.
     *
     * @throws dev.pgagent.api.DatabaseException on a SQL error, or if the statement is not a query
     * @throws dev.pgagent.api.CancelledException if cancelled or interrupted
     */
    @dev.pgagent.api.Experimental
    public String explainAnalyzeJson(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        return routed((ex, exp) -> ex.explainAnalyzeJson(sql, limits, cancellation));
    }

    /**
     * Runs a write in a transaction that is always rolled back and reports what it changed.
     *
     * @throws dev.pgagent.api.DatabaseException on a SQL error
     * @throws dev.pgagent.api.CancelledException if cancelled or interrupted
     */
    public WriteDryRun dryRun(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        return executor.dryRun(sql, limits, cancellation);
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
        return executor.apply(sql, expectedRows, limits, cancellation);
    }

    /**
     * Runs a write in its own transaction and commits it only if it changed at most {@code maxRows} rows: for writes
     * whose dry run was an estimate.
     *
     * @return the number of rows changed
     * @throws dev.pgagent.api.DatabaseException on a SQL error, or if more rows changed (rolled back)
     * @throws dev.pgagent.api.CancelledException if cancelled or interrupted (rolled back)
     */
    public long applyAtMost(String sql, long maxRows, ExecutionLimits limits, QueryCancellation cancellation) {
        return executor.applyAtMost(sql, maxRows, limits, cancellation);
    }

    /**
     * Streams the rows of one read to {@code target} in the options' format, under the runtime guards of a read (a
     * READ ONLY transaction that is rolled back, the limits' statement and lock timeouts, role and plan check of
     * denied data, cancellation) but with the export's own limits: {@link ExportOptions#maxRows()} and
     * {@link ExportOptions#maxBytes()} replace the limits' row and byte caps, and the limits' fetch size sets the
     * cursor's batch. Memory stays flat whatever the size. Plain CSV of a query ({@link ExportOptions#isPlainCsv()},
     * no row filter) is written by PostgreSQL itself ({@code COPY (query) TO STDOUT (FORMAT csv)}); other exports
     * read through a cursor and format each row (see {@link dev.pgagent.api.sql.ExportFormat}). The target is
     * flushed, not closed.
     *
     * @param rowFilter changes each batch of rows before it is written (redaction), or null; a filter forces the
     *     cursor path
     * @return what was written; {@link ExportResult#truncation()} says whether a limit cut it
     * @throws dev.pgagent.api.DatabaseException on a SQL error (with its SQLSTATE), a statement timeout, or a
     *     statement that returns no rows
     * @throws dev.pgagent.api.CancelledException if cancelled or the calling thread was interrupted
     * @throws java.io.UncheckedIOException if the target cannot be written
     */
    public ExportResult export(
            String sql,
            ExportOptions options,
            ExecutionLimits limits,
            QueryCancellation cancellation,
            ExportTarget target,
            @Nullable UnaryOperator<QueryResult> rowFilter) {
        if (router == null) {
            return exporter.export(sql, options, limits, cancellation, target, rowFilter);
        }
        ExportTarget.Watched watched = new ExportTarget.Watched(target);
        return routed(
                (ex, exp) -> exp.export(sql, options, limits, cancellation, watched, rowFilter),
                () -> !watched.written());
    }

    @Override
    public String toString() {
        // the replica's data source is not printed: only whether there is one
        return "PostgresDatabase{" + dataSource
                + (readReplica == null ? "" : ", readReplica, maxReplicaLag=" + maxReplicaLag) + '}';
    }

    /** Builds a {@link PostgresDatabase}. Not thread-safe. */
    public static final class Builder {
        private @Nullable DataSource dataSource;
        private final Set<String> includeSchemas = new LinkedHashSet<>();
        private final Set<String> excludeSchemas = new LinkedHashSet<>();
        private Duration schemaCheckInterval = Duration.ofSeconds(5);
        private @Nullable DataSource readReplica;
        private Duration maxReplicaLag = DEFAULT_MAX_REPLICA_LAG;

        private Builder() {}

        /**
         * Sets a read replica (a streaming hot standby of the primary, same database): reads go to it while it is
         * within {@link #maxReplicaLag(Duration)}; writes, dry runs and schema introspection stay on the primary.
         * See the class comment for the staleness check and the fallback. Give it a short connect timeout (pgjdbc's
         * {@code connectTimeout}, or the pool's): while the replica does not answer, a read waits up to that long before it
         * runs on the primary. Default: none.
         */
        @dev.pgagent.api.Experimental
        public Builder readReplica(DataSource replica) {
            this.readReplica = Objects.requireNonNull(replica, "replica == null");
            return this;
        }

        /**
         * Sets how far the read replica's replay may lag behind for reads to go to it; when it lags more, or its lag
         * cannot be measured, reads go to the primary. Default: 10 s.
         *
         * @throws IllegalArgumentException if {@code maxLag} is not positive or is more than 1 hour
         */
        @dev.pgagent.api.Experimental
        public Builder maxReplicaLag(Duration maxLag) {
            Objects.requireNonNull(maxLag, "maxLag == null");
            if (maxLag.isNegative() || maxLag.isZero() || maxLag.compareTo(MAX_REPLICA_LAG) > 0) {
                throw new IllegalArgumentException(
                        "maxReplicaLag must be positive and at most " + MAX_REPLICA_LAG + " but was " + maxLag);
            }
            this.maxReplicaLag = maxLag;
            return this;
        }

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
