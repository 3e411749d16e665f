package dev.pgagent.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** What one run of the CLI printed and returned; runs it as a user would, with captured streams. */
record CliResult(int exitCode, String out, String err) {
    static CliResult run(Map<String, String> env, String stdin, String... args) {
        return run(true, env, stdin, args);
    }

    /** Runs the client with standard input that is ({@code terminal}) or is not a terminal. */
    static CliResult run(boolean terminal, Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PgAgentCli.run(
                args,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env,
                terminal);
        return new CliResult(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static CliResult run(String... args) {
        return run(Map.of(), "", args);
    }

    List<String> outLines() {
        return out.lines().toList();
    }

    List<String> errLines() {
        return err.lines().toList();
    }
}
