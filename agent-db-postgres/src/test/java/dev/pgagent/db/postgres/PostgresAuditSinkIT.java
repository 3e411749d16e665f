package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.audit.AuditChain;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.testkit.contract.AuditSinkContract;
import dev.pgagent.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL audit sink: the sink contract, its table, batching, failure modes and the hash chain. */
class PostgresAuditSinkIT extends AuditSinkContract {
    static DataSource ds;
    private final List<PostgresAuditSink> sinks = new ArrayList<>();
    private PostgresAuditSink last;

    @BeforeAll
    static void setUp() {
        ds = TestPostgres.freshDatabase("audit_sink");
    }

    @AfterEach
    void closeSinks() {
        sinks.forEach(PostgresAuditSink::close);
    }

    private PostgresAuditSink sink(PostgresAuditSink.Builder b) {
        PostgresAuditSink s = b.build();
        sinks.add(s);
        return s;
    }

    @Override
    protected AuditSink newSink() {
        last = sink(PostgresAuditSink.builder().dataSource(ds).schema("contract"));
        return last;
    }

    @Override
    protected List<String> written() throws Exception {
        return events("contract", last.chain());
    }

    static List<String> events(String schema, String chain) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT event FROM \"" + schema + "\".audit_events WHERE chain = ? ORDER BY id")) {
            ps.setString(1, chain);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    static void sql(String sql) throws Exception {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static String one(String sql) throws Exception {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static AuditEvent query(int i) {
        return AuditEvent.builder(AuditEventType.QUERY_EXECUTED)
                .sessionId("s1")
                .askId("a" + i)
                .sql("SELECT " + i)
                .outcome("executed")
                .attribute("database", "shop")
                .attribute("ms", i)
                .build();
    }

    @Test
    void theMigrationCreatesTheTableOnceWithDerivedColumns() throws Exception {
        PostgresAuditSink s = sink(PostgresAuditSink.builder().dataSource(ds).schema("derived"));
        sink(PostgresAuditSink.builder().dataSource(ds).schema("derived")).close();
        s.record(query(7));

        assertThat(one("SELECT count(*) FROM derived.pgagent_audit_version")).isEqualTo("1");
        assertThat(one("SELECT type || ' ' || sql || ' ' || outcome || ' ' || session_id || ' ' || ask_id || ' '"
                        + " || (attributes ->> 'database') || ' ' || (attributes ->> 'ms') FROM derived.audit_events"))
                .isEqualTo("QUERY_EXECUTED SELECT 7 executed s1 a7 shop 7");
        assertThat(s.written()).isEqualTo(1);
        assertThat(s.schema()).isEqualTo("derived");
        assertThat(s.toString()).contains("derived.audit_events").contains(s.chain());
    }

    @Test
    void concurrentRecordsShareBatchesAndKeepOneIntactChain() throws Exception {
        PostgresAuditSink s = sink(
                PostgresAuditSink.builder().dataSource(ds).schema("batched").batchSize(50));
        int threads = 4;
        int each = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * each;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < each; i++) {
                    s.record(query(base + i));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(events("batched", s.chain())).hasSize(threads * each);
        AuditChain.Verification v = PostgresAuditSink.verify(ds, "batched");
        assertThat(v.intact()).isTrue();
        assertThat(v.records()).isEqualTo(threads * each);
    }

    @Test
    void aNamedChainContinuesWhereItEnded() throws Exception {
        PostgresAuditSink first =
                sink(PostgresAuditSink.builder().dataSource(ds).schema("named").chain("node-1"));
        first.record(query(1));
        first.close();
        first.close();
        assertThatThrownBy(() -> first.record(query(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        PostgresAuditSink second =
                sink(PostgresAuditSink.builder().dataSource(ds).schema("named").chain("node-1"));
        second.record(query(2));
        PostgresAuditSink other =
                sink(PostgresAuditSink.builder().dataSource(ds).schema("named").chain("node-2"));
        other.record(query(3));

        assertThat(events("named", "node-1")).hasSize(2);
        assertThat(PostgresAuditSink.verify(ds, "named")).isEqualTo(new AuditChain.Verification(3, null, null));
    }

    @Test
    void verifyReportsTheFirstChangedOrRemovedRow() throws Exception {
        PostgresAuditSink s = sink(
                PostgresAuditSink.builder().dataSource(ds).schema("tampered").chain("c"));
        for (int i = 0; i < 5; i++) {
            s.record(query(i));
        }
        long second = Long.parseLong(one("SELECT min(id) + 1 FROM tampered.audit_events"));
        sql("UPDATE tampered.audit_events SET event = replace(event, 'SELECT 1', 'SELECT 666') WHERE id = " + second);

        AuditChain.Verification changed = PostgresAuditSink.verify(ds, "tampered");
        assertThat(changed.intact()).isFalse();
        assertThat(changed.brokenAt()).isEqualTo("row " + second + " (chain c)");
        assertThat(changed.reason()).contains("changed");
        assertThat(changed.records()).isEqualTo(1);

        sql("DELETE FROM tampered.audit_events WHERE id = " + second);
        AuditChain.Verification removed = PostgresAuditSink.verify(ds, "tampered");
        assertThat(removed.brokenAt()).isEqualTo("row " + (second + 1) + " (chain c)");
        assertThat(removed.reason()).contains("removed");
    }

    @Test
    void awaitingCommitsAFailedInsertReachesTheCaller() throws Exception {
        PostgresAuditSink s = sink(PostgresAuditSink.builder().dataSource(ds).schema("blocked"));
        s.record(query(1));
        sql("ALTER TABLE blocked.audit_events ADD CONSTRAINT audit_blocked CHECK (false) NOT VALID");
        try {
            assertThatThrownBy(() -> s.record(query(2)))
                    .isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("audit_blocked")
                    .hasMessageNotContaining("SELECT 2");
            assertThat(s.failed()).isEqualTo(1);
        } finally {
            sql("ALTER TABLE blocked.audit_events DROP CONSTRAINT audit_blocked");
        }
        s.record(query(3));
        assertThat(PostgresAuditSink.verify(ds, "blocked").intact()).isTrue();
        assertThat(events("blocked", s.chain())).hasSize(2);
    }

    @Test
    void withoutAwaitingCommitsAFullQueueDropsAndCounts() throws Exception {
        sql("CREATE SCHEMA IF NOT EXISTS dropping");
        PostgresAuditSink s = sink(PostgresAuditSink.builder()
                .dataSource(ds)
                .schema("dropping")
                .awaitCommit(false)
                .queueCapacity(2)
                .batchSize(1));
        // hold the table so the writer blocks on its first insert while the queue fills
        try (Connection lock = ds.getConnection()) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE dropping.audit_events IN ACCESS EXCLUSIVE MODE");
            }
            for (int i = 0; i < 20; i++) {
                s.record(query(i));
            }
            assertThat(s.dropped()).isGreaterThanOrEqualTo(17);
            lock.rollback();
        }
        assertThat(s.flush()).isTrue();
        assertThat(s.written() + s.dropped()).isEqualTo(20);
        assertThat(PostgresAuditSink.verify(ds, "dropping").intact()).isTrue();
    }

    @Test
    void withoutAwaitingCommitsAFailedBatchIsCountedAndLogged() throws Exception {
        PostgresAuditSink s =
                sink(PostgresAuditSink.builder().dataSource(ds).schema("lossy").awaitCommit(false));
        sql("ALTER TABLE lossy.audit_events ADD CONSTRAINT audit_blocked CHECK (false) NOT VALID");
        s.record(query(1));
        assertThat(s.flush()).isTrue();
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.written()).isZero();
    }

    @Test
    void aRecordAwaitingItsCommitFailsWhenTheCommitOrTheRoomInTheQueueTakesTooLong() throws Exception {
        PostgresAuditSink s = sink(PostgresAuditSink.builder()
                .dataSource(ds)
                .schema("stuck")
                .queueCapacity(1)
                .batchSize(1)
                .timeout(Duration.ofMillis(300)));
        try (Connection lock = ds.getConnection()) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE stuck.audit_events IN ACCESS EXCLUSIVE MODE");
            }
            assertThatThrownBy(() -> s.record(query(1)))
                    .isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("not committed within 300 ms");
            waitUntilTheWriterWaitsForTheLock();
            // the writer holds the first event; the second takes the one place in the queue; the third finds none
            assertThatThrownBy(() -> s.record(query(2)))
                    .isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("not committed within 300 ms");
            assertThatThrownBy(() -> s.record(query(3)))
                    .isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("could not be queued");
            lock.rollback();
        }
        assertThat(s.flush()).isTrue();
        assertThat(PostgresAuditSink.verify(ds, "stuck").intact()).isTrue();
    }

    private static void waitUntilTheWriterWaitsForTheLock() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"1"
                .equals(one("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND wait_event_type = 'Lock' AND query LIKE '%stuck%audit_events%'"))) {
            assertThat(System.nanoTime()).as("the writer waits for the lock").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void theBuilderRefusesBadValues() {
        PostgresAuditSink.Builder b = PostgresAuditSink.builder();
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("dataSource");
        assertThatThrownBy(() -> b.schema("bad-name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema must be");
        assertThatThrownBy(() -> b.chain(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.queueCapacity(0)).hasMessage("queueCapacity must be >= 1 but was 0");
        assertThatThrownBy(() -> b.batchSize(0)).hasMessage("batchSize must be >= 1 but was 0");
        assertThatThrownBy(() -> b.timeout(Duration.ZERO)).hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> PostgresAuditSink.verify(ds, "no_such_schema"))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("cannot read");
    }
}
