package dev.pgagent.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;

/** Reads the lines a person types: questions in a chat, answers to confirmations. */
interface LineInput {
    /**
     * Shows {@code prompt} and reads one line.
     *
     * @return the line, or null at the end of input (Ctrl-D, or the end of piped input)
     * @throws Interrupt on Ctrl-C at the prompt (line editing only)
     */
    @Nullable
    String readLine(String prompt);

    /** Ctrl-C was pressed at the prompt. */
    final class Interrupt extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** What had been typed. */
        final String partial;

        Interrupt(String partial) {
            super("interrupted", null, false, false);
            this.partial = partial;
        }
    }

    /** Returns input that prints the prompt on {@code promptOut} and reads standard input a line at a time. */
    static LineInput plain(Cli cli, PrintStream promptOut) {
        return prompt -> {
            promptOut.print(prompt);
            promptOut.flush();
            try {
                return cli.reader().readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read standard input", e);
            }
        };
    }
}
