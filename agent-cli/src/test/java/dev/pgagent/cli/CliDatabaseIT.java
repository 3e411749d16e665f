package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class CliDatabaseIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void schemaJsonHoldsTheFullModel() throws Exception {
        CliResult r = CliResult.run(DemoData.env(Map.of()), "", "schema", "--json", "--url", DemoData.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode schema = JSON.readTree(r.out());
        JsonNode orders = table(schema, "shop.orders");
        assertThat(orders.get("kind").asText()).isEqualTo("TABLE");
        assertThat(orders.get("comment").asText()).startsWith("Customer orders");
        assertThat(orders.get("primaryKey")).extracting(JsonNode::asText).containsExactly("order_id");
        assertThat(orders.get("foreignKeys").findValuesAsText("referencedTable"))
                .contains("customers", "employees");
        assertThat(orders.get("columns").findValuesAsText("name")).contains("order_id", "status", "ordered_at");
        assertThat(table(schema, "shop.order_totals").get("kind").asText()).isEqualTo("VIEW");
        assertThat(schema.get("enums").findValuesAsText("name")).contains("order_status", "payment_method");
    }

    @Test
    void schemaTextIsCompactAndCanShowOneTable() {
        CliResult r = CliResult.run(DemoData.env(Map.of()), "", "schema", "--url", DemoData.url(), "orders");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.outLines().get(0)).startsWith("shop.orders (table, ~").contains("Customer orders");
        assertThat(r.out())
                .contains("customer_id")
                .contains("-> shop.customers.customer_id")
                .doesNotContain("shop.products");
    }

    @Test
    void findsTheDatabaseFromTheLibpqVariablesWithoutUrl() {
        String url = DemoData.url();
        String database = url.substring(url.lastIndexOf('/') + 1);
        Map<String, String> env = DemoData.env(Map.of(
                "PGHOST",
                TestPostgres.server().host(),
                "PGPORT",
                Integer.toString(TestPostgres.server().port()),
                "PGDATABASE",
                database));

        CliResult r = CliResult.run(env, "", "schema", "shop.suppliers");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.outLines().get(0)).startsWith("shop.suppliers (table");
    }

    @Test
    void checkWithUrlHasPostgresPlanWhatIsNotDenied() throws Exception {
        CliResult r = CliResult.run(
                DemoData.env(Map.of()),
                "",
                "check",
                "--json",
                "--url",
                DemoData.url(),
                "SELECT count(*) FROM shop.orders WHERE status = 'shipped'",
                "SELECT shipping_planet FROM shop.orders",
                "DELETE FROM shop.orders");

        assertThat(r.exitCode()).isEqualTo(1);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.outLines()) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).get("decision").asText()).isEqualTo("ALLOW");
        assertThat(lines.get(0).get("planned").asBoolean()).isTrue();
        assertThat(lines.get(1).get("planned").asBoolean()).isFalse();
        assertThat(lines.get(1).get("planError").asText()).contains("42703", "shipping_planet");
        assertThat(lines.get(2).get("decision").asText()).isEqualTo("DENY");
        assertThat(lines.get(2).has("planned")).isFalse();

        CliResult ok = CliResult.run(
                DemoData.env(Map.of()), "", "check", "--url", DemoData.url(), "SELECT 1 FROM shop.orders LIMIT 1");
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("PostgreSQL planned it.");
    }

    @Test
    void checkWithUrlPointsAtTheErrorInTheStatementAsWritten() throws Exception {
        String sql = "SELECT * FROM no_such_tab"; // PostgreSQL's position: character 15, inside the statement
        CliResult r = CliResult.run(DemoData.env(Map.of()), "", "check", "--json", "--url", DemoData.url(), sql);

        assertThat(r.exitCode()).isEqualTo(1);
        String planError = JSON.readTree(r.out()).get("planError").asText();
        assertThat(planError).contains("no_such_tab").contains("(at character 15)");
        int position = Integer.parseInt(planError.replaceAll(".*\\(at character (\\d+)\\).*", "$1"));
        assertThat(sql.substring(position - 1)).startsWith("no_such_tab");
    }

    @Test
    void schemaJsonWrittenAsItIsWalkedIsTheDocumentOfTheModel() throws Exception {
        dev.pgagent.api.schema.SchemaModel model = dev.pgagent.db.postgres.PostgresDatabase.of(DemoData.dataSource())
                .schema();
        java.io.ByteArrayOutputStream streamed = new java.io.ByteArrayOutputStream();

        SchemaJson.write(model, streamed);

        assertThat(streamed.toString(java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(JsonViews.pretty(JsonViews.schema(model)) + "\n");
    }

    @Test
    void aTableNeverAnalysedIsShownSoInTextAndAsMinusOneInJson() throws Exception {
        try (Connection c = DemoData.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS public.cli_never_analysed (id int)");
        }
        CliResult text = CliResult.run(
                DemoData.env(Map.of()), "", "schema", "--url", DemoData.url(), "public.cli_never_analysed");
        CliResult json = CliResult.run(
                DemoData.env(Map.of()), "", "schema", "--json", "--url", DemoData.url(), "public.cli_never_analysed");

        assertThat(text.outLines().get(0)).isEqualTo("public.cli_never_analysed (table, not analysed)");
        assertThat(JSON.readTree(json.out())
                        .get("tables")
                        .get(0)
                        .get("rowEstimate")
                        .asLong())
                .isEqualTo(-1);
    }

    @Test
    void contextGroundsTheValuesOfColumnsTheQuestionFiltersOn() {
        CliResult r = CliResult.run(
                DemoData.env(Map.of()),
                "",
                "context",
                "--url",
                DemoData.url(),
                "How many orders were shipped to each shipping country?");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("shipping_country").contains("'DE'");
    }

    @Test
    void anUnknownTableIsOneClearLine() {
        CliResult r = CliResult.run(DemoData.env(Map.of()), "", "schema", "--url", DemoData.url(), "shop.nope");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().contains("no table or view named 'shop.nope'");
    }

    @Test
    void contextJsonShowsTheTablesChosenAndTheTokenCount() throws Exception {
        CliResult r = CliResult.run(
                DemoData.env(Map.of()),
                "",
                "context",
                "--json",
                "--budget",
                "800",
                "--url",
                DemoData.url(),
                "Which products get the worst reviews?");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode context = JSON.readTree(r.out());
        assertThat(context.get("question").asText()).isEqualTo("Which products get the worst reviews?");
        assertThat(context.get("tokens").asInt()).isPositive().isLessThanOrEqualTo(800);
        assertThat(context.get("tables").findValuesAsText("name")).contains("shop.reviews", "shop.products");
        assertThat(context.get("text").asText()).contains("reviews");
    }

    @Test
    void contextReadsQuestionsFromStandardInputInOrder() throws Exception {
        String stdin = "\"How many orders were cancelled?\"\n{\"q\": 1}\n\"Which supplier has the most products?\"\n";

        CliResult r = CliResult.run(DemoData.env(Map.of()), stdin, "context", "--input-jsonl", "--url", DemoData.url());

        assertThat(r.exitCode()).isEqualTo(1);
        List<String> lines = r.outLines();
        assertThat(lines).hasSize(3);
        assertThat(JSON.readTree(lines.get(0)).get("tables").findValuesAsText("name"))
                .contains("shop.orders");
        assertThat(JSON.readTree(lines.get(1)).get("error").asText()).contains("JSON string");
        assertThat(JSON.readTree(lines.get(2)).get("question").asText()).contains("supplier");
        assertThat(JSON.readTree(lines.get(2)).get("tables").findValuesAsText("name"))
                .contains("shop.suppliers");
    }

    @Test
    void aClosedPortIsOneLineWithoutAStackTrace() {
        CliResult r =
                CliResult.run(DemoData.env(Map.of()), "", "schema", "--url", "jdbc:postgresql://127.0.0.1:1/shop");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().startsWith("pg-agent: cannot connect to the database");
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnknownDatabaseIsOneLine() {
        String url = TestPostgres.server().jdbcUrl("no_such_database_here");

        CliResult r = CliResult.run(DemoData.env(Map.of()), "", "schema", "--url", url);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines())
                .singleElement()
                .asString()
                .contains("no_such_database_here")
                .contains("does not exist");
    }

    @Test
    void aWrongUserOrPasswordIsOneLineThatNeverShowsThePassword() {
        CliResult r = CliResult.run(
                Map.of(),
                "",
                "schema",
                "--url",
                DemoData.url(),
                "--user",
                "no_such_role",
                "--password",
                "hunter2-very-secret");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines())
                .singleElement()
                .asString()
                .startsWith("pg-agent: cannot connect to the database")
                .contains("no_such_role");
        assertThat(r.err() + r.out()).doesNotContain("hunter2-very-secret");
    }

    @Test
    void debugShowsTheStackTrace() {
        CliResult r = CliResult.run(
                DemoData.env(Map.of()), "", "schema", "--debug", "--url", "jdbc:postgresql://127.0.0.1:1/shop");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("pg-agent: cannot connect").contains("\tat ");
    }

    @Test
    void demoWithoutAModelLoadsTheSampleAndGivesTheTour() throws Exception {
        DataSource ds = TestPostgres.freshDatabase("cli_demo_tour");
        String url = DemoData.urlOf(ds);

        CliResult r = CliResult.run(DemoData.env(Map.of()), "", "demo", "--url", url, "--load");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Loaded the sample shop into schema 'shop': 10 tables")
                .contains("No model is configured")
                .contains("OPENAI_BASE_URL=http://localhost:11434/v1")
                .contains("1. The schema pg-agent reads")
                .contains("shop.customers (table")
                .contains("2. The safety layer")
                .contains("3. A guarded read")
                .contains("4. An explained plan")
                .contains("5. The schema context");
        assertThat(lineWith(r, "DELETE FROM shop.orders")).startsWith("  DENY");
        assertThat(lineWith(r, "DROP TABLE shop.customers"))
                .startsWith("  DENY")
                .contains("MULTIPLE");
        assertThat(lineWith(r, "pg_sleep")).startsWith("  DENY");
        assertThat(r.out()).containsPattern("(Hash|Merge|Nested Loop).*\\(cost");
        // the guarded read printed the real top customer
        assertThat(r.out()).contains(topCustomer(ds));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void demoOnAnotherDatabaseToursItWithoutLoading() throws Exception {
        DataSource ds = TestPostgres.freshDatabase("cli_demo_other");
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'hello')");
        }

        CliResult r = CliResult.run(DemoData.env(Map.of()), "", "demo", "--url", DemoData.urlOf(ds));

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .doesNotContain("Loaded the sample")
                .contains("public.notes (table")
                .contains("DELETE FROM public.notes")
                .contains("hello");
    }

    @Test
    void theTourGoesOnWhenAPartIsNotAllowed() throws Exception {
        DataSource ds = TestPostgres.freshDatabase("cli_demo_locked");
        String role = "pgagent_tour_" + ProcessHandle.current().pid();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            // a role without privileges on the table (it owns nothing, so it can be dropped and made again)
            st.execute("CREATE TABLE secrets (id int PRIMARY KEY, code text); INSERT INTO secrets VALUES (1, 'x');"
                    + " DROP ROLE IF EXISTS " + role + "; CREATE ROLE " + role + " LOGIN");
        }

        CliResult r = CliResult.run(Map.of(), "", "demo", "--url", DemoData.urlOf(ds), "--user", role);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("public.secrets (table")
                .contains("(not shown: database error:")
                .contains("permission denied")
                .contains("5. The schema context");
    }

    private static String lineWith(CliResult r, String text) {
        return r.outLines().stream().filter(l -> l.contains(text)).findFirst().orElseThrow();
    }

    private static String topCustomer(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT c.first_name || ' ' || c.last_name FROM shop.customers c"
                        + " JOIN shop.order_totals t ON t.customer_id = c.customer_id WHERE t.status <> 'cancelled'"
                        + " GROUP BY c.customer_id ORDER BY sum(t.total) DESC LIMIT 1")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static JsonNode table(JsonNode schema, String name) {
        List<JsonNode> matches = new ArrayList<>();
        schema.get("tables").forEach(t -> {
            if (t.get("qualifiedName").asText().equals(name)) {
                matches.add(t);
            }
        });
        assertThat(matches).as("table " + name).hasSize(1);
        return matches.get(0);
    }
}
