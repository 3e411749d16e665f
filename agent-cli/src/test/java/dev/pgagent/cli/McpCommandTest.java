package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class McpCommandTest {
    @Test
    void refusesAnUnknownTransport() {
        CliResult r = CliResult.run("mcp", "--transport", "carrier-pigeon", "--url", "jdbc:postgresql://127.0.0.1:1/x");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("--transport must be stdio or http");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void refusesHttpWithoutAToken() {
        CliResult r = CliResult.run(
                Map.of(), "", "mcp", "--transport", "http", "--port", "0", "--url", "jdbc:postgresql://127.0.0.1:1/x");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("needs a token").contains("PGAGENT_MCP_TOKEN");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void refusesAShortTokenWithoutPrintingIt() {
        CliResult r = CliResult.run(
                Map.of("PGAGENT_MCP_TOKEN", "tooshort"),
                "",
                "mcp",
                "--transport",
                "http",
                "--port",
                "0",
                "--url",
                "jdbc:postgresql://127.0.0.1:1/x");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("at least 16 characters").doesNotContain("tooshort");
    }

    @Test
    void printsHelp() {
        CliResult r = CliResult.run("mcp", "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .contains("Usage: pg-agent mcp")
                .contains("--transport")
                .contains("--token-file");
    }
}
