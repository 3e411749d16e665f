package dev.pgagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testkit.LlmResponses;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Personal data in results never reaches the model; the host still gets real values. */
class PiiRedactionIT {
    private static final List<String> SECRETS = List.of(
            "jane.doe@example.com", "j.smith+test@mail.example.org",
            "+1 415-555-0132", "+44 20 7946 0958",
            "4111 1111 1111 1111", "5500-0000-0000-0004",
            "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32",
            "123-45-6789", "078-05-1120",
            "192.168.10.25", "2001:db8::ff00:42:8329");

    private static DataSource seed() {
        DataSource ds = Shop.create("core_pii");
        Shop.exec(
                ds,
                "CREATE TABLE people (id int PRIMARY KEY, name text, email text, phone text, card_number text, "
                        + "iban text, ssn text, last_ip inet, notes text)",
                "INSERT INTO people VALUES "
                        + "(1, 'Jane', 'jane.doe@example.com', '+1 415-555-0132', '4111 1111 1111 1111', "
                        + "'DE89370400440532013000', '123-45-6789', '192.168.10.25', "
                        + "'call +44 20 7946 0958 or write j.smith+test@mail.example.org'), "
                        + "(2, 'John', 'j.smith+test@mail.example.org', '+44 20 7946 0958', '5500-0000-0000-0004', "
                        + "'GB82 WEST 1234 5698 7654 32', '078-05-1120', '2001:db8::ff00:42:8329', "
                        + "'card 5500-0000-0000-0004, ssn 078-05-1120, from 192.168.10.25')");
        return ds;
    }

    @Test
    void noPersonalDataReachesTheModelButTheHostSeesRealValues() {
        DataSource ds = seed();
        FakeLlmClient llm = FakeLlmClient.create()
                .enqueue(LlmResponses.toolCall("execute_query", Map.of("sql", "SELECT * FROM people ORDER BY id")))
                .enqueue(LlmResponses.toolCalls(
                        LlmResponses.query("SELECT email AS contact, phone AS x, card_number AS y, iban AS z, "
                                + "ssn AS w, last_ip::text AS v FROM people ORDER BY id"),
                        LlmResponses.query("SELECT name || ' <' || email || '> ' || notes AS blob FROM people"),
                        LlmResponses.query("SELECT notes AS n FROM people ORDER BY id")))
                .enqueue(LlmResponses.text("Two people are on file."));
        PostgresAgent agent = PostgresAgent.builder().llm(llm).dataSource(ds).build();

        AgentResponse r = agent.ask("Who is in the people table?");

        assertThat(r.status()).isEqualTo(AgentStatus.COMPLETED);
        StringBuilder everything = new StringBuilder();
        for (ChatRequest request : llm.requests()) {
            everything.append(LlmResponses.transcript(request));
        }
        assertThat(everything.toString()).contains("Jane");
        for (String secret : SECRETS) {
            assertThat(everything.toString()).as("the model saw %s", secret).doesNotContain(secret);
        }
        List<String> hostValues = new ArrayList<>();
        for (QueryResult t : r.tables()) {
            t.rows().forEach(row -> row.forEach(v -> hostValues.add(String.valueOf(v))));
        }
        assertThat(String.join("\n", hostValues))
                .contains(
                        "jane.doe@example.com",
                        "+1 415-555-0132",
                        "4111 1111 1111 1111",
                        "GB82 WEST 1234 5698 7654 32",
                        "078-05-1120");
        assertThat(r.statements().get(0).result()).isNotNull();
        assertThat(r.statements().get(0).result().rows().get(0)).contains("jane.doe@example.com");
    }
}
