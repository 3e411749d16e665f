package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the built client as a separate process: signals and the process's own standard error. */
class ProcessIT {
    @TempDir
    Path dir;

    @Test
    void ctrlCDuringAskCancelsTheStatementOnTheServerBeforeTheProgramEnds() throws Exception {
        String marker = SlowQueries.marker();
        try (ScriptedModel model = new ScriptedModel()) {
            model.then(AskIT.toolCall("call_1", "execute_query", SlowQueries.sql(marker), 100, 10))
                    .then(AskIT.answer("Cancelled.", 100, 5));
            File out = dir.resolve("out.txt").toFile();
            File err = dir.resolve("err.txt").toFile();
            ProcessBuilder pb = new ProcessBuilder(PgAgentProcess.withDefaultInterrupt(
                            PgAgentProcess.command("ask", "--url", DemoData.url(), "How many pairs are there?")))
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(out)
                    .redirectError(err);
            pb.environment().putAll(env(model));
            Process p = pb.start();
            try {
                SlowQueries.await(marker, true, Duration.ofMinutes(2));

                new ProcessBuilder("kill", "-INT", Long.toString(p.pid()))
                        .inheritIO()
                        .start()
                        .waitFor();

                assertThat(p.waitFor(2, TimeUnit.MINUTES))
                        .as("the client ends after Ctrl-C")
                        .isTrue();
                String stderr = Files.readString(err.toPath(), StandardCharsets.UTF_8);
                assertThat(p.exitValue()).as(stderr).isEqualTo(130);
                assertThat(stderr).contains("the ask was cancelled (Ctrl-C)");
                // the cancel reached the server before the client ended: the statement stops there at once, far
                // from its 30 s statement timeout (the server updates pg_stat_activity a moment after it answers)
                try {
                    SlowQueries.await(marker, false, SlowQueries.CANCELLED_WITHIN);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; the client said: " + stderr, e);
                }
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void aBadPortIsOneLineOnStandardErrorWithoutTheDriversWarnings() throws Exception {
        for (String url : List.of("jdbc:postgresql://localhost:abc/shop", "postgresql://localhost:abc/shop")) {
            ProcessBuilder pb = new ProcessBuilder(PgAgentProcess.command("schema", "--url", url));
            pb.environment().remove("DATABASE_URL");
            Process p = pb.start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();

            assertThat(p.exitValue()).as(stderr).isEqualTo(2);
            assertThat(stdout).isEmpty();
            assertThat(stderr.lines().toList())
                    .as(url)
                    .singleElement()
                    .asString()
                    .startsWith("pg-agent: --url has an invalid port 'abc'");
        }
    }

    private static Map<String, String> env(ScriptedModel model) {
        return DemoData.env(Map.of(
                "OPENAI_API_KEY",
                "sk-test-0123456789abcdef",
                "OPENAI_BASE_URL",
                model.baseUrl(),
                "PGAGENT_MODEL",
                "gpt-4o-mini"));
    }
}
