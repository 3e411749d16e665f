package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PgAgentCliTest {
    @Test
    void rejectsAnUnknownCommandWithOneLineAndUsageStatus() {
        CliResult r = CliResult.run("frobnicate");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString()
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
        assertThat(r.out()).contains("OPENAI_API_KEY").contains("OPENAI_BASE_URL").contains("PGAGENT_MODEL")
                .contains("ask").contains("demo");
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

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString()
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

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().contains("--url must be a JDBC URL");
        assertThat(r.err()).doesNotContain("hunter22");
    }

    @Test
    void rejectsAnInvalidModelBaseUrlWithoutPrintingTheKey() {
        CliResult r = CliResult.run(Map.of("OPENAI_API_KEY", "sk-secret-123", "OPENAI_BASE_URL", "not a url"), "",
                "ask", "--url", "jdbc:postgresql://localhost:1/none", "How many?");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().contains("baseUrl");
        assertThat(r.err() + r.out()).doesNotContain("sk-secret-123");
    }
}
