package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.session.SessionConflictException;
import dev.pgagent.api.session.StoredSession;
import dev.pgagent.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL session store: migration, compare-and-set saves, deletion and expiry. */
class PostgresSessionStoreIT {
    static DataSource ds;

    @BeforeAll
    static void setUp() {
        ds = TestPostgres.freshDatabase("session_store");
    }

    private static PostgresSessionStore store(String schema) {
        return PostgresSessionStore.builder().dataSource(ds).schema(schema).build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void savesAreCompareAndSetOnTheVersion() {
        PostgresSessionStore store = store("cas");
        assertThat(store.load("s1")).isEmpty();
        Instant before = Instant.now().minusSeconds(60);

        assertThat(store.save("s1", 0, bytes("one"))).isEqualTo(1);
        StoredSession loaded = store.load("s1").orElseThrow();
        assertThat(loaded.version()).isEqualTo(1);
        assertThat(new String(loaded.state(), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(loaded.updatedAt()).isAfter(before);
        assertThat(loaded.toString()).contains("s1 v1").contains("3 bytes").doesNotContain("one");

        assertThat(store.save("s1", 1, bytes("two"))).isEqualTo(2);
        assertThatThrownBy(() -> store.save("s1", 1, bytes("stale")))
                .isInstanceOf(SessionConflictException.class)
                .hasMessageContaining("session s1 was changed by another node")
                .satisfies(e -> {
                    assertThat(((SessionConflictException) e).sessionId()).isEqualTo("s1");
                    assertThat(((SessionConflictException) e).expectedVersion()).isEqualTo(1);
                });
        assertThatThrownBy(() -> store.save("s1", 0, bytes("new"))).isInstanceOf(SessionConflictException.class);
        assertThatThrownBy(() -> store.save("missing", 3, bytes("x"))).isInstanceOf(SessionConflictException.class);
        assertThat(new String(store.load("s1").orElseThrow().state(), StandardCharsets.UTF_8))
                .isEqualTo("two");

        assertThat(store.delete("s1")).isTrue();
        assertThat(store.delete("s1")).isFalse();
        assertThat(store.load("s1")).isEmpty();
        assertThat(store.migrate()).isEmpty();
        assertThat(store.schema()).isEqualTo("cas");
        assertThat(store.toString()).isEqualTo("PostgresSessionStore[cas.sessions]");
    }

    @Test
    void ofConcurrentSavesOfOneVersionExactlyOneWins() throws Exception {
        PostgresSessionStore store = store("race");
        store.save("s", 0, bytes("v1"));
        int n = 4;
        CyclicBarrier barrier = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int me = i;
            results.add(pool.submit(() -> {
                barrier.await(30, TimeUnit.SECONDS);
                try {
                    store.save("s", 1, bytes("by " + me));
                    return true;
                } catch (SessionConflictException e) {
                    return false;
                }
            }));
        }
        int wins = 0;
        for (Future<Boolean> f : results) {
            wins += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();
        assertThat(wins).isEqualTo(1);
        assertThat(store.load("s").orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void expiryDeletesTheSessionsNotSavedForLonger() throws Exception {
        PostgresSessionStore store = store("expiry");
        store.save("old", 0, bytes("x"));
        store.save("new", 0, bytes("y"));
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("UPDATE expiry.sessions SET updated_at = now() - interval '2 days' WHERE id = 'old'");
        }

        assertThat(store.expireOlderThan(Duration.ofDays(1))).isEqualTo(1);
        assertThat(store.load("old")).isEmpty();
        assertThat(store.load("new")).isPresent();
        assertThat(store.expireOlderThan(Duration.ZERO)).isEqualTo(1);
        assertThatThrownBy(() -> store.expireOlderThan(Duration.ofSeconds(-1)))
                .hasMessage("age must not be negative but was PT-1S");
    }

    @Test
    void aScriptChangedAfterItWasAppliedIsRefused() throws Exception {
        assertThat(store("changed").migrate()).containsExactly(1);
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("UPDATE changed.pgagent_sessions_version SET checksum = 'other'");
        }
        assertThatThrownBy(() -> store("changed").migrate())
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("V1__sessions.sql was changed after it was applied to schema changed");
    }

    @Test
    void badInputAndAnUnreachableTableAreTypedErrors() throws Exception {
        assertThatThrownBy(() -> PostgresSessionStore.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> PostgresSessionStore.builder().schema("x y"))
                .isInstanceOf(IllegalArgumentException.class);
        PostgresSessionStore store = store("broken");
        assertThatThrownBy(() -> store.save("s", -1, bytes("x"))).hasMessage("expectedVersion must be >= 0 but was -1");
        assertThatThrownBy(() -> new StoredSession("s", 0, new byte[0], Instant.now()))
                .isInstanceOf(IllegalArgumentException.class);
        store.migrate();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("DROP TABLE broken.sessions");
        }
        assertThatThrownBy(() -> store.load("s"))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("cannot load session s");
        assertThatThrownBy(() -> store.save("s", 0, bytes("x"))).isInstanceOf(DatabaseException.class);
        assertThatThrownBy(() -> store.delete("s")).isInstanceOf(DatabaseException.class);
        assertThatThrownBy(() -> store.expireOlderThan(Duration.ZERO)).isInstanceOf(DatabaseException.class);
    }
}
