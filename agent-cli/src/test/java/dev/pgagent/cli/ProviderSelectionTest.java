package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderSelectionTest {
    private static final String NO_DB = "jdbc:postgresql://localhost:1/none";

    @Test
    void anthropicNeedsItsOwnKey() {
        CliResult r = CliResult.run(
                Map.of("OPENAI_API_KEY", "sk-openai-1"),
                "",
                "ask",
                "--provider",
                "anthropic",
                "--url",
                NO_DB,
                "How many?");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines())
                .singleElement()
                .asString()
                .contains("no model configured")
                .contains("ANTHROPIC_API_KEY");
    }

    @Test
    void anthropicIsChosenByFlagOrEnvironmentAndItsKeyIsNeverPrinted() {
        for (Map<String, String> env : java.util.List.of(
                Map.of("ANTHROPIC_API_KEY", "sk-ant-secret-42", "ANTHROPIC_BASE_URL", "not a url"),
                Map.of(
                        "ANTHROPIC_API_KEY",
                        "sk-ant-secret-42",
                        "ANTHROPIC_BASE_URL",
                        "not a url",
                        "PGAGENT_PROVIDER",
                        "anthropic"))) {
            CliResult r = env.containsKey("PGAGENT_PROVIDER")
                    ? CliResult.run(env, "", "ask", "--url", NO_DB, "How many?")
                    : CliResult.run(env, "", "ask", "--provider", "Anthropic", "--url", NO_DB, "How many?");

            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.errLines()).singleElement().asString().contains("baseUrl");
            assertThat(r.err() + r.out()).doesNotContain("sk-ant-secret-42");
        }
    }

    @Test
    void refusesAnUnknownProvider() {
        CliResult r = CliResult.run(
                Map.of("OPENAI_API_KEY", "sk-x"), "", "ask", "--provider", "gemini", "--url", NO_DB, "How many?");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines())
                .singleElement()
                .asString()
                .contains("provider must be openai or anthropic but was gemini");
    }
}
