package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CheckCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void allowsAReadAndExitsZero() {
        CliResult r = CliResult.run("check", "SELECT id, name FROM customers WHERE id = 1");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("ALLOW").contains("READ").contains("SELECT id, name FROM customers");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void exitsNonZeroWhenAnyStatementIsDenied() {
        CliResult r = CliResult.run("check", "SELECT 1", "DELETE FROM customers");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("DENY").contains("DELETE FROM customers");
    }

    @Test
    void printsOneJsonLinePerArgumentInOrder() throws Exception {
        CliResult r =
                CliResult.run("check", "--json", "SELECT 1", "SELECT 1; DROP TABLE customers", "SELECT pg_sleep(60)");

        assertThat(r.exitCode()).isEqualTo(1);
        List<JsonNode> lines = parse(r.outLines());
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).get("sql").asText()).isEqualTo("SELECT 1");
        assertThat(lines.get(0).get("decision").asText()).isEqualTo("ALLOW");
        assertThat(lines.get(0).get("classification").asText()).isEqualTo("READ");
        assertThat(lines.get(1).get("decision").asText()).isEqualTo("DENY");
        assertThat(lines.get(1).get("classification").asText()).isEqualTo("MULTIPLE");
        assertThat(lines.get(2).get("decision").asText()).isEqualTo("DENY");
        assertThat(lines.get(2).get("reason").asText()).containsIgnoringCase("pg_sleep");
    }

    @Test
    void answersEachInputLineInOrderAndCountsBadLinesAsDenied() throws Exception {
        String stdin = String.join(
                        "\n",
                        "\"SELECT * FROM orders\"",
                        "{\"sql\": \"SELECT 1\"}",
                        "not json at all",
                        "\"DELETE FROM orders\"",
                        "",
                        "42",
                        "\"SELECT count(*) FROM orders\"")
                + "\n";

        CliResult r = CliResult.run(Map.of(), stdin, "check", "--input-jsonl");

        assertThat(r.exitCode()).isEqualTo(1);
        List<JsonNode> lines = parse(r.outLines());
        assertThat(lines).hasSize(7);
        assertThat(lines.get(0).get("sql").asText()).isEqualTo("SELECT * FROM orders");
        assertThat(lines.get(0).get("decision").asText()).isEqualTo("ALLOW");
        assertThat(lines.get(1).get("error").asText()).contains("JSON string").contains("object");
        assertThat(lines.get(1).get("line").asInt()).isEqualTo(2);
        assertThat(lines.get(1).get("decision").asText()).isEqualTo("DENY");
        assertThat(lines.get(2).get("error").asText()).contains("not valid JSON");
        assertThat(lines.get(3).get("decision").asText()).isEqualTo("DENY");
        assertThat(lines.get(3).get("classification").asText()).isEqualTo("WRITE");
        assertThat(lines.get(4).get("error").asText()).contains("empty line");
        assertThat(lines.get(5).get("error").asText()).contains("number");
        assertThat(lines.get(6).get("sql").asText()).isEqualTo("SELECT count(*) FROM orders");
        assertThat(lines.get(6).get("decision").asText()).isEqualTo("ALLOW");
    }

    @Test
    void exitsZeroWhenEveryInputLineIsAllowed() throws Exception {
        CliResult r = CliResult.run(Map.of(), "\"SELECT 1\"\n\"SELECT now()\"\n", "check", "--input-jsonl");

        assertThat(r.exitCode()).isZero();
        assertThat(parse(r.outLines()))
                .extracting(n -> n.get("decision").asText())
                .containsExactly("ALLOW", "ALLOW");
    }

    @Test
    void answersEachLineBeforeTheNextIsWritten() throws Exception {
        PipedOutputStream toCli = new PipedOutputStream();
        PipedInputStream cliIn = new PipedInputStream(toCli);
        PipedInputStream fromCli = new PipedInputStream(1 << 16);
        PrintStream cliOut = new PrintStream(new PipedOutputStream(fromCli), true, StandardCharsets.UTF_8);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> PgAgentCli.run(
                new String[] {"check", "--input-jsonl"},
                cliIn,
                cliOut,
                new PrintStream(OutputStream.nullOutputStream()),
                Map.of()));
        BufferedReader answers = new BufferedReader(new InputStreamReader(fromCli, StandardCharsets.UTF_8));

        toCli.write("\"SELECT 1\"\n".getBytes(StandardCharsets.UTF_8));
        toCli.flush();
        String first = answers.readLine(); // blocks until the CLI answered, while stdin is still open
        toCli.write("\"DROP TABLE orders\"\n".getBytes(StandardCharsets.UTF_8));
        toCli.flush();
        String second = answers.readLine();
        toCli.close();

        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        cliOut.close();
        assertThat(JSON.readTree(first).get("decision").asText()).isEqualTo("ALLOW");
        assertThat(JSON.readTree(second).get("decision").asText()).isEqualTo("DENY");
        assertThat(JSON.readTree(second).get("classification").asText()).isEqualTo("DDL");
    }

    @Test
    void balancedPolicyAsksForConfirmationInsteadOfDenying() throws Exception {
        CliResult r = CliResult.run(
                "check", "--policy", "balanced", "--json", "UPDATE orders SET status = 'shipped' WHERE order_id = 7");

        assertThat(r.exitCode()).isZero();
        JsonNode verdict = parse(r.outLines()).get(0);
        assertThat(verdict.get("decision").asText()).isEqualTo("CONFIRM");
        assertThat(verdict.get("classification").asText()).isEqualTo("WRITE");
    }

    @Test
    void rejectsAnUnknownPolicyWithOneLine() {
        CliResult r = CliResult.run("check", "--policy", "yolo", "SELECT 1");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("--policy must be read-only, balanced or permissive but was 'yolo'");
    }

    @Test
    void sqlThatStartsWithACommentIsCheckedAfterDoubleDash() {
        CliResult asOption = CliResult.run("check", "-- totals\nSELECT 1");
        CliResult afterDashes = CliResult.run("check", "--", "-- totals\nSELECT 1");

        assertThat(asOption.exitCode()).isEqualTo(2);
        assertThat(asOption.errLines()).singleElement().asString().contains("must come after '--'");
        assertThat(afterDashes.exitCode()).isZero();
        assertThat(afterDashes.out()).startsWith("ALLOW");
    }

    @Test
    void needsSqlToCheck() {
        CliResult r = CliResult.run("check");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("no SQL given");
    }

    private static List<JsonNode> parse(List<String> lines) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : lines) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }
}
