package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pg-agent advise} on a fresh database without hypopg: the opt-in rolled-back build and uncosted lists. */
class AdviseCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BY_CUSTOMER = "SELECT id, total FROM orders WHERE customer_id = 42";
    static String url;

    @BeforeAll
    static void setUp() throws Exception {
        DataSource ds = TestPostgres.freshDatabase("cli_advise");
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, total numeric NOT NULL)");
            st.execute("INSERT INTO orders SELECT g, g % 3000, g % 100 FROM generate_series(1, 30000) g");
            st.execute("ANALYZE orders");
        }
        url = DemoData.urlOf(ds);
    }

    @Test
    void adviseWithTheRolledBackBuildPrintsJsonWithTheCreateStatement(@TempDir Path dir) throws Exception {
        Path audit = dir.resolve("audit.jsonl");
        CliResult r = CliResult.run(
                DemoData.env(Map.of()),
                "",
                "advise",
                "--url",
                url,
                "--query",
                BY_CUSTOMER,
                "--query",
                "DELETE FROM orders",
                "--allow-real-build",
                "--budget-mb",
                "50",
                "--json",
                "--audit",
                audit.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode advice = JSON.readTree(r.out());
        assertThat(advice.get("method").asText()).isEqualTo("rolled_back_build");
        assertThat(advice.get("budgetBytes").asLong()).isEqualTo(50L << 20);
        JsonNode first = advice.get("recommendations").get(0);
        assertThat(first.get("createStatement").asText())
                .startsWith("CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id");
        assertThat(first.get("costAfter").asDouble())
                .isLessThan(first.get("costBefore").asDouble());
        assertThat(advice.get("statements").get(1).get("skipped").asText()).startsWith("refused by the safety");
        assertThat(advice.get("notes").toString()).contains("SHARE lock");
        java.util.List<String> trail = Files.readAllLines(audit);
        assertThat(trail).hasSize(2);
        assertThat(trail.get(0)).contains("QUERY_REFUSED", "DELETE FROM orders", "pg-agent advise");
        assertThat(trail.get(1))
                .contains(
                        "TOOL_CALL",
                        "index_advisor",
                        "rolled_back_build",
                        "CREATE INDEX CONCURRENTLY orders_customer_id_idx");
    }

    @Test
    void aWorkloadFileWithoutHypopgOrOptInListsTheCandidatesUncosted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("workload.sql");
        Files.writeString(file, BY_CUSTOMER + ";\n-- the next one too\nSELECT id FROM orders WHERE total > 98;\n");

        CliResult r = CliResult.run(DemoData.env(Map.of()), "", "advise", "--url", url, "--workload", file.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains(
                        "Index advice for 2 of 2 statements",
                        "Candidates (not costed)",
                        "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id);",
                        "hypopg");
    }

    @Test
    void usageErrorsAndAMissingWorkload() {
        assertThat(CliResult.run(DemoData.env(Map.of()), "", "advise", "--url", url)
                        .exitCode())
                .isEqualTo(2);
        CliResult both =
                CliResult.run(DemoData.env(Map.of()), "", "advise", "--url", url, "--query", BY_CUSTOMER, "--workload");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("either --query SQL (repeatable) or --workload [FILE]");
        CliResult budget = CliResult.run(
                DemoData.env(Map.of()), "", "advise", "--url", url, "--query", BY_CUSTOMER, "--budget-mb", "0");
        assertThat(budget.exitCode()).isEqualTo(2);
        assertThat(budget.err()).contains("--budget-mb must be >= 1 but was 0");
        CliResult gain = CliResult.run(
                DemoData.env(Map.of()), "", "advise", "--url", url, "--query", BY_CUSTOMER, "--min-gain", "100");
        assertThat(gain.exitCode()).isEqualTo(2);
        CliResult noFile = CliResult.run(
                DemoData.env(Map.of()), "", "advise", "--url", url, "--workload", "/nonexistent/workload.sql");
        assertThat(noFile.exitCode()).isEqualTo(2);
        assertThat(noFile.err()).contains("cannot read the workload file");

        CliResult stats = CliResult.run(DemoData.env(Map.of()), "", "advise", "--url", url, "--workload");
        assertThat(stats.exitCode()).isEqualTo(1);
        assertThat(stats.err()).contains("no statements to advise on", "pg_stat_statements is not installed");
    }
}
