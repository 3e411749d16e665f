package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.text;
import static dev.pgagent.testkit.LlmResponses.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import dev.pgagent.testkit.RecordingAuditSink;
import dev.pgagent.testsupport.TestPostgres;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One agent, two real databases with look-alike tables: the model picks one by argument; each keeps its policy. */
class MultiDatabaseIT {
    private static DataSource eu;
    private static DataSource us;

    @BeforeAll
    static void setUp() {
        eu = TestPostgres.freshDatabase("core_multi_eu");
        us = TestPostgres.freshDatabase("core_multi_us");
        Shop.exec(
                eu,
                "CREATE TABLE customers (id int PRIMARY KEY, name text, tax_id text)",
                "INSERT INTO customers VALUES (1, 'Anna', 'EU-1'), (2, 'Bruno', 'EU-2')");
        Shop.exec(
                us,
                "CREATE TABLE customers (id int PRIMARY KEY, name text, tax_id text)",
                "INSERT INTO customers VALUES (1, 'Carla', 'US-1'), (2, 'Dan', 'US-2'), (3, 'Eve', 'US-3')");
    }

    private static PostgresAgent.Builder twoDatabases(FakeLlmClient llm, RecordingAuditSink audit) {
        return PostgresAgent.builder()
                .llm(llm)
                .addAuditSink(audit)
                .addDatabase(AgentDatabase.builder("eu")
                        .description("European shop: customers in the EU")
                        .dataSource(eu)
                        .build())
                .addDatabase(AgentDatabase.builder("us")
                        .description("US shop: customers in the United States")
                        .dataSource(us)
                        .policy(SafetyPolicy.builder()
                                .deniedColumns("customers.tax_id")
                                .build())
                        .build());
    }

    @Test
    void theModelChoosesADatabaseByArgument() {
        List<ChatRequest> requests = new CopyOnWriteArrayList<>();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(r -> {
                    requests.add(r);
                    return toolCall(
                            "execute_query", Map.of("database", "us", "sql", "SELECT count(*) AS n FROM customers"));
                })
                .enqueue(r -> text("US has " + LlmResponses.lastToolResult(r).orElseThrow()));
        RecordingAuditSink audit = new RecordingAuditSink();
        try (PostgresAgent agent = twoDatabases(llm, audit).build()) {
            AgentResponse r = agent.ask("How many customers in the US shop?");

            assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
            assertThat(r.tables())
                    .singleElement()
                    .satisfies(t -> assertThat(t.rows()).containsExactly(List.of("3")));
            String prompt = ((SystemMessage) requests.get(0).messages().get(0)).text();
            assertThat(prompt)
                    .contains(
                            "- eu: European shop",
                            "- us: US shop",
                            "-- database eu",
                            "-- database us",
                            "These columns must not be read: customers.tax_id");
            ToolSpec exec = requests.get(0).tools().stream()
                    .filter(t -> t.name().equals("execute_query"))
                    .findFirst()
                    .orElseThrow();
            assertThat(exec.parametersSchema()).contains("\"database\"", "\"enum\":[\"eu\",\"us\"]");
            assertThat(requests.get(0).tools()).extracting(ToolSpec::name).contains("list_databases");
            assertThat(audit.events(AuditEventType.QUERY_EXECUTED))
                    .singleElement()
                    .satisfies(e -> assertThat(e.attributes()).containsEntry("database", "us"));
        }
    }

    @Test
    void refusesAnUnknownDatabaseNameAndListsTheKnownOnes() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(toolCall("execute_query", Map.of("database", "asia", "sql", "SELECT 1")))
                .enqueue(toolCall("list_databases", Map.of()))
                .enqueue(text("ok"));
        try (PostgresAgent agent = twoDatabases(llm, new RecordingAuditSink()).build()) {
            AgentResponse r = agent.ask("q");

            List<dev.pgagent.core.ToolInvocation> calls = r.steps().stream()
                    .flatMap(s -> s.toolInvocations().stream())
                    .toList();
            assertThat(calls.get(0).result().error()).isTrue();
            assertThat(calls.get(0).result().content()).contains("unknown database 'asia'", "eu, us");
            assertThat(calls.get(1).result().content()).contains("- eu: European shop", "- us: US shop");
            assertThat(r.statements()).isEmpty();
        }
    }

    @Test
    void eachDatabaseKeepsItsOwnPolicy() {
        RecordingAuditSink audit = new RecordingAuditSink();
        try (PostgresAgent agent = twoDatabases(FakeLlmClient.create(), audit).build()) {
            GuardedPath path = agent.guardedPath("host");

            StatementOutcome euRead = path.execute("eu", "SELECT tax_id FROM customers ORDER BY id");
            StatementOutcome usRead = path.execute("us", "SELECT tax_id FROM customers ORDER BY id");
            GuardedCall viaTool = path.callTool("describe_table", "{\"database\":\"us\",\"table\":\"customers\"}");

            assertThat(euRead.status()).isEqualTo(StatementOutcome.Status.EXECUTED);
            assertThat(usRead.status()).isEqualTo(StatementOutcome.Status.REFUSED);
            assertThat(usRead.error()).contains("tax_id");
            assertThat(viaTool.isError()).isFalse();
            assertThat(agent.databaseNames()).containsExactly("eu", "us");
            assertThatThrownBy(() -> path.execute("asia", "SELECT 1"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[eu, us]");
            assertThat(audit.events(AuditEventType.QUERY_REFUSED))
                    .singleElement()
                    .satisfies(e -> assertThat(e.attributes()).containsEntry("database", "us"));
        }
    }

    @Test
    void oneDatabaseChangesNothingForTheModel() {
        List<ChatRequest> requests = new CopyOnWriteArrayList<>();
        FakeLlmClient llm = FakeLlmClient.create().enqueue(r -> {
            requests.add(r);
            return text("hi");
        });
        try (PostgresAgent agent =
                PostgresAgent.builder().llm(llm).dataSource(eu).build()) {
            agent.ask("q");
        }
        assertThat(requests.get(0).tools()).extracting(ToolSpec::name).doesNotContain("list_databases");
        assertThat(requests.get(0).tools())
                .allSatisfy(t -> assertThat(t.parametersSchema()).doesNotContain("\"database\""));
    }
}
