package dev.pgagent.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.cli.demo.DemoDatabase;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.core.ToolInvocation;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import dev.pgagent.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The example programs' pieces, run against the demo shop with a scripted model. */
class ExamplesIT {
    private static DataSource shop;

    @BeforeAll
    static void loadShop() {
        shop = TestPostgres.freshDatabase("examples_shop");
        DemoDatabase.load(shop);
    }

    @Test
    void customToolsAreCalledByTheModelAndOrderCountGoesThroughTheGuardedGateway() throws Exception {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCalls(
                        LlmResponses.call("sales_target", Map.of("month", "2024-03")),
                        LlmResponses.call("order_count", Map.of("status", "cancelled"))))
                .enqueue(LlmResponses.text("The target was 300000 EUR."));
        PostgresAgent agent = PostgresAgent.builder()
                .llm(llm)
                .dataSource(shop)
                .addTool(CustomTool.salesTarget())
                .addTool(CustomTool.orderCount())
                .build();

        AgentResponse response = agent.ask("Did we meet the sales target in March 2024?");

        assertThat(response.status()).isEqualTo(AgentStatus.COMPLETED);
        List<ToolInvocation> calls = response.steps().get(0).toolInvocations();
        assertThat(calls).extracting(i -> i.call().name()).containsExactly("sales_target", "order_count");
        assertThat(calls.get(0).result().content()).isEqualTo("The sales target for 2024-03 is 300000 EUR.");
        ToolResult count = calls.get(1).result();
        assertThat(count.error()).isFalse();
        assertThat(count.content()).isEqualTo(cancelled() + " orders are cancelled");
        // the host tool's SQL was validated and recorded like the model's own
        assertThat(response.statements())
                .singleElement()
                .satisfies(s -> assertThat(s.sql()).contains("status = 'cancelled'"))
                .satisfies(s -> assertThat(s.verdict().isAllowed()).isTrue());
    }

    @Test
    void swapProviderBuildsTheSameAgentAroundAnyClient() {
        AtomicInteger calls = new AtomicInteger();
        FakeLlmClient fake = FakeLlmClient.create().enqueue(LlmResponses.text("Twelve tables."));
        LlmClient counting = request -> {
            calls.incrementAndGet();
            return fake.chat(request);
        };

        AgentResponse response = SwapProvider.agentFor(counting, shop).ask("How many tables are there?");

        assertThat(response.answer()).isEqualTo("Twelve tables.");
        assertThat(calls.get()).isEqualTo(1);
    }

    private static long cancelled() throws Exception {
        try (Connection c = shop.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM shop.orders WHERE status = 'cancelled'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
