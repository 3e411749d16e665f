package dev.pgagent.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jline.keymap.KeyMap;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jspecify.annotations.Nullable;

/**
 * A chat's input at a terminal, edited with JLine: arrow keys and Emacs bindings, history recalled across runs
 * (kept in {@link #historyFile(Cli)}, the last {@value #HISTORY_LINES} lines), and questions over several lines (end
 * a line with {@code \}, or press Alt-Enter). Ctrl-C at the prompt throws {@link LineInput.Interrupt}; Ctrl-D at an
 * empty prompt ends the input.
 */
final class LineEditor implements ChatConsole {
    /** Held so the level set on it is not lost when java.util.logging drops an unreferenced logger. */
    private static final java.util.logging.Logger JLINE_LOGGER = java.util.logging.Logger.getLogger("org.jline");

    static final int HISTORY_LINES = 1000;
    private static final String NEW_LINE_WIDGET = "pgagent-insert-newline";

    private final Terminal terminal;
    private final LineReader reader;
    private final LineInput input;

    private LineEditor(Terminal terminal, LineReader reader) {
        this.terminal = terminal;
        this.reader = reader;
        this.input = prompt -> {
            try {
                return reader.readLine(prompt);
            } catch (UserInterruptException e) {
                throw new LineInput.Interrupt(e.getPartialLine() == null ? "" : e.getPartialLine());
            } catch (EndOfFileException e) {
                return null;
            }
        };
    }

    /** Returns an editor on this process's terminal, or null when JLine finds no usable one (a dumb terminal). */
    static @Nullable LineEditor open(Cli cli) {
        if (!cli.debug) {
            // JLine reports a terminal it cannot use through java.util.logging; we fall back to plain lines instead
            JLINE_LOGGER.setLevel(java.util.logging.Level.OFF);
        }
        Terminal terminal;
        try {
            terminal = TerminalBuilder.builder().system(true).name("pg-agent").build();
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (Terminal.TYPE_DUMB.equals(terminal.getType()) || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType())) {
            close(terminal);
            return null;
        }
        DefaultParser parser = new DefaultParser();
        parser.setEofOnEscapedNewLine(true); // a trailing backslash continues the question on the next line
        parser.setEofOnUnclosedQuote(false); // "What's ..." is a question, not an open quote
        LineReaderBuilder builder = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("pg-agent")
                .parser(parser)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "      ...> ")
                .variable(LineReader.HISTORY_SIZE, HISTORY_LINES)
                .variable(LineReader.HISTORY_FILE_SIZE, HISTORY_LINES)
                // questions and SQL keep their backslashes and exclamation marks as typed
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.HISTORY_IGNORE_DUPS, true)
                .option(LineReader.Option.INSERT_TAB, true);
        Path history = historyFile(cli);
        if (history != null) {
            try {
                Files.createDirectories(history.getParent());
                builder.variable(LineReader.HISTORY_FILE, history);
            } catch (IOException | RuntimeException e) {
                // no history across runs; the chat works without it
            }
        }
        LineReader reader = builder.build();
        reader.getWidgets().put(NEW_LINE_WIDGET, () -> {
            reader.getBuffer().write('\n');
            return true;
        });
        KeyMap<org.jline.reader.Binding> main = reader.getKeyMaps().get(LineReader.MAIN);
        main.bind(new Reference(NEW_LINE_WIDGET), KeyMap.alt('\r'));
        main.bind(new Reference(NEW_LINE_WIDGET), KeyMap.alt('\n'));
        return new LineEditor(terminal, reader);
    }

    /**
     * Returns where the chat history is kept: {@code $XDG_STATE_HOME/pgagent/history}, else
     * {@code ~/.local/state/pgagent/history}; null when neither variable nor a home directory is known.
     */
    static @Nullable Path historyFile(Cli cli) {
        String state = cli.env("XDG_STATE_HOME");
        if (state != null) {
            return Path.of(state, "pgagent", "history");
        }
        String home = cli.env("HOME");
        if (home == null) {
            home = System.getProperty("user.home");
        }
        return home == null || home.isBlank() ? null : Path.of(home, ".local", "state", "pgagent", "history");
    }

    @Override
    public LineInput input() {
        return input;
    }

    @Override
    public LineInput answers() {
        return prompt -> {
            reader.setVariable(LineReader.DISABLE_HISTORY, true);
            try {
                return input.readLine(prompt);
            } finally {
                reader.setVariable(LineReader.DISABLE_HISTORY, false);
            }
        };
    }

    @Override
    public Interrupts.Registration duringAsk(Runnable action) {
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> action.run());
        return new Interrupts.Registration() {
            @Override
            public boolean active() {
                return true;
            }

            @Override
            public void close() {
                terminal.handle(Terminal.Signal.INT, previous);
            }
        };
    }

    @Override
    public int width() {
        int w = terminal.getWidth();
        return w > 0 ? w : 80;
    }

    @Override
    public boolean editing() {
        return true;
    }

    @Override
    public void close() {
        try {
            reader.getHistory().save();
        } catch (IOException | RuntimeException e) {
            // the history of this run is lost; nothing else is
        }
        close(terminal);
    }

    private static void close(Terminal terminal) {
        try {
            terminal.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
