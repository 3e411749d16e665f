package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.text;
import static dev.pgagent.testkit.LlmResponses.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.config.AgentConfig;
import dev.pgagent.config.ConfigLoader;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One agent built in one call from a two-profile configuration file serves both databases. */
class ConfigurationIT {
    private static String salesUrl;
    private static String hrUrl;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        DataSource sales = TestPostgres.freshDatabase("core_cfg_sales");
        DataSource hr = TestPostgres.freshDatabase("core_cfg_hr");
        Shop.exec(
                sales,
                "CREATE TABLE orders (id int PRIMARY KEY, total numeric)",
                "INSERT INTO orders VALUES (1, 10), (2, 20)");
        Shop.exec(
                hr,
                "CREATE TABLE employees (id int PRIMARY KEY, name text, salary numeric)",
                "INSERT INTO employees VALUES (1, 'Ann', 100)");
        salesUrl = TestPostgres.server().jdbcUrl(name(sales));
        hrUrl = TestPostgres.server().jdbcUrl(name(hr));
    }

    private static String name(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private AgentConfig load(String profile) throws Exception {
        Path file = dir.resolve("pgagent.yaml");
        Files.writeString(file, """
                version: 1
                default: sales
                agent:
                  maxSteps: 5
                databases:
                  - name: sales
                    description: Orders and their totals
                    url: %s
                    user: %s
                  - name: hr
                    description: Employees
                    url: %s
                    user: %s
                    policy:
                      deniedColumns: [employees.salary]
                """.formatted(
                        salesUrl,
                        TestPostgres.server().user(),
                        hrUrl,
                        TestPostgres.server().user()));
        return ConfigLoader.builder()
                .file(file)
                .environment(Map.of())
                .profile(profile)
                .build()
                .load();
    }

    @Test
    void oneAgentFromTheFileServesBothProfiles() throws Exception {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("database", "sales", "sql", "SELECT count(*) FROM orders")))
                .enqueue(toolCall("execute_query", Map.of("database", "hr", "sql", "SELECT name FROM employees")))
                .enqueue(toolCall("execute_query", Map.of("database", "hr", "sql", "SELECT salary FROM employees")))
                .enqueue(text("done"));
        try (PostgresAgent agent = PostgresAgent.fromConfiguration(load("hr"), llm)) {
            assertThat(agent.databaseNames()).containsExactly("hr", "sales");
            assertThat(agent.policy().level()).isEqualTo(PolicyLevel.READ_ONLY);

            AgentResponse r = agent.ask("How many orders, who works here, and what do they earn?");

            assertThat(r.statements())
                    .extracting(StatementOutcome::status)
                    .containsExactly(
                            StatementOutcome.Status.EXECUTED,
                            StatementOutcome.Status.EXECUTED,
                            StatementOutcome.Status.REFUSED);
            assertThat(r.statements().get(0).result().rows()).containsExactly(List.of("2"));
            assertThat(r.statements().get(1).result().rows()).containsExactly(List.of("Ann"));
        }
    }

    @Test
    void theFilesAuditSectionWritesAChainedTrailThatVerifies() throws Exception {
        Path audit = dir.resolve("audit.jsonl");
        Path file = dir.resolve("chained.yaml");
        Files.writeString(file, """
                version: 1
                databases:
                  - name: sales
                    url: %s
                    user: %s
                audit:
                  jsonl: %s
                  chained: true
                """.formatted(salesUrl, TestPostgres.server().user(), audit));
        AgentConfig config =
                ConfigLoader.builder().file(file).environment(Map.of()).build().load();
        assertThat(config.audit().chained()).isTrue();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("sql", "SELECT count(*) FROM orders")))
                .enqueue(text("two"));
        try (PostgresAgent agent = PostgresAgent.fromConfiguration(config, llm)) {
            assertThat(agent.ask("How many orders?").answer()).isEqualTo("two");
        }

        List<String> lines = Files.readAllLines(audit);
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).contains("\"prevHash\"", "\"hash\""));
        assertThat(String.join("\n", lines)).contains("SELECT count(*) FROM orders");
    }

    @Test
    void theFilesAuditSectionAlsoWritesToAProfilesTableAndToACollector() throws Exception {
        try (okhttp3.mockwebserver.MockWebServer collector = new okhttp3.mockwebserver.MockWebServer()) {
            collector.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
                @Override
                public okhttp3.mockwebserver.MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest r) {
                    return new okhttp3.mockwebserver.MockResponse().setResponseCode(204);
                }
            });
            collector.start();
            Path file = dir.resolve("sinks.yaml");
            Files.writeString(file, """
                    version: 1
                    default: sales
                    databases:
                      - name: sales
                        url: %s
                        user: %s
                      - name: hr
                        url: %s
                        user: %s
                    audit:
                      failurePolicy: fail-closed
                      postgres:
                        database: hr
                        schema: cfg_audit
                      http:
                        url: %s
                        tokenEnv: COLLECTOR_TOKEN
                    """.formatted(
                            salesUrl,
                            TestPostgres.server().user(),
                            hrUrl,
                            TestPostgres.server().user(),
                            collector.url("/events")));
            AgentConfig config = ConfigLoader.builder()
                    .file(file)
                    .environment(Map.of("COLLECTOR_TOKEN", "s3cret-token"))
                    .build()
                    .load();
            assertThat(config.audit().toString()).doesNotContain("s3cret-token");
            FakeLlmClient llm = FakeLlmClient.create()
                    .enqueue(toolCall(
                            "execute_query", Map.of("database", "sales", "sql", "SELECT count(*) FROM orders")))
                    .enqueue(text("two"));
            try (PostgresAgent agent = PostgresAgent.fromConfiguration(config, llm)) {
                assertThat(agent.ask("How many orders?").answer()).isEqualTo("two");
            }

            DataSource hr = dev.pgagent.db.postgres.PgDataSources.fromUrl(
                    hrUrl, TestPostgres.server().user(), TestPostgres.server().password());
            assertThat(Shop.query(
                            hr,
                            "SELECT sql, attributes ->> 'database' FROM cfg_audit.audit_events"
                                    + " WHERE type = 'QUERY_EXECUTED'"))
                    .containsExactly(List.of("SELECT count(*) FROM orders", "sales"));
            assertThat(dev.pgagent.db.postgres.PostgresAuditSink.verify(hr, "cfg_audit")
                            .intact())
                    .isTrue();
            okhttp3.mockwebserver.RecordedRequest posted =
                    collector.takeRequest(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(posted).isNotNull();
            assertThat(posted.getHeader("Authorization")).isEqualTo("Bearer s3cret-token");
            StringBuilder bodies = new StringBuilder(posted.getBody().readUtf8());
            for (okhttp3.mockwebserver.RecordedRequest more =
                            collector.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS);
                    more != null;
                    more = collector.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS)) {
                bodies.append(more.getBody().readUtf8());
            }
            assertThat(bodies.toString()).contains("SELECT count(*) FROM orders");
        }
    }

    @Test
    void anAuditTableInAProfileThatDoesNotExistIsAProblemOfTheFile() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                version: 1
                databases:
                  - name: sales
                    url: %s
                audit:
                  postgres:
                    database: salse
                  http:
                    tokenEnv: MISSING_TOKEN
                """.formatted(salesUrl));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.builder()
                        .file(file)
                        .environment(Map.of())
                        .build()
                        .load())
                .hasMessageContaining("audit.postgres.database names 'salse'")
                .hasMessageContaining("did you mean 'sales'")
                .hasMessageContaining("MISSING_TOKEN, which is not set");
    }
}
