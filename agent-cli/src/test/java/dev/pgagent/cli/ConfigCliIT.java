package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration file as {@code pg-agent} uses it: two profiles on two real PostgreSQL databases, the override
 * order, secrets, validation messages, {@code config init|show|check}, and a chat that applies a changed file between
 * questions. The model is scripted (MockWebServer, OpenAI's wire format).
 */
class ConfigCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-config-test-0123456789";
    private static String salesUrl;
    private static String hrUrl;

    @TempDir
    Path dir;

    private MockWebServer model;

    @BeforeAll
    static void databases() throws Exception {
        DataSource sales = TestPostgres.freshDatabase("cfg_sales");
        DataSource hr = TestPostgres.freshDatabase("cfg_hr");
        run(
                sales,
                "CREATE TABLE sales_orders (id int PRIMARY KEY, total numeric(10,2) NOT NULL)",
                "INSERT INTO sales_orders SELECT g, g * 10 FROM generate_series(1, 4) g");
        run(
                hr,
                "CREATE TABLE hr_people (id int PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO hr_people VALUES (1, 'Ada'), (2, 'Grace'), (3, 'Edsger')");
        salesUrl = DemoData.urlOf(sales);
        hrUrl = DemoData.urlOf(hr);
    }

    private static void run(DataSource ds, String... sql) throws Exception {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    @BeforeEach
    void startModel() throws Exception {
        model = new MockWebServer();
        model.start();
    }

    @AfterEach
    void stopModel() throws Exception {
        model.shutdown();
    }

    private Map<String, String> env(String... more) {
        Map<String, String> m = new HashMap<>();
        m.put("CFG_TEST_KEY", KEY);
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return DemoData.env(m);
    }

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("pgagent.yaml");
        Files.writeString(f, yaml, StandardCharsets.UTF_8);
        return f;
    }

    private String twoProfiles(String modelName) {
        return "version: 1\n"
                + "default: sales\n"
                + "model:\n"
                + "  baseUrl: " + model.url("/v1") + "\n"
                + "  model: " + modelName + "\n"
                + "  apiKeyEnv: CFG_TEST_KEY\n"
                + "agent:\n"
                + "  maxSteps: 5\n"
                + "databases:\n"
                + "  - name: sales\n"
                + "    description: Orders of the web shop.\n"
                + "    url: " + salesUrl + "\n"
                + "  - name: hr\n"
                + "    description: The people who work here.\n"
                + "    url: " + hrUrl + "\n";
    }

    @Test
    void askWithAProfileUsesItsDatabaseAndTheAgentServesBothProfiles() throws Exception {
        Path f = file(twoProfiles("file-model"));
        model.enqueue(toolCall(
                "c1", "execute_query", Map.of("sql", "SELECT count(*) AS people FROM hr_people", "database", "hr")));
        model.enqueue(toolCall(
                "c2",
                "execute_query",
                Map.of("sql", "SELECT sum(total) AS revenue FROM sales_orders", "database", "sales")));
        model.enqueue(answer("3 people; revenue 100.00."));

        CliResult r = CliResult.run(
                env(),
                "",
                "ask",
                "--json",
                "--config",
                f.toString(),
                "--profile",
                "hr",
                "How many people, and what revenue?");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("status").asText()).isEqualTo("COMPLETED");
        JsonNode queries = doc.get("queries");
        assertThat(queries).as(r.out()).hasSize(2);
        assertThat(queries.get(0).get("outcome").asText()).isEqualTo("EXECUTED");
        assertThat(queries.get(1).get("outcome").asText()).isEqualTo("EXECUTED");
        assertThat(queries.get(0).get("tables").get(0).asText()).isEqualTo("hr_people");
        assertThat(queries.get(1).get("tables").get(0).asText()).isEqualTo("sales_orders");
        assertThat(doc.get("tables").get(0).get("rows").get(0).get(0).asText()).isEqualTo("100.00");

        RecordedRequest first = model.takeRequest(30, TimeUnit.SECONDS);
        assertThat(first.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode body = JSON.readTree(first.getBody().readUtf8());
        assertThat(body.get("model").asText()).isEqualTo("file-model");
        assertThat(body.get("tools").findValuesAsText("name")).contains("list_databases", "execute_query");
        assertThat(body.get("messages").get(0).get("content").asText())
                .contains("hr")
                .contains("sales")
                .contains("The people who work here.");
        JsonNode second =
                JSON.readTree(model.takeRequest(30, TimeUnit.SECONDS).getBody().readUtf8());
        JsonNode hrResult = second.get("messages").get(second.get("messages").size() - 1);
        assertThat(hrResult.get("role").asText()).isEqualTo("tool");
        assertThat(hrResult.get("content").asText()).contains("people").contains("3");
        assertThat(r.out() + r.err()).doesNotContain(KEY);
    }

    @Test
    void askAuditsToTheTableOfTheProfileTheFileNamesAndTheChainVerifies() throws Exception {
        Path f = file(twoProfiles("file-model") + "audit:\n  postgres:\n    database: hr\n    schema: cli_audit\n");
        model.enqueue(toolCall(
                "c1", "execute_query", Map.of("sql", "SELECT count(*) FROM sales_orders", "database", "sales")));
        model.enqueue(answer("4 orders."));

        CliResult r = CliResult.run(env(), "", "ask", "--config", f.toString(), "How many orders?");

        assertThat(r.exitCode()).as(r.err()).isZero();
        DataSource hr = dev.pgagent.db.postgres.PgDataSources.fromUrl(
                hrUrl, TestPostgres.server().user(), TestPostgres.server().password());
        try (Connection c = hr.getConnection();
                Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT sql, attributes ->> 'database' FROM"
                        + " cli_audit.audit_events WHERE type = 'QUERY_EXECUTED'")) {
            assertThat(rs.next()).as(r.out() + r.err() + all(hr)).isTrue();
            assertThat(rs.getString(1)).isEqualTo("SELECT count(*) FROM sales_orders");
            assertThat(rs.getString(2)).isEqualTo("sales");
            assertThat(rs.next()).isFalse();
        }
        CliResult verified = CliResult.run(env(), "", "audit", "verify", "--jdbc", hrUrl, "--schema", "cli_audit");
        assertThat(verified.exitCode()).as(verified.err()).isZero();
        assertThat(verified.out()).contains("OK:");
    }

    private static String all(DataSource ds) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT type, sql, event FROM cli_audit.audit_events")) {
            while (rs.next()) {
                b.append(rs.getString(1))
                        .append(' ')
                        .append(rs.getString(2))
                        .append(' ')
                        .append(rs.getString(3))
                        .append('\n');
            }
        }
        return b.toString();
    }

    @Test
    void withoutProfileTheFilesDefaultIsUsed() throws Exception {
        Path f = file(twoProfiles("file-model"));
        CliResult r = CliResult.run(env(), "", "schema", "--config", f.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("sales_orders").doesNotContain("hr_people");

        CliResult hr = CliResult.run(env("PGAGENT_PROFILE", "hr"), "", "schema", "--config", f.toString());
        assertThat(hr.out()).contains("hr_people").doesNotContain("sales_orders");
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheFile() throws Exception {
        Path f = file(twoProfiles("file-model"));

        JsonNode fromFile = show(CliResult.run(env(), "", "config", "show", "--json", "--config", f.toString()));
        assertThat(setting(fromFile, "model.model").get("value").asText()).isEqualTo("file-model");
        assertThat(setting(fromFile, "model.model").get("source").asText()).endsWith("pgagent.yaml:5:10");
        assertThat(setting(fromFile, "agent.maxSteps").get("value").asText()).isEqualTo("5");
        assertThat(setting(fromFile, "agent.timeout").get("source").asText()).isEqualTo("default");

        JsonNode fromEnv = show(CliResult.run(
                env("PGAGENT_MODEL", "env-model", "PGAGENT_MAX_STEPS", "7"),
                "",
                "config",
                "show",
                "--json",
                "--config",
                f.toString()));
        assertThat(setting(fromEnv, "model.model").get("value").asText()).isEqualTo("env-model");
        assertThat(setting(fromEnv, "model.model").get("source").asText()).isEqualTo("env PGAGENT_MODEL");
        assertThat(setting(fromEnv, "agent.maxSteps").get("value").asText()).isEqualTo("7");

        JsonNode fromFlag = show(CliResult.run(
                env("PGAGENT_MODEL", "env-model", "PGAGENT_MAX_STEPS", "7"),
                "",
                "config",
                "show",
                "--json",
                "--config",
                f.toString(),
                "--model",
                "flag-model",
                "--max-steps",
                "3",
                "--profile",
                "hr"));
        assertThat(setting(fromFlag, "model.model").get("value").asText()).isEqualTo("flag-model");
        assertThat(setting(fromFlag, "model.model").get("source").asText()).isEqualTo("flag --model");
        assertThat(setting(fromFlag, "agent.maxSteps").get("value").asText()).isEqualTo("3");
        assertThat(fromFlag.get("profile").asText()).isEqualTo("hr");
    }

    @Test
    void secretsComeFromTheEnvironmentOrAFileAndNeverShow() throws Exception {
        Path secret = dir.resolve("hr-password");
        Files.writeString(secret, "file-secret-42\n");
        Path f = file(twoProfiles("m")
                .replace(
                        "    url: " + salesUrl + "\n",
                        "    url: " + salesUrl + "\n    user: sales_user\n    passwordEnv: CFG_SALES_PASSWORD\n")
                .replace("    url: " + hrUrl + "\n", "    url: " + hrUrl + "\n    passwordFile: " + secret + "\n"));

        CliResult r = CliResult.run(
                env("CFG_SALES_PASSWORD", "env-secret-17"), "", "config", "show", "--config", f.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("env CFG_SALES_PASSWORD")
                .contains("sales_user")
                .doesNotContain("env-secret-17")
                .doesNotContain("file-secret-42")
                .doesNotContain(KEY);
        CliResult hr = CliResult.run(
                env("CFG_SALES_PASSWORD", "env-secret-17"),
                "",
                "config",
                "show",
                "--config",
                f.toString(),
                "--profile",
                "hr");
        assertThat(hr.out()).contains("hr-password").doesNotContain("file-secret-42");
    }

    @Test
    void aClearTextSecretIsRefusedWithWhereItIsAndHowToMoveIt() throws Exception {
        Path f = file(twoProfiles("m")
                .replace("    url: " + hrUrl + "\n", "    url: " + hrUrl + "\n    password: hunter2-in-clear\n"));

        CliResult r = CliResult.run(env(), "", "config", "check", "--offline", "--config", f.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err())
                .contains("pgagent.yaml:16:15")
                .contains("passwordEnv")
                .doesNotContain("hunter2");
        assertThat(r.out()).doesNotContain("hunter2");
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsLineAndColumnBeforeAnythingConnects() throws Exception {
        Path f = file("version: 1\n"
                + "agent:\n"
                + "  maxStep: 5\n"
                + "  timeout: soon\n"
                + "policy:\n"
                + "  statementTimeout: 10m\n"
                + "databases:\n"
                + "  - name: main\n"
                + "    url: jdbc:postgresql://127.0.0.1:1/never\n");

        CliResult r = CliResult.run(env(), "", "ask", "--config", f.toString(), "anything");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err())
                .contains("pgagent.yaml:3:3")
                .contains("did you mean 'maxSteps'")
                .contains("pgagent.yaml:4:12")
                .doesNotContain("Connection refused");
        assertThat(model.getRequestCount()).isZero();
    }

    @Test
    void configInitWritesAPrivateStarterFileThatValidatesUnchanged() throws Exception {
        Path f = dir.resolve("starter.yaml");

        CliResult init = CliResult.run(env(), "", "config", "init", f.toString());
        assertThat(init.exitCode()).as(init.err()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(f)).contains("databases:").contains("#");

        CliResult check = CliResult.run(env(), "", "config", "check", "--offline", "--config", f.toString());
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.out()).contains("valid");

        CliResult again = CliResult.run(env(), "", "config", "init", f.toString());
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("--force");
    }

    @Test
    void configCheckTestsEveryProfileAndTheModelEndpointOneLineEach() throws Exception {
        model.enqueue(new MockResponse()
                .setHeader("Content-Type", "application/json")
                .setBody("{\"object\":\"list\",\"data\":[]}"));
        Path f = file(twoProfiles("m") + "  - name: gone\n    url: jdbc:postgresql://127.0.0.1:1/nothing\n");

        CliResult r = CliResult.run(env(), "", "config", "check", "--config", f.toString());

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).anyMatch(l -> l.startsWith("ok") && l.contains("database sales: PostgreSQL"));
        assertThat(lines).anyMatch(l -> l.startsWith("ok") && l.contains("database hr: PostgreSQL"));
        assertThat(lines).anyMatch(l -> l.startsWith("FAILED") && l.contains("database gone"));
        assertThat(lines).anyMatch(l -> l.startsWith("ok") && l.contains("reachable, key accepted"));
        RecordedRequest probe = model.takeRequest(30, TimeUnit.SECONDS);
        assertThat(probe.getPath()).isEqualTo("/v1/models");
        assertThat(probe.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(r.out()).doesNotContain(KEY);
    }

    @Test
    void aRefusedKeyFailsTheModelLine() throws Exception {
        model.enqueue(new MockResponse().setResponseCode(401).setBody("{\"error\":{\"message\":\"bad key\"}}"));
        Path f = file(twoProfiles("m"));

        CliResult r = CliResult.run(env(), "", "config", "check", "--config", f.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("the API key was refused (HTTP 401)");
    }

    @Test
    void aProfileWithoutAFileIsAUsageError() {
        CliResult r = CliResult.run(env("PGAGENT_CONFIG", ""), "", "schema", "--profile", "sales", "--url", salesUrl);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--profile sales needs a configuration file");
    }

    @Test
    void chatAppliesAChangedFileBetweenQuestionsAndKeepsTheConversation() throws Exception {
        Path f = file(twoProfiles("first-model"));
        AtomicInteger calls = new AtomicInteger();
        model.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (calls.incrementAndGet() == 1) {
                    try {
                        // the file changes while the first question is answered
                        Files.writeString(f, twoProfiles("second-model"));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return answer("answer " + calls.get());
            }
        });

        CliResult r =
                CliResult.run(env(), "first question\nsecond question\n/quit\n", "chat", "--config", f.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Connected to sales")
                .contains("answer 1")
                .contains("(configuration reloaded")
                .contains("answer 2");
        JsonNode firstBody =
                JSON.readTree(model.takeRequest(30, TimeUnit.SECONDS).getBody().readUtf8());
        JsonNode secondBody =
                JSON.readTree(model.takeRequest(30, TimeUnit.SECONDS).getBody().readUtf8());
        assertThat(firstBody.get("model").asText()).isEqualTo("first-model");
        assertThat(secondBody.get("model").asText()).isEqualTo("second-model");
        // the conversation went on: the first question is still in it
        assertThat(secondBody.get("messages").toString()).contains("first question");
    }

    @Test
    void chatKeepsTheConfigurationInUseWhenTheChangedFileIsInvalid() throws Exception {
        Path f = file(twoProfiles("first-model"));
        AtomicInteger calls = new AtomicInteger();
        model.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (calls.incrementAndGet() == 1) {
                    try {
                        Files.writeString(f, twoProfiles("second-model").replace("maxSteps: 5", "maxSteps: many"));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return answer("answer " + calls.get());
            }
        });

        CliResult r =
                CliResult.run(env(), "first question\nsecond question\n/quit\n", "chat", "--config", f.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("not applied").contains("pgagent.yaml:8:");
        model.takeRequest(30, TimeUnit.SECONDS);
        JsonNode secondBody =
                JSON.readTree(model.takeRequest(30, TimeUnit.SECONDS).getBody().readUtf8());
        assertThat(secondBody.get("model").asText()).isEqualTo("first-model");
    }

    private static JsonNode show(CliResult r) throws Exception {
        assertThat(r.exitCode()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    private static JsonNode setting(JsonNode doc, String key) {
        for (JsonNode s : doc.get("settings")) {
            if (s.get("key").asText().equals(key)) {
                return s;
            }
        }
        throw new AssertionError("no setting " + key + " in " + doc);
    }

    private static MockResponse toolCall(String id, String tool, Map<String, String> arguments) {
        return AskIT.toolCall(id, tool, arguments, 10, 5);
    }

    private static MockResponse answer(String text) {
        return AskIT.answer(text, 10, 5);
    }
}
