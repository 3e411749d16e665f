package dev.pgagent.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The width of the controlling terminal, for the status line; asked once, only when one is drawn. */
final class TerminalWidth {
    private static final int FALLBACK = 80;
    private static volatile int columns;

    private TerminalWidth() {}

    /** Returns the terminal's columns: {@code stty size} on the controlling terminal, else COLUMNS, else 80. */
    static int columns() {
        int c = columns;
        if (c == 0) {
            c = ask();
            columns = c;
        }
        return c;
    }

    private static int ask() {
        File tty = new File("/dev/tty");
        if (tty.exists()) {
            try {
                Process p = new ProcessBuilder("stty", "size")
                        .redirectInput(tty)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                String size = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
                if (p.waitFor() == 0 && size.matches("\\d+ \\d+")) {
                    int n = Integer.parseInt(size.substring(size.indexOf(' ') + 1));
                    if (n > 0) {
                        return n;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // no stty: fall back
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String env = System.getenv("COLUMNS");
        try {
            return env == null ? FALLBACK : Math.max(20, Integer.parseInt(env.strip()));
        } catch (NumberFormatException e) {
            return FALLBACK;
        }
    }
}
