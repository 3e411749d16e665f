package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.testsupport.TestPostgres;
import java.io.PrintWriter;
import java.lang.ref.WeakReference;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every PostgresDatabase on one DataSource (with the same schema sets) shares one cached schema. */
class SharedSchemaCacheIT {
    private static DataSource server;

    @BeforeAll
    static void setUp() {
        server = TestPostgres.freshDatabase("pool_shared_cache");
        Fixtures.exec(server, "CREATE SCHEMA pool_a; CREATE TABLE pool_a.t (id int); CREATE TABLE public.p (id int)");
    }

    /** A data source that counts the connections handed out: one per introspection or freshness check. */
    static final class CountingDataSource implements DataSource {
        final DataSource target;
        final AtomicInteger connections = new AtomicInteger();

        CountingDataSource(DataSource target) {
            this.target = target;
        }

        @Override
        public Connection getConnection() throws SQLException {
            connections.incrementAndGet();
            return target.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            connections.incrementAndGet();
            return target.getConnection(user, password);
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return target.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            target.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            target.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return target.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return target.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return target.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return target.isWrapperFor(iface);
        }
    }

    private static PostgresDatabase lazy(DataSource ds) {
        return PostgresDatabase.builder()
                .dataSource(ds)
                .schemaCheckInterval(Duration.ofHours(1))
                .build();
    }

    @Test
    void twoDatabasesOnOneDataSourceIntrospectOnce() {
        CountingDataSource ds = new CountingDataSource(server);
        PostgresDatabase first = lazy(ds);
        PostgresDatabase second = lazy(ds);

        SchemaModel model = first.schema();
        assertThat(ds.connections).hasValue(1);
        assertThat(second.schema()).isSameAs(model);
        assertThat(second.toBuilder().build().schema()).isSameAs(model);
        assertThat(ds.connections).hasValue(1);
        assertThat(model.table("pool_a.t")).isPresent();
    }

    @Test
    void oneFreshnessCheckPerIntervalServesAll() {
        CountingDataSource ds = new CountingDataSource(server);
        PostgresDatabase checking = PostgresDatabase.builder()
                .dataSource(ds)
                .schemaCheckInterval(Duration.ZERO)
                .build();
        PostgresDatabase lazy = lazy(ds);
        checking.schema();
        checking.schema(); // interval zero: checks the catalog
        assertThat(ds.connections).hasValue(2);
        lazy.schema(); // the check just made is fresh for an interval of an hour
        lazy.schema();
        assertThat(ds.connections).hasValue(2);
    }

    @Test
    void aChangeSeenByOneIsSeenByAllAndEveryListenerIsCalled() throws Exception {
        DataSource ds = TestPostgres.freshDatabase("pool_shared_change");
        Fixtures.exec(ds, "CREATE TABLE a (id int)");
        PostgresDatabase checking = PostgresDatabase.builder()
                .dataSource(ds)
                .schemaCheckInterval(Duration.ZERO)
                .build();
        PostgresDatabase lazy = lazy(ds);
        List<SchemaModel> seenByChecking = new CopyOnWriteArrayList<>();
        List<SchemaModel> seenByLazy = new CopyOnWriteArrayList<>();
        checking.onChange(seenByChecking::add);
        AutoCloseable lazyListener = lazy.onChange(seenByLazy::add);
        assertThat(lazy.schema().table("b")).isEmpty();

        Fixtures.exec(ds, "CREATE TABLE b (id int)");
        SchemaModel changed = eventually(checking, m -> m.table("b").isPresent());

        assertThat(changed.table("b")).isPresent();
        assertThat(lazy.schema()).isSameAs(changed); // within its hour, yet it sees the change
        assertThat(seenByChecking).containsExactly(changed);
        assertThat(seenByLazy).containsExactly(changed);

        lazyListener.close();
        SchemaModel refreshed = lazy.refreshSchema(); // a refresh by one calls the other's listeners
        assertThat(seenByChecking).containsExactly(changed, refreshed);
        assertThat(seenByLazy).containsExactly(changed);
        assertThat(checking.schema()).isSameAs(refreshed);
    }

    private static SchemaModel eventually(PostgresDatabase db, Predicate<SchemaModel> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        SchemaModel m = db.schema();
        while (!condition.test(m) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            m = db.schema();
        }
        return m;
    }

    @Test
    void differentSchemaSetsDoNotShare() {
        CountingDataSource ds = new CountingDataSource(server);
        PostgresDatabase all = lazy(ds);
        PostgresDatabase onlyA = PostgresDatabase.builder()
                .dataSource(ds)
                .includeSchemas("pool_a")
                .schemaCheckInterval(Duration.ofHours(1))
                .build();
        PostgresDatabase withoutA = PostgresDatabase.builder()
                .dataSource(ds)
                .excludeSchemas("pool_a")
                .schemaCheckInterval(Duration.ofHours(1))
                .build();

        SchemaModel everything = all.schema();
        SchemaModel a = onlyA.schema();
        SchemaModel notA = withoutA.schema();

        assertThat(ds.connections).hasValue(3);
        assertThat(everything.table("pool_a.t")).isPresent();
        assertThat(a.table("pool_a.t")).isPresent();
        assertThat(a.table("p")).isEmpty();
        assertThat(notA.table("pool_a.t")).isEmpty();
        assertThat(notA.table("p")).isPresent();
    }

    @Test
    void theSameSchemaSetsInAnotherOrderShare() {
        CountingDataSource ds = new CountingDataSource(server);
        SchemaModel first = PostgresDatabase.builder()
                .dataSource(ds)
                .includeSchemas("pool_a", "public")
                .build()
                .schema();
        SchemaModel second = PostgresDatabase.builder()
                .dataSource(ds)
                .includeSchemas("public", "pool_a")
                .build()
                .schema();
        assertThat(second).isSameAs(first);
        assertThat(ds.connections).hasValue(1);
    }

    @Test
    void anEqualButDistinctDataSourceDoesNotShare() {
        CountingDataSource one = new CountingDataSource(server);
        CountingDataSource other = new CountingDataSource(server);
        SchemaModel first = lazy(one).schema();
        SchemaModel second = lazy(other).schema();
        assertThat(second).isNotSameAs(first);
        assertThat(second.table("pool_a.t")).isPresent();
        assertThat(one.connections).hasValue(1);
        assertThat(other.connections).hasValue(1);
    }

    @Test
    void aDroppedDataSourceTakesItsCacheWithIt() throws InterruptedException {
        List<WeakReference<Object>> dropped = schemaOfADataSourceThenDropIt();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (dropped.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
            SchemaCache.registeredDataSources(); // forgets the dropped data sources
        }
        assertThat(dropped.get(0).get())
                .as("the registry must not keep the data source")
                .isNull();
        assertThat(dropped.get(1).get())
                .as("the registry must forget the cache")
                .isNull();
    }

    private static List<WeakReference<Object>> schemaOfADataSourceThenDropIt() {
        CountingDataSource ds = new CountingDataSource(server);
        PostgresDatabase db = lazy(ds);
        db.onChange(m -> {});
        assertThat(db.schema().table("pool_a.t")).isPresent();
        return List.of(new WeakReference<>(ds), new WeakReference<>(db.schemaCache()));
    }
}
