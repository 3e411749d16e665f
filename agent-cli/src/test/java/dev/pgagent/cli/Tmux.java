package dev.pgagent.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A real terminal for end-to-end tests: a program runs in a detached tmux session on a server of its own; the test
 * types with {@link #send} and reads the screen with {@link #screen()}, waiting on what it shows (never for a fixed
 * time).
 */
final class Tmux implements AutoCloseable {
    static final Duration DEADLINE = Duration.ofMinutes(2);

    private final String socket = "pgagent-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final String session = "t";

    private Tmux() {}

    /** Starts {@code sh script} in a 120x40 terminal. */
    static Tmux start(Path script) throws IOException, InterruptedException {
        return start(script, 120, 40);
    }

    /** Starts {@code sh script} in a terminal of {@code width} x {@code height}. */
    static Tmux start(Path script, int width, int height) throws IOException, InterruptedException {
        Tmux t = new Tmux();
        t.tmux(
                "new-session",
                "-d",
                "-s",
                t.session,
                "-x",
                Integer.toString(width),
                "-y",
                Integer.toString(height),
                "sh " + script);
        t.tmux("set-option", "-t", t.session, "history-limit", "5000");
        return t;
    }

    /** Types {@code text} literally. */
    Tmux type(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-t", session, "-l", text);
        return this;
    }

    /** Presses keys by tmux name: Enter, C-c, C-d, Up, M-Enter. */
    Tmux send(String... keys) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
        return this;
    }

    /** Returns the screen and its scrollback, as text. */
    String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-J", "-t", session, "-S", "-5000");
    }

    /** Returns only what the terminal shows now (no scrollback), one string a line. */
    List<String> visible() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-t", session).lines().toList();
    }

    /** Resizes the terminal, as a user dragging the window's corner would. */
    Tmux resize(int width, int height) throws IOException, InterruptedException {
        tmux("resize-window", "-t", session, "-x", Integer.toString(width), "-y", Integer.toString(height));
        return this;
    }

    /** Waits until what the terminal shows now satisfies {@code test}; returns it. */
    List<String> waitForVisible(Predicate<List<String>> test, String what) throws IOException, InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        List<String> lines = visible();
        while (!test.test(lines)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("waited " + DEADLINE.toSeconds() + " s for " + what + "; the screen:\n"
                        + String.join("\n", lines));
            }
            Thread.sleep(50); // poll the screen; the deadline, not this pause, bounds the wait
            lines = visible();
        }
        return lines;
    }

    /** Waits until the screen contains {@code text}; returns the screen. */
    String waitFor(String text) throws IOException, InterruptedException {
        return waitUntil(s -> s.contains(text), "the screen to show '" + text + "'");
    }

    /** Waits until the screen matches {@code regex} somewhere; returns the screen. */
    String waitForMatch(String regex) throws IOException, InterruptedException {
        Pattern p = Pattern.compile(regex);
        return waitUntil(s -> p.matcher(s).find(), "the screen to match /" + regex + "/");
    }

    /** Waits until {@code text} occurs {@code times} times on the screen; returns the screen. */
    String waitForCount(String text, int times) throws IOException, InterruptedException {
        return waitUntil(s -> count(s, text) >= times, "'" + text + "' to show " + times + " times");
    }

    static int count(String s, String text) {
        int n = 0;
        for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + text.length())) {
            n++;
        }
        return n;
    }

    private String waitUntil(Predicate<String> shown, String what) throws IOException, InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        String screen = screen();
        while (!shown.test(screen)) {
            if (System.nanoTime() > end) {
                throw new AssertionError(
                        "waited " + DEADLINE.toSeconds() + " s for " + what + "; the screen:\n" + screen);
            }
            Thread.sleep(50); // poll the screen; the deadline, not this pause, bounds the wait
            screen = screen();
        }
        return screen;
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket, "-f", "/dev/null"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("TMUX");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("tmux " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            tmux("kill-server");
        } catch (IOException e) {
            // already gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
