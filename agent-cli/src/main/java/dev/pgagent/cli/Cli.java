package dev.pgagent.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The world one run of the command-line client sees: its standard streams, its environment, and the secrets that
 * must never be printed. Not thread-safe except for {@link #scrub(String)}.
 */
final class Cli {
    final InputStream in;
    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    final boolean debug;
    /** Whether standard input is a terminal a person can answer confirmations at. */
    final boolean terminal;
    /** Which standard streams are terminals. */
    final Terminals terminals;

    /** The connection pools of this run, closed when it ends. */
    final Pools pools = new Pools();

    private final Set<String> secrets = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private @Nullable BufferedReader reader;

    Cli(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean debug, Terminals terminals) {
        this.in = Objects.requireNonNull(in, "in == null");
        this.out = Objects.requireNonNull(out, "out == null");
        this.err = Objects.requireNonNull(err, "err == null");
        this.env = Map.copyOf(Objects.requireNonNull(env, "env == null"));
        this.debug = debug;
        this.terminals = Objects.requireNonNull(terminals, "terminals == null");
        this.terminal = terminals.in();
        for (String name : new String[] {"OPENAI_API_KEY", "PGPASSWORD"}) {
            addSecret(this.env.get(name));
        }
    }

    /**
     * Returns whether this process's standard input is a terminal. On Unix-like systems it asks {@code test -t 0}
     * with the input inherited (Java cannot tell a terminal from a pipe on its own); elsewhere it falls back to
     * {@link System#console()}, which needs standard output to be a terminal too.
     */
    static boolean stdinIsTerminal() {
        if (!System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .startsWith("windows")) {
            try {
                Process p = new ProcessBuilder("sh", "-c", "test -t 0")
                        .redirectInput(ProcessBuilder.Redirect.INHERIT)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                return p.waitFor() == 0;
            } catch (IOException e) {
                return System.console() != null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return System.console() != null;
    }

    /**
     * Returns whether to decorate output for a person (progress, status lines): standard output and standard error
     * are terminals, {@code NO_COLOR} is unset and {@code TERM} is not {@code dumb}.
     */
    boolean decorations() {
        return terminals.out() && terminals.err() && env.get("NO_COLOR") == null && !"dumb".equals(env.get("TERM"));
    }

    /** Returns an environment variable, or null when it is unset or blank. */
    @Nullable
    String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    /** Remembers a value that must never appear in output. */
    void addSecret(@Nullable String secret) {
        if (secret != null && secret.length() >= 3) {
            secrets.add(secret);
        }
    }

    /** Replaces every known secret in {@code text} by asterisks. */
    String scrub(String text) {
        String s = text;
        for (String secret : new LinkedHashSet<>(secrets)) {
            s = s.replace(secret, "****");
        }
        return s;
    }

    /** Returns the reader over standard input, shared by every command of this run (one buffer). */
    BufferedReader reader() {
        if (reader == null) {
            reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return reader;
    }
}
