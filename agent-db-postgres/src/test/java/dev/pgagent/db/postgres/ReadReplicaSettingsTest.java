package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.DatabaseException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReadReplicaSettingsTest {
    private static final DataSource PRIMARY =
            PgDataSources.fromUrl("jdbc:postgresql://localhost:1/none", "u", "secret");
    private static final DataSource REPLICA =
            PgDataSources.fromUrl("jdbc:postgresql://localhost:2/none", "u", "replica-secret");

    @Test
    void hasNoReplicaAndATenSecondBoundByDefault() {
        PostgresDatabase db = PostgresDatabase.of(PRIMARY);
        assertThat(db.readReplica()).isEmpty();
        assertThat(db.maxReplicaLag()).isEqualTo(Duration.ofSeconds(10));
        assertThat(db.replicaStats()).isEqualTo(new ReplicaStats(ReplicaStats.State.NONE, -1, 0, 0, 0, 0));
        assertThat(db.toString()).doesNotContain("readReplica");
    }

    @Test
    void keepsTheReplicaInANewBuilderAndKeepsSecretsOutOfToString() {
        PostgresDatabase db = PostgresDatabase.builder()
                .dataSource(PRIMARY)
                .readReplica(REPLICA)
                .maxReplicaLag(Duration.ofMillis(1500))
                .build();
        PostgresDatabase copy = db.toBuilder().build();
        assertThat(copy.readReplica()).containsSame(REPLICA);
        assertThat(copy.maxReplicaLag()).isEqualTo(Duration.ofMillis(1500));
        assertThat(db.replicaStats().state()).isEqualTo(ReplicaStats.State.UNCHECKED);
        assertThat(db.toString())
                .contains("readReplica", "maxReplicaLag=PT1.5S")
                .doesNotContain("secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "PT-1S", "PT1H0.001S", "P1D"})
    void rejectsAMaxReplicaLagThatIsNotPositiveOrOverAnHour(String lag) {
        Duration d = Duration.parse(lag);
        assertThatThrownBy(() -> PostgresDatabase.builder().maxReplicaLag(d))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxReplicaLag must be positive and at most PT1H but was " + d);
    }

    @Test
    void acceptsTheBounds() {
        assertThat(PostgresDatabase.builder()
                        .dataSource(PRIMARY)
                        .maxReplicaLag(Duration.ofHours(1))
                        .build()
                        .maxReplicaLag())
                .isEqualTo(PostgresDatabase.MAX_REPLICA_LAG);
        assertThat(PostgresDatabase.builder()
                        .dataSource(PRIMARY)
                        .maxReplicaLag(Duration.ofMillis(1))
                        .build()
                        .maxReplicaLag())
                .isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> PostgresDatabase.builder().readReplica(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("replica == null");
        assertThatThrownBy(() -> PostgresDatabase.builder().maxReplicaLag(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("maxLag == null");
    }

    @Test
    void checksTheLagAtMostEverySecondOrAQuarterOfTheBound() {
        assertThat(ReplicaRouter.checkInterval(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(1));
        assertThat(ReplicaRouter.checkInterval(Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(1));
        assertThat(ReplicaRouter.checkInterval(Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void retriesOnThePrimaryOnlyAfterALostConnectionOrARecoveryConflict() {
        ReplicaRouter router = new ReplicaRouter(REPLICA, Duration.ofSeconds(10));
        assertThat(router.retryOnPrimary(new DatabaseException("division by zero", "22012", null)))
                .isNull();
        assertThat(router.retryOnPrimary(new DatabaseException("syntax", "42601", null)))
                .isNull();
        assertThat(router.retryOnPrimary(new DatabaseException("timeout", "57014", null)))
                .isNull();
        assertThat(router.retryOnPrimary(new DatabaseException("conflict with recovery", "40001", null)))
                .isEqualTo(ReplicaRouter.Route.CONFLICT);
        assertThat(router.stats().state()).isEqualTo(ReplicaStats.State.UNCHECKED);
        assertThat(router.retryOnPrimary(new DatabaseException("shutting down", "57P01", null)))
                .isEqualTo(ReplicaRouter.Route.UNREACHABLE);
        assertThat(router.stats().state()).isEqualTo(ReplicaStats.State.UNREACHABLE);
        assertThat(router.retryOnPrimary(new DatabaseException("refused", "08001", null)))
                .isEqualTo(ReplicaRouter.Route.UNREACHABLE);
        assertThat(router.retryOnPrimary(
                        new DatabaseException("pool timeout", null, new SQLTransientConnectionException("timeout"))))
                .isEqualTo(ReplicaRouter.Route.UNREACHABLE);
    }

    @Test
    void anUnreachableReplicaSendsReadsToThePrimary() {
        ReplicaRouter router = new ReplicaRouter(REPLICA, Duration.ofSeconds(10));
        assertThat(router.route()).isEqualTo(ReplicaRouter.Route.UNREACHABLE);
        router.count(ReplicaRouter.Route.UNREACHABLE);
        // within the recheck interval the state is reused, not checked again
        assertThat(router.route()).isEqualTo(ReplicaRouter.Route.UNREACHABLE);
        ReplicaStats stats = router.stats();
        assertThat(stats.state()).isEqualTo(ReplicaStats.State.UNREACHABLE);
        assertThat(stats.readsOnPrimaryUnreachable()).isEqualTo(1);
        assertThat(stats.readsOnPrimary()).isEqualTo(1);
    }
}
