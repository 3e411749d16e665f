package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgAgentCliTest {
    @Test
    void rejectsAnUnknownCommandWithOneLineAndUsageStatus() {
        CliResult r = CliResult.run("frobnicate");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines())
                .singleElement()
                .asString()
                .contains("unknown command 'frobnicate'")
                .contains("ask, chat, schema, check, context, demo");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void rejectsAnUnknownOptionWithOneLine() {
        CliResult r = CliResult.run("schema", "--colour");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("--colour").contains("pg-agent schema --help");
    }

    @Test
    void asksForACommandWhenGivenNone() {
        CliResult r = CliResult.run();

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("a command is required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ask", "chat", "schema", "check", "context", "demo"})
    void printsHelpForEachCommand(String command) {
        CliResult r = CliResult.run(command, "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: pg-agent " + command).contains("--help");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void documentsTheEnvironmentInTheTopLevelHelp() {
        CliResult r = CliResult.run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .contains("OPENAI_API_KEY")
                .contains("OPENAI_BASE_URL")
                .contains("PGAGENT_MODEL")
                .contains("ask")
                .contains("demo");
    }

    @Test
    void printsTheVersion() {
        CliResult r = CliResult.run("--version");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("pg-agent ").contains("0.1.0");
    }

    @Test
    void askWithoutAModelSaysHowToConfigureOne() {
        CliResult r = CliResult.run(Map.of(), "", "ask", "--url", "jdbc:postgresql://localhost:1/none", "How many?");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines())
                .singleElement()
                .asString()
                .contains("no model configured")
                .contains("OPENAI_API_KEY")
                .contains("OPENAI_BASE_URL=http://localhost:11434/v1");
    }

    @Test
    void askNeedsAQuestion() {
        CliResult r = CliResult.run("ask");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("QUESTION");
    }

    @Test
    void rejectsAUrlThatIsNotJdbcAndHidesItsPassword() {
        CliResult r = CliResult.run("schema", "--url", "mysql://db/x?password=hunter22");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("--url must be a JDBC URL");
        assertThat(r.err()).doesNotContain("hunter22");
    }

    @Test
    void rejectsAnInvalidModelBaseUrlWithoutPrintingTheKey() {
        CliResult r = CliResult.run(
                Map.of("OPENAI_API_KEY", "sk-secret-123", "OPENAI_BASE_URL", "not a url"),
                "",
                "ask",
                "--url",
                "jdbc:postgresql://localhost:1/none",
                "How many?");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("baseUrl");
        assertThat(r.err() + r.out()).doesNotContain("sk-secret-123");
    }

    @Test
    void maxStepsBelowOneIsAUsageError() {
        CliResult r = CliResult.run(
                Map.of("OPENAI_API_KEY", "sk-secret-123"),
                "",
                "ask",
                "--max-steps",
                "0",
                "--url",
                "jdbc:postgresql://localhost:1/none",
                "How many?");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("--max-steps must be >= 1 but was 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"schema", "context"})
    void withoutAnyDatabaseNamedItIsAUsageErrorThatSaysHowToNameOne(String command) {
        CliResult r = CliResult.run(Map.of("HOME", "/nonexistent"), "", command, "How many orders?");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines())
                .singleElement()
                .asString()
                .contains("no database named")
                .contains("--url")
                .contains("PGHOST")
                .contains("DATABASE_URL");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "postgresql://localhost:abc/shop",
                "postgres://me:pw@db.example:99999/shop",
                "jdbc:postgresql://localhost:abc/shop",
                "jdbc:postgresql://h1:5432,h2:x/shop"
            })
    void aPortThatIsNotANumberIsAUsageErrorNotTheDefaultPort(String url) {
        CliResult r = CliResult.run("schema", "--url", url);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines())
                .singleElement()
                .asString()
                .contains("--url has an invalid port")
                .doesNotContain(":pw@");
    }

    @Test
    void aBadPortInDatabaseUrlIsAUsageErrorToo() {
        CliResult r = CliResult.run(Map.of("DATABASE_URL", "postgresql://localhost:abc/shop"), "", "schema");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("DATABASE_URL has an invalid port 'abc'");
    }

    @Test
    void anAuditFileThatCannotBeWrittenStopsTheAskBeforeItRuns(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path missingDir = dir.resolve("no-such-dir").resolve("audit.jsonl");
        java.nio.file.Path readOnly = java.nio.file.Files.createFile(dir.resolve("read-only.jsonl"));
        boolean canProtect = readOnly.toFile().setWritable(false) && !java.nio.file.Files.isWritable(readOnly);

        for (java.nio.file.Path audit :
                canProtect ? java.util.List.of(missingDir, dir, readOnly) : java.util.List.of(missingDir, dir)) {
            // the database URL leads nowhere: the audit file is checked before anything is reached
            CliResult r = CliResult.run(
                    Map.of("OPENAI_API_KEY", "sk-secret-123"),
                    "",
                    "ask",
                    "--audit",
                    audit.toString(),
                    "--url",
                    "jdbc:postgresql://localhost:1/none",
                    "How many?");

            assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.errLines())
                    .singleElement()
                    .asString()
                    .startsWith("pg-agent: --audit " + audit + " cannot be written: ");
        }
    }

    @Test
    void aServerThatNeverAnswersIsReportedAsATimeoutWithItsLength() throws Exception {
        // a listener whose backlog completes the TCP handshake, and which never says a word
        try (java.net.ServerSocket silent =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CliResult r = CliResult.run(
                    Map.of("PGCONNECT_TIMEOUT", "1", "PGUSER", "me"),
                    "",
                    "schema",
                    "--url",
                    "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/shop");

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.errLines())
                    .singleElement()
                    .asString()
                    .isEqualTo("pg-agent: cannot connect to the database: the connection attempt timed out after 1 s"
                            + " with no answer from the server (PGCONNECT_TIMEOUT sets how long to wait)");
        }
    }

    @Test
    void aConnectTimeoutThatIsNotANumberIsAUsageError() {
        CliResult r = CliResult.run(Map.of("PGCONNECT_TIMEOUT", "soon", "PGHOST", "localhost"), "", "schema");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("PGCONNECT_TIMEOUT must be a number");
    }
}
