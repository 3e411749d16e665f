package dev.pgagent.db.postgres;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.db.postgres.internal.CatalogSignature;
import dev.pgagent.db.postgres.internal.SchemaIntrospector;
import dev.pgagent.db.postgres.internal.SchemaState;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cached schema of one data source and one pair of include/exclude schema sets, shared by every
 * {@link PostgresDatabase} built on them: one introspection, one freshness check per interval, and every member's
 * change listeners called on a refresh, whoever triggered it. Thread-safe.
 *
 * <p>The registry holds data sources weakly and by identity, and a cache holds no reference to its data source (each
 * call passes it in), so a data source the host drops takes its cache with it. Members are held weakly too.
 */
final class SchemaCache {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresDatabase.class);

    private static final Object REGISTRY_LOCK = new Object();
    private static final ReferenceQueue<DataSource> DROPPED = new ReferenceQueue<>();
    private static final Map<SourceKey, Map<List<Set<String>>, SchemaCache>> REGISTRY = new HashMap<>();

    /** The cached model and the catalog signals it was checked against. */
    private record Cached(
            SchemaState state,
            String snapshot,
            long snapshotSince,
            String aggregate,
            long aggregateAt,
            long checkedAt) {
        SchemaModel model() {
            return state.model();
        }
    }

    private final SchemaIntrospector introspector;
    private final Object lock = new Object();
    private final Set<PostgresDatabase> members = Collections.newSetFromMap(new WeakHashMap<>());
    private volatile @Nullable Cached cached;

    private SchemaCache(List<String> includeSchemas, List<String> excludeSchemas) {
        this.introspector = new SchemaIntrospector(includeSchemas, excludeSchemas);
    }

    /**
     * Returns the cache of {@code dataSource} (by identity) and these schema sets (order does not matter), creating
     * it on first use, and makes {@code member} one of its members.
     */
    static SchemaCache join(
            DataSource dataSource, List<String> includeSchemas, List<String> excludeSchemas, PostgresDatabase member) {
        List<Set<String>> schemas = List.of(Set.copyOf(includeSchemas), Set.copyOf(excludeSchemas));
        SchemaCache cache;
        synchronized (REGISTRY_LOCK) {
            purge();
            cache = REGISTRY.computeIfAbsent(new SourceKey(dataSource, DROPPED), k -> new HashMap<>())
                    .computeIfAbsent(schemas, k -> new SchemaCache(includeSchemas, excludeSchemas));
        }
        synchronized (cache.members) {
            cache.members.add(member);
        }
        return cache;
    }

    /** Returns how many data sources have caches, after forgetting the dropped ones; for tests. */
    static int registeredDataSources() {
        synchronized (REGISTRY_LOCK) {
            purge();
            return REGISTRY.size();
        }
    }

    private static void purge() {
        for (Reference<? extends DataSource> r = DROPPED.poll(); r != null; r = DROPPED.poll()) {
            REGISTRY.remove((SourceKey) r);
        }
    }

    /** Returns the schema, checking the catalog when the cached model is older than {@code interval}. */
    SchemaModel schema(DataSource dataSource, Duration interval) {
        Cached c = cached;
        if (c != null && System.nanoTime() - c.checkedAt() < interval.toNanos()) {
            return c.model();
        }
        synchronized (lock) {
            c = cached;
            long now = System.nanoTime();
            if (c == null) {
                return load(dataSource);
            }
            if (now - c.checkedAt() < interval.toNanos()) {
                return c.model();
            }
            try (Connection conn = dataSource.getConnection()) {
                if (!conn.getAutoCommit()) {
                    conn.rollback(); // each check must see a fresh snapshot, and leave no transaction open
                }
                String snapshot = CatalogSignature.snapshot(conn);
                boolean sameSnapshot = snapshot.equals(c.snapshot());
                if (sameSnapshot && c.aggregateAt() - c.snapshotSince() >= CatalogSignature.STATS_SETTLE_NANOS) {
                    cached =
                            new Cached(c.state(), c.snapshot(), c.snapshotSince(), c.aggregate(), c.aggregateAt(), now);
                    return c.model();
                }
                String aggregate = CatalogSignature.aggregate(conn);
                if (!conn.getAutoCommit()) {
                    conn.rollback();
                }
                if (aggregate.equals(c.aggregate())) {
                    cached = new Cached(
                            c.state(), snapshot, sameSnapshot ? c.snapshotSince() : now, aggregate, now, now);
                    return c.model();
                }
                LOG.debug("The catalog changed; refreshing the schema");
                long start = System.nanoTime();
                SchemaState state = introspector.refresh(conn, c.state());
                LOG.debug(
                        "Refreshed the schema ({}) in {} ms",
                        state.reread() < 0 ? "full read" : state.reread() + " relations re-read",
                        (System.nanoTime() - start) / 1_000_000);
                cached = new Cached(state, snapshot, now, aggregate, now, System.nanoTime());
                changed(state.model());
                return state.model();
            } catch (SQLException e) {
                LOG.warn(
                        "Could not check whether the schema changed; using the cached one: {}",
                        GuardedExecutor.describe(e));
                cached = new Cached(c.state(), c.snapshot(), c.snapshotSince(), c.aggregate(), c.aggregateAt(), now);
                return c.model();
            }
        }
    }

    /** Re-reads the whole schema and caches it; the members' listeners are called unless it is the first read. */
    SchemaModel refresh(DataSource dataSource) {
        synchronized (lock) {
            boolean first = cached == null;
            SchemaModel model = load(dataSource);
            if (!first) {
                changed(model);
            }
            return model;
        }
    }

    private SchemaModel load(DataSource dataSource) {
        try (Connection conn = dataSource.getConnection()) {
            long now = System.nanoTime();
            if (!conn.getAutoCommit()) {
                conn.rollback();
            }
            // the signals are taken before the read, so a change during the read triggers another one
            String snapshot = CatalogSignature.snapshot(conn);
            String aggregate = CatalogSignature.aggregate(conn);
            if (!conn.getAutoCommit()) {
                conn.rollback();
            }
            long start = System.nanoTime();
            SchemaState state = introspector.readState(conn);
            LOG.debug(
                    "Read the schema ({} relations) in {} ms",
                    state.model().tables().size(),
                    (System.nanoTime() - start) / 1_000_000);
            cached = new Cached(state, snapshot, now, aggregate, now, System.nanoTime());
            return state.model();
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the schema: " + GuardedExecutor.describe(e), e.getSQLState(), e);
        }
    }

    private void changed(SchemaModel model) {
        List<PostgresDatabase> current;
        synchronized (members) {
            current = new ArrayList<>(members);
        }
        for (PostgresDatabase member : current) {
            member.changed(model);
        }
    }

    /** A data source held weakly, equal to another key of the same data source (identity). */
    private static final class SourceKey extends WeakReference<DataSource> {
        private final int hash;

        SourceKey(DataSource dataSource, ReferenceQueue<DataSource> queue) {
            super(dataSource, queue);
            this.hash = System.identityHashCode(dataSource);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(@Nullable Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof SourceKey other)) {
                return false;
            }
            DataSource mine = get();
            return mine != null && mine == other.get();
        }
    }
}
