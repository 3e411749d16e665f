package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.text;
import static dev.pgagent.testkit.LlmResponses.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.config.AgentConfig;
import dev.pgagent.config.ConfigLoader;
import dev.pgagent.db.postgres.ExecutionLimits;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.db.postgres.QueryCancellation;
import dev.pgagent.db.postgres.ReplicaStats;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testsupport.Standby;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent built from a configuration whose profile names a read replica runs the model's queries on the standby. */
class ReplicaConfigurationIT {
    static Standby pair;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        pair = Standby.start();
        Shop.exec(
                pair.primary(),
                "CREATE TABLE orders (id int PRIMARY KEY, total numeric)",
                "INSERT INTO orders VALUES (1, 10), (2, 20)");
        pair.awaitReplay(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (pair != null) {
            pair.close();
        }
    }

    private AgentConfig load() throws Exception {
        Path file = dir.resolve("pgagent.yaml");
        Files.writeString(file, """
                version: 1
                databases:
                  - name: shop
                    url: %s
                    user: %s
                    readReplicaUrl: %s
                    maxReplicaLag: 5s
                """.formatted(pair.primaryUrl(), pair.user(), pair.standbyUrl()));
        return ConfigLoader.builder()
                .file(file)
                .environment(Map.of())
                .homeDirectory(dir)
                .build()
                .load();
    }

    @Test
    void theModelsQueriesRunOnTheStandby() throws Exception {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall(
                        "execute_query", Map.of("sql", "SELECT pg_is_in_recovery() AS standby, count(*) FROM orders")))
                .enqueue(text("two orders, read on the standby"));
        try (PostgresAgent agent = PostgresAgent.fromConfiguration(load(), llm)) {
            PostgresDatabase db = agent.database();
            assertThat(db.readReplica()).isPresent();
            assertThat(db.maxReplicaLag()).isEqualTo(Duration.ofSeconds(5));
            // the replica's first check happens on the first read; wait until it finds the standby current
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (db.replicaStats().state() != ReplicaStats.State.CURRENT && System.nanoTime() < deadline) {
                db.read("SELECT 1", ExecutionLimits.defaults(), new QueryCancellation());
                Thread.sleep(50);
            }
            long before = db.replicaStats().readsOnReplica();

            AgentResponse r = agent.ask("How many orders are there?");

            assertThat(r.statements())
                    .extracting(StatementOutcome::status)
                    .containsExactly(StatementOutcome.Status.EXECUTED);
            assertThat(r.statements().get(0).result().rows()).containsExactly(List.of("true", "2"));
            assertThat(db.replicaStats().readsOnReplica()).isGreaterThan(before);
        }
    }
}
