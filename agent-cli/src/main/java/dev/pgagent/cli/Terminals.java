package dev.pgagent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which of the process's standard streams are terminals. Found from {@code /proc/self/fd} where there is one (no
 * process started, so start-up stays quick), else by asking {@code test -t 0} for standard input and
 * {@link System#console()} for output.
 *
 * @param in whether standard input is a terminal (a person can answer confirmations)
 * @param out whether standard output is a terminal
 * @param err whether standard error is a terminal
 */
record Terminals(boolean in, boolean out, boolean err) {
    /** No stream is a terminal. */
    static final Terminals NONE = new Terminals(false, false, false);

    /** Standard input is a terminal, output is not (what the in-process tests simulate). */
    static final Terminals INPUT_ONLY = new Terminals(true, false, false);

    /** Returns the terminals of this process. */
    static Terminals detect() {
        Path fd = Path.of("/proc/self/fd");
        if (Files.isDirectory(fd)) {
            return new Terminals(isTerminal(fd.resolve("0")), isTerminal(fd.resolve("1")), isTerminal(fd.resolve("2")));
        }
        boolean console = System.console() != null;
        return new Terminals(Cli.stdinIsTerminal(), console, console);
    }

    private static boolean isTerminal(Path link) {
        try {
            String target = Files.readSymbolicLink(link).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
