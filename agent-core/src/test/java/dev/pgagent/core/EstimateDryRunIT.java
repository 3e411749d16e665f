package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An executed dry run advances sequences; an estimate-only one runs nothing. */
class EstimateDryRunIT {
    private static final String INSERT = "INSERT INTO customers (name, city) VALUES ('Dee', 'Rome')";
    private DataSource ds;

    @BeforeEach
    void setUp() {
        ds = Shop.create("core_estimate");
    }

    private AgentResponse insertWith(SafetyPolicy policy, List<ConfirmationRequest> asked) {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", INSERT)))
                .enqueue(text("done"));
        try (PostgresAgent agent = PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .policy(policy)
                .confirmationHandler(r -> {
                    asked.add(r);
                    return ConfirmationDecision.decline("test", "no");
                })
                .build()) {
            return agent.ask("Add Dee from Rome");
        }
    }

    private String nextId() {
        return Shop.query(ds, "SELECT last_value FROM customers_id_seq").get(0).get(0);
    }

    @Test
    void anExecutedDryRunLeavesASequenceGapEvenWhenDeclined() {
        String before = nextId();
        List<ConfirmationRequest> asked = new CopyOnWriteArrayList<>();

        insertWith(SafetyPolicy.builder().level(PolicyLevel.BALANCED).build(), asked);

        assertThat(asked).singleElement().satisfies(r -> {
            assertThat(r.dryRun().estimated()).isFalse();
            assertThat(r.dryRun().affectedRows()).isEqualTo(1);
        });
        assertThat(nextId()).isNotEqualTo(before);
    }

    @Test
    void anEstimateOnlyDryRunRunsNothing() {
        String before = nextId();
        List<ConfirmationRequest> asked = new CopyOnWriteArrayList<>();

        AgentResponse r = insertWith(
                SafetyPolicy.builder()
                        .level(PolicyLevel.BALANCED)
                        .estimateOnlyDryRuns("customers")
                        .build(),
                asked);

        assertThat(asked).singleElement().satisfies(q -> {
            assertThat(q.dryRun().estimated()).isTrue();
            assertThat(q.dryRun().affectedRows()).isEqualTo(1);
        });
        assertThat(r.statements())
                .singleElement()
                .satisfies(o -> assertThat(o.status()).isEqualTo(StatementOutcome.Status.DECLINED));
        assertThat(nextId()).isEqualTo(before);
        assertThat(Shop.query(ds, "SELECT count(*) FROM customers")).containsExactly(List.of("3"));
    }

    @Test
    void anApprovedEstimatedWriteIsAppliedWithinTheWriteLimit() {
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall(
                        "execute_query", Map.of("sql", "UPDATE customers SET city = 'X' " + "WHERE id > 0")))
                .enqueue(text("done"));
        SafetyPolicy policy = SafetyPolicy.builder()
                .level(PolicyLevel.BALANCED)
                .estimateOnlyDryRuns("*")
                .maxWriteRows(2)
                .build();
        // the planner guesses from statistics; with more rows than the limit the apply is rolled back
        Shop.exec(ds, "ANALYZE customers");
        try (PostgresAgent agent = PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .policy(policy)
                .confirmationHandler(q -> ConfirmationDecision.approve("test"))
                .build()) {
            AgentResponse r = agent.ask("Move everyone");

            assertThat(r.statements())
                    .singleElement()
                    .satisfies(o -> assertThat(o.status())
                            .isIn(StatementOutcome.Status.REFUSED, StatementOutcome.Status.FAILED));
        }
        assertThat(Shop.query(ds, "SELECT count(*) FROM customers WHERE city = 'X'"))
                .containsExactly(List.of("0"));
    }
}
