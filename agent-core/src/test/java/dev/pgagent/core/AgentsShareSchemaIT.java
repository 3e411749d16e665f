package dev.pgagent.core;

import static dev.pgagent.testkit.LlmResponses.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testsupport.TestPostgres;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Two agents built on one DataSource, and the sessions of each, share one cached schema. */
class AgentsShareSchemaIT {
    @Test
    void twoAgentsOnOneDataSourceShareTheSchemaAndItsChanges() throws Exception {
        DataSource ds = TestPostgres.freshDatabase("pool_agents");
        Shop.exec(ds, "CREATE TABLE pool_items (id int PRIMARY KEY, name text)");
        List<ChatRequest> requests = new CopyOnWriteArrayList<>();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(r -> {
                    requests.add(r);
                    return text("first");
                })
                .enqueue(r -> {
                    requests.add(r);
                    return text("second");
                });
        try (PostgresAgent first =
                        PostgresAgent.builder().llm(llm).dataSource(ds).build();
                PostgresAgent second =
                        PostgresAgent.builder().llm(llm).dataSource(ds).build()) {
            assertThat(first.database()).isNotSameAs(second.database());
            List<SchemaModel> seenBySecond = new CopyOnWriteArrayList<>();
            second.database().onChange(seenBySecond::add);

            assertThat(first.newSession().ask("What is there?").answer()).isEqualTo("first");
            assertThat(second.newSession().ask("What is there?").answer()).isEqualTo("second");

            SchemaModel shared = first.database().schema();
            assertThat(second.database().schema()).isSameAs(shared);
            assertThat(shared.table("pool_items")).isPresent();
            assertThat(requests).hasSize(2);

            Shop.exec(ds, "CREATE TABLE pool_more (id int)");
            SchemaModel refreshed = first.database().refreshSchema();
            assertThat(refreshed.table("pool_more")).isPresent();
            assertThat(second.database().schema()).isSameAs(refreshed);
            assertThat(seenBySecond).containsExactly(refreshed);
        }
    }
}
