package dev.pgagent.db.postgres;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.audit.AuditChain;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditSink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores audit events in PostgreSQL, in the table {@code audit_events} of a schema the host names, created by the
 * versioned script {@code dev/pgagent/db/postgres/audit/V1__audit.sql} (applied on {@link Builder#build()}, recorded in
 * {@code <schema>.pgagent_audit_version}). Each row holds the event's canonical JSON ({@code event}), its chain,
 * {@code prev_hash} and {@code hash} ({@link AuditChain}), and columns derived from the JSON: {@code event_time},
 * {@code type}, {@code session_id}, {@code ask_id}, {@code sql}, {@code outcome}, {@code attributes} (jsonb: database,
 * ms, rows, error, ...). {@link #verify(DataSource, String)} checks every chain of the table.
 *
 * <p>Events are written in batches by one background thread, from a bounded queue, in the order recorded. Two modes:
 * <ul>
 *   <li>{@link Builder#awaitCommit(boolean) awaitCommit(true)} (the default, required for
 *       {@code AuditFailurePolicy.FAIL_CLOSED}): {@link #record(AuditEvent)} returns only once the batch holding the
 *       event is committed, and throws {@link DatabaseException} if it could not be (queue full for the whole timeout,
 *       insert failed, commit not done within the timeout). Threads recording at once share batches (group commit).
 *   <li>{@code awaitCommit(false)}: {@code record} returns once the event is queued; when the queue is full the event
 *       is dropped, counted ({@link #dropped()}) and a warning is logged; a batch that fails is logged and counted
 *       ({@link #failed()}).
 * </ul>
 * Each sink keeps one hash chain, named by {@link Builder#chain(String)}; only one sink at a time may write a chain.
 * Thread-safe. Call {@link #close()} to write what is queued and stop the thread.
 *
 * <pre>{@code
 * PostgresAuditSink audit = PostgresAuditSink.builder().dataSource(pool).schema("pgagent_audit").build();
 * PostgresAgent agent = PostgresAgent.builder().llm(llm).dataSource(pool)
 *     .addAuditSink(audit).auditFailurePolicy(AuditFailurePolicy.FAIL_CLOSED).build();
 * }</pre>
 */
public final class PostgresAuditSink implements AuditSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresAuditSink.class);
    static final List<String> MIGRATIONS = List.of("V1__audit.sql");

    private final DataSource dataSource;
    private final String schema;
    private final String table;
    private final String chain;
    private final int batchSize;
    private final boolean awaitCommit;
    private final Duration timeout;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean closed;
    private @Nullable String lastHash;

    private PostgresAuditSink(Builder b, DataSource dataSource) {
        this.dataSource = dataSource;
        this.schema = b.schema;
        this.table = '"' + b.schema + "\".audit_events";
        this.chain = b.chain == null ? "sink-" + UUID.randomUUID() : b.chain;
        this.batchSize = b.batchSize;
        this.awaitCommit = b.awaitCommit;
        this.timeout = b.timeout;
        this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
        this.writer = new Thread(this::run, "pgagent-audit-" + chain);
        this.writer.setDaemon(true);
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the name of this sink's hash chain (the {@code chain} column). */
    public String chain() {
        return chain;
    }

    /** Returns the schema of the table. */
    public String schema() {
        return schema;
    }

    /** Returns how many events were committed. */
    public long written() {
        return written.get();
    }

    /** Returns how many events were dropped because the queue was full (only when not awaiting commits). */
    public long dropped() {
        return dropped.get();
    }

    /** Returns how many events were lost because their batch could not be written. */
    public long failed() {
        return failed.get();
    }

    /**
     * Queues {@code event} and, when awaiting commits, waits until it is committed.
     *
     * @throws DatabaseException when awaiting commits and the event could not be committed within the timeout
     * @throws IllegalStateException if the sink is closed
     */
    @Override
    public void record(AuditEvent event) {
        Objects.requireNonNull(event, "event == null");
        if (closed) {
            throw new IllegalStateException("the audit sink of chain " + chain + " is closed");
        }
        Pending p = new Pending(AuditChain.canonicalJson(event));
        if (!awaitCommit) {
            if (!queue.offer(p)) {
                long n = dropped.incrementAndGet();
                if (n == 1 || n % 1000 == 0) {
                    LOG.warn(
                            "The audit queue of chain {} is full ({} events): {} event(s) dropped so far",
                            chain,
                            queue.size() + queue.remainingCapacity(),
                            n);
                }
            }
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!queue.offer(p, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new DatabaseException(
                        "the audit event (" + event.type() + ") could not be queued: the queue" + " stayed full for "
                                + timeout.toMillis() + " ms",
                        null,
                        null);
            }
            p.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseException(
                    "interrupted while the audit event (" + event.type() + ") was written", null, e);
        } catch (TimeoutException e) {
            throw new DatabaseException(
                    "the audit event (" + event.type() + ") was not committed within " + timeout.toMillis() + " ms",
                    null,
                    e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DatabaseException de) {
                throw new DatabaseException(de.getMessage(), de.sqlState().orElse(null), de);
            }
            throw new DatabaseException(
                    "the audit event (" + event.type() + ") could not be written: " + cause, null, cause);
        }
    }

    /**
     * Waits until every event queued before this call was written (or failed).
     *
     * @return whether that happened within the timeout
     */
    public boolean flush() {
        Pending marker = new Pending(null);
        try {
            if (!queue.offer(marker, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
            marker.done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Writes what is queued (waiting at most the timeout) and stops the writer thread. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        flush();
        writer.interrupt();
        try {
            writer.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(batchSize);
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                if (closed && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            queue.drainTo(batch, batchSize - 1);
            try {
                write(batch);
            } catch (RuntimeException e) {
                LOG.error("Audit writer of chain {} failed unexpectedly", chain, e);
            }
            batch.clear();
        }
    }

    private void write(List<Pending> batch) {
        List<Pending> events = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (p.json != null) {
                events.add(p);
            }
        }
        try {
            if (!events.isEmpty()) {
                insert(events);
                written.addAndGet(events.size());
            }
            batch.forEach(p -> p.done.complete(null));
        } catch (SQLException | RuntimeException e) {
            failed.addAndGet(events.size());
            DatabaseException error = e instanceof DatabaseException de
                    ? de
                    : new DatabaseException(
                            "cannot write " + events.size() + " audit event(s) to " + table + ": "
                                    + (e instanceof SQLException se ? describe(se) : e.toString()),
                            e instanceof SQLException se ? se.getSQLState() : null,
                            e);
            if (!awaitCommit) {
                LOG.warn("{}; {} event(s) lost so far", error.getMessage(), failed.get());
            }
            for (Pending p : batch) {
                if (p.json == null) {
                    p.done.complete(null);
                } else {
                    p.done.completeExceptionally(error);
                }
            }
        }
    }

    private void insert(List<Pending> events) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                String prev = lastHash;
                if (prev == null) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT hash FROM " + table + " WHERE chain = ? ORDER BY id DESC LIMIT 1")) {
                        ps.setString(1, chain);
                        try (ResultSet rs = ps.executeQuery()) {
                            prev = rs.next() ? rs.getString(1) : AuditChain.GENESIS;
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO " + table + " (chain, event, prev_hash, hash) VALUES (?,?,?,?)")) {
                    for (Pending p : events) {
                        String hash = AuditChain.hash(prev, p.json);
                        ps.setString(1, chain);
                        ps.setString(2, p.json);
                        ps.setString(3, prev);
                        ps.setString(4, hash);
                        ps.addBatch();
                        prev = hash;
                    }
                    ps.executeBatch();
                }
                c.commit();
                lastHash = prev;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /**
     * Checks every hash chain of {@code <schema>.audit_events}, row by row in id order.
     *
     * @return what was found: the records checked and the first broken link ({@code "row <id> (chain <name>)"})
     * @throws DatabaseException if the table cannot be read
     */
    public static AuditChain.Verification verify(DataSource dataSource, String schema) {
        Objects.requireNonNull(dataSource, "dataSource == null");
        SchemaMigrations.checkSchema(Objects.requireNonNull(schema, "schema == null"));
        long records = 0;
        AuditChain.Verification firstBroken = null;
        long firstBrokenId = Long.MAX_VALUE;
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, chain, event, prev_hash, hash FROM \"" + schema
                    + "\".audit_events ORDER BY chain, id")) {
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    String current = null;
                    AuditChain.Verifier verifier = null;
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        String name = rs.getString(2);
                        if (!name.equals(current)) {
                            if (verifier != null) {
                                records += verifier.result().records();
                            }
                            current = name;
                            verifier = AuditChain.verifier();
                        }
                        boolean wasIntact = verifier.result().intact();
                        verifier.accept(
                                "row " + id + " (chain " + name + ")",
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5));
                        if (wasIntact && !verifier.result().intact() && id < firstBrokenId) {
                            firstBroken = verifier.result();
                            firstBrokenId = id;
                        }
                    }
                    if (verifier != null) {
                        records += verifier.result().records();
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new DatabaseException(
                    "cannot read " + schema + ".audit_events: " + GuardedExecutor.describe(e), e.getSQLState(), e);
        }
        return firstBroken == null
                ? new AuditChain.Verification(records, null, null)
                : new AuditChain.Verification(records, firstBroken.brokenAt(), firstBroken.reason());
    }

    /** Describes a failure without the values a batch failure's message and the server's detail repeat. */
    private static String describe(SQLException e) {
        SQLException next = e instanceof java.sql.BatchUpdateException ? e.getNextException() : null;
        String d = GuardedExecutor.describe(next != null ? next : e);
        int detail = d.indexOf(" Detail:");
        return detail < 0 ? d : d.substring(0, detail);
    }

    @Override
    public String toString() {
        return "PostgresAuditSink[" + schema + ".audit_events, chain " + chain + "]";
    }

    private static final class Pending {
        final @Nullable String json;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Pending(@Nullable String json) {
            this.json = json;
        }
    }

    /** Builds a {@link PostgresAuditSink}. Not thread-safe. */
    public static final class Builder {
        private @Nullable DataSource dataSource;
        private String schema = "pgagent";
        private @Nullable String chain;
        private int queueCapacity = 10_000;
        private int batchSize = 100;
        private boolean awaitCommit = true;
        private Duration timeout = Duration.ofSeconds(10);

        private Builder() {}

        /** Sets the data source the table lives in (it may be another database than the one asked). Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource == null");
            return this;
        }

        /**
         * Sets the schema of the table, created if missing: a plain identifier, used as written. Default:
         * {@code pgagent}.
         */
        public Builder schema(String schema) {
            this.schema = SchemaMigrations.checkSchema(Objects.requireNonNull(schema, "schema == null"));
            return this;
        }

        /**
         * Names this sink's hash chain; a sink continues the chain of that name where it ends in the table. At most
         * one sink at a time may write a chain. Default: {@code sink-<random UUID>}, a new chain per sink.
         */
        public Builder chain(String chain) {
            Objects.requireNonNull(chain, "chain == null");
            if (chain.isBlank() || chain.length() > 200) {
                throw new IllegalArgumentException(
                        "chain must be 1 to 200 characters, not blank, but was '" + chain + "'");
            }
            this.chain = chain;
            return this;
        }

        /** Sets how many events may wait to be written. Default: 10000; must be >= 1. */
        public Builder queueCapacity(int queueCapacity) {
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be >= 1 but was " + queueCapacity);
            }
            this.queueCapacity = queueCapacity;
            return this;
        }

        /** Sets the most events written in one transaction. Default: 100; must be >= 1. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1 but was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Sets whether {@link PostgresAuditSink#record(AuditEvent)} waits until the event is committed (and throws
         * if it cannot be). Default: true; keep it under {@code AuditFailurePolicy.FAIL_CLOSED}. False makes
         * recording asynchronous: events that do not fit in the queue are dropped and counted.
         */
        public Builder awaitCommit(boolean awaitCommit) {
            this.awaitCommit = awaitCommit;
            return this;
        }

        /**
         * Sets how long a record waits for room in the queue and for its commit, and how long {@code flush} and
         * {@code close} wait. Default: 10 s; must be positive.
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout == null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive but was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Creates the table if needed (applying the migration scripts) and starts the writer thread.
         *
         * @throws IllegalStateException if no data source was set
         * @throws DatabaseException if the table cannot be created
         */
        public PostgresAuditSink build() {
            if (dataSource == null) {
                throw new IllegalStateException("dataSource must be set but was null");
            }
            SchemaMigrations.migrate(dataSource, schema, "audit", MIGRATIONS);
            PostgresAuditSink sink = new PostgresAuditSink(this, dataSource);
            sink.writer.start();
            return sink;
        }
    }
}
