package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pg-agent explain}, {@code health} and {@code migrate} against a real server. */
class DbaCommandsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    DataSource ds;
    String url;

    @BeforeEach
    void setUp() {
        ds = TestPostgres.freshDatabase("cli_dba");
        url = DemoData.urlOf(ds);
        exec(
                "CREATE TABLE items (id int PRIMARY KEY, code text, note text)",
                "INSERT INTO items SELECT g, 'c' || g, md5(g::text) FROM generate_series(1, 20000) g",
                "ANALYZE items");
    }

    private void exec(String... sql) {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> column(String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private CliResult run(String stdin, String... args) {
        return CliResult.run(DemoData.env(Map.of()), stdin, args);
    }

    @Test
    void explainShowsTheTreeAndFindingsAsTextOrJson() throws Exception {
        String sql = "SELECT * FROM items WHERE note = 'x'";
        CliResult text = run("", "explain", "--url", url, sql);
        CliResult json = run("", "explain", "--url", url, "--json", "--analyze", sql);

        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out())
                .startsWith("Estimated plan (not executed)")
                .contains("Seq Scan on items", "[SEQ_SCAN_SELECTIVE]", "Fix: ");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode plan = JSON.readTree(json.out());
        assertThat(plan.get("analyzed").asBoolean()).isTrue();
        assertThat(plan.at("/plan/relation").asText()).isEqualTo("items");
        assertThat(plan.at("/plan/actualRows").asLong()).isZero();
        assertThat(plan.get("findings").findValuesAsText("kind")).contains("SEQ_SCAN_SELECTIVE");
    }

    @Test
    void explainRefusesAWriteAndReportsWhatPostgresCannotPlan() {
        CliResult write = run("", "explain", "--url", url, "--analyze", "DELETE FROM items");
        CliResult bad = run("", "explain", "--url", url, "SELECT nope FROM items");

        assertThat(write.exitCode()).isEqualTo(1);
        assertThat(write.err()).startsWith("pg-agent: refused: ");
        assertThat(column("SELECT count(*) FROM items")).containsExactly("20000");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("PostgreSQL could not plan it [42703]", "nope");
    }

    @Test
    void healthExitsOneOnACriticalIssueAndWritesJson() throws Exception {
        CliResult clean = run("", "health", "--url", url);
        exec("CREATE SEQUENCE small_seq AS smallint", "SELECT setval('small_seq', 32000)");
        CliResult critical = run("", "health", "--url", url, "--json");

        assertThat(clean.exitCode()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.out()).contains("* connections: ", "* replication: no replicas connected");
        assertThat(critical.exitCode()).isEqualTo(1);
        JsonNode report = JSON.readTree(critical.out());
        assertThat(report.at("/issues/0/severity").asText()).isEqualTo("critical");
        assertThat(report.at("/issues/0/check").asText()).isEqualTo("sequence_exhaustion");
        assertThat(report.at("/issues/0/subject").asText()).isEqualTo("public.small_seq");
        assertThat(report.at("/counts/critical").asInt()).isEqualTo(1);
        assertThat(report.get("skipped")).isEmpty();
    }

    @Test
    void migratePlansAppliesAfterTheTypedConfirmationAndShowsStatus() throws Exception {
        String d = dir.toString();
        CliResult plan = run(
                "",
                "migrate",
                "plan",
                "--dir",
                d,
                "--sql",
                "CREATE INDEX items_code_idx ON items (code)",
                "--description",
                "add index items code");
        CliResult pending = run("", "migrate", "status", "--url", url, "--dir", d);
        CliResult apply = run("items\n", "migrate", "apply", "--url", url, "--dir", d);
        CliResult applied = run("", "migrate", "status", "--url", url, "--dir", d, "--json");
        CliResult again = run("", "migrate", "apply", "--url", url, "--dir", d);

        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.out())
                .startsWith("Wrote " + dir.resolve("V1__add_index_items_code.sql") + " and "
                        + dir.resolve("U1__add_index_items_code.sql"));
        assertThat(pending.exitCode()).as(pending.err()).isZero();
        assertThat(pending.outLines()).hasSize(2);
        assertThat(pending.outLines().get(1)).matches("1 +pending +V1__add_index_items_code.sql");
        assertThat(apply.exitCode()).as(apply.out() + apply.err()).isZero();
        assertThat(apply.out())
                .contains(
                        "Migration V1__add_index_items_code.sql (1 statement)",
                        "Dry run: ok",
                        "The migration wants to run (DDL):",
                        "Type 'items' to run it",
                        "V1__add_index_items_code.sql: applied (1 statement ran, ");
        assertThat(column("SELECT to_regclass('items_code_idx')::text")).containsExactly("items_code_idx");
        JsonNode status = JSON.readTree(applied.out());
        assertThat(status.at("/migrations/0/state").asText()).isEqualTo("applied");
        assertThat(status.at("/migrations/0/installedBy").asText())
                .isEqualTo(TestPostgres.server().user());
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).startsWith("Nothing to apply");
    }

    @Test
    void aDeclinedMigrationChangesAndRecordsNothing() throws Exception {
        String d = dir.toString();
        Files.writeString(dir.resolve("V1__add_flag.sql"), "ALTER TABLE items ADD COLUMN flag boolean;\n");

        CliResult typedWrong = run("orders\n", "migrate", "apply", "--url", url, "--dir", d);
        CliResult noTerminal =
                CliResult.run(false, DemoData.env(Map.of()), "", "migrate", "apply", "--url", url, "--dir", d);

        assertThat(typedWrong.exitCode()).isEqualTo(1);
        assertThat(typedWrong.out()).contains("Declined.", "V1__add_flag.sql: declined (");
        assertThat(noTerminal.exitCode()).isEqualTo(1);
        assertThat(noTerminal.out()).contains("Standard input is not a terminal");
        assertThat(column("SELECT to_regclass('flyway_schema_history')::text")).containsOnlyNulls();
        assertThat(column("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'flag'"))
                .containsExactly("0");
    }

    @Test
    void migratePlanDryRunPrintsAndUsageErrorsExitTwo() {
        CliResult dry = run(
                "",
                "migrate",
                "plan",
                "--dir",
                dir.toString(),
                "--dry-run",
                "--sql",
                "ALTER TABLE items ADD COLUMN flag boolean");
        CliResult neither = run("", "migrate", "plan", "--dir", dir.toString());
        CliResult bare = run("", "migrate");

        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out())
                .contains(
                        "V1__alter_table_items_add_column_flag_boolean.sql",
                        "ALTER TABLE items ADD COLUMN flag boolean;",
                        "ALTER TABLE items DROP COLUMN IF EXISTS flag;");
        assertThat(dir.toFile().list()).isEmpty();
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("--sql or as --file");
        assertThat(bare.exitCode()).isEqualTo(2);
        assertThat(bare.err()).contains("plan, apply or status");
    }
}
