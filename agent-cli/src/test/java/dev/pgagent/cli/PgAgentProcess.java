package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the built client ({@code target/pg-agent.jar}) as a real process, the way a user starts it. */
final class PgAgentProcess {
    private PgAgentProcess() {}

    /** Returns the shaded jar the package phase built. */
    static Path jar() {
        Path jar = Path.of("target", "pg-agent.jar").toAbsolutePath();
        assertThat(jar)
                .as("the client jar (built by the package phase, before the integration tests)")
                .exists();
        return jar;
    }

    /** Returns the command line that starts the client with {@code args}. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the coverage agent of this test JVM, if any, also watches the client it starts (its data is appended to
        // the same file), so code that only a real terminal reaches, such as the terminal UI, is measured too
        for (String arg :
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-javaagent:") && arg.contains("jacoco")) {
                command.add(arg);
            }
        }
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Returns the command with SIGINT set back to its default first: a process started from a shell without job
     * control inherits SIGINT ignored, and a JVM started so never sees Ctrl-C.
     */
    static List<String> withDefaultInterrupt(List<String> command) throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("env", "--default-signal=INT", "true")
                .redirectErrorStream(true)
                .start();
        probe.getInputStream().readAllBytes();
        if (probe.waitFor() != 0) {
            return command;
        }
        List<String> c = new ArrayList<>(List.of("env", "--default-signal=INT"));
        c.addAll(command);
        return c;
    }

    /** Returns a shell-quoted word. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Writes a script that sets {@code env}, runs the client with {@code args} and prints its exit status. */
    static Path script(Path dir, java.util.Map<String, String> env, String... args) throws IOException {
        // Ctrl-C reaches the whole foreground process group, this shell too: a trap (not an ignore, which the
        // client would inherit) keeps the shell alive to print the client's exit status
        StringBuilder sb = new StringBuilder("#!/bin/sh\nunset NO_COLOR TMUX\ntrap 'true' INT\n");
        env.forEach((k, v) ->
                sb.append("export ").append(k).append('=').append(quote(v)).append('\n'));
        for (String word : command(args)) {
            sb.append(quote(word)).append(' ');
        }
        sb.append("\necho \"[exit $?]\"\nexec sleep 600\n");
        Path script = Files.createTempFile(dir, "pg-agent", ".sh");
        Files.writeString(script, sb.toString());
        return script;
    }
}
