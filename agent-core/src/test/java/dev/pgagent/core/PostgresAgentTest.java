package dev.pgagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.ScriptedTool;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class PostgresAgentTest {
    private static PostgresDatabase unreachableDb() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {1});
        return PostgresDatabase.of(ds);
    }

    @Test
    void requiresAModel() {
        assertThatThrownBy(
                        () -> PostgresAgent.builder().database(unreachableDb()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("llm must be set but was null");
    }

    @Test
    void requiresExactlyOneDatabase() {
        assertThatThrownBy(() ->
                        PostgresAgent.builder().llm(FakeLlmClient.create()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dataSource, database or addDatabase must be set");
        assertThatThrownBy(() -> PostgresAgent.builder()
                        .llm(FakeLlmClient.create())
                        .database(unreachableDb())
                        .dataSource(new PGSimpleDataSource())
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only one of dataSource and database");
    }

    @Test
    void rejectsToolsWhoseNamesClash() {
        PostgresAgent.Builder b = PostgresAgent.builder()
                .llm(FakeLlmClient.create())
                .database(unreachableDb())
                .addTool(ScriptedTool.returning("execute_query", "shadow"));

        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tool names must be unique")
                .hasMessageContaining("execute_query");
    }

    @Test
    void offersTheBuiltInToolsThenTheHostsOwn() {
        PostgresAgent agent = PostgresAgent.builder()
                .llm(FakeLlmClient.create())
                .database(unreachableDb())
                .addTool(ScriptedTool.returning("weather", "sunny"))
                .build();

        assertThat(agent.tools())
                .extracting(ToolSpec::name)
                .containsExactly(
                        "execute_query",
                        "list_tables",
                        "describe_table",
                        "get_schema",
                        "explain_query",
                        "search_schema",
                        "weather");
        assertThat(agent.policy()).isSameAs(SafetyPolicy.READ_ONLY);
        assertThat(agent.validator().validate("DROP TABLE x").isDenied()).isTrue();
        assertThat(agent.toBuilder().build().tools()).hasSize(7);
    }

    @Test
    void rejectsBadLimitsInTheSetters() {
        PostgresAgent.Builder b = PostgresAgent.builder();

        assertThatThrownBy(() -> b.maxSteps(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSteps must be >= 1 but was 0");
        assertThatThrownBy(() -> b.maxToolCallsPerStep(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.tokenBudget(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.historyTokenBudget(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.llm(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("llm == null");
    }

    @Test
    void aModelFailureIsReportedNotThrown() {
        PostgresAgent agent = PostgresAgent.builder()
                .llm(FakeLlmClient.create())
                .database(unreachableDb())
                .schemaContextTokens(0)
                .build();

        AgentResponse r = agent.ask("anything");

        assertThat(r.status()).isEqualTo(AgentStatus.FAILED);
        assertThat(r.error()).get().asString().contains("script is exhausted");
    }
}
