package dev.pgagent.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A chat read a line at a time from standard input (a pipe, a file, or a terminal with {@code --plain}). Ctrl-C
 * during an ask runs the ask's action (cancel it); at the prompt, the first Ctrl-C says how to leave and a second
 * one leaves.
 */
final class PlainConsole implements ChatConsole {
    private final Cli cli;
    private final LineInput input;
    private final Interrupts.Registration registration;
    private final AtomicBoolean armed = new AtomicBoolean();
    private volatile @Nullable Runnable duringAsk;

    PlainConsole(Cli cli, String prompt) {
        this.cli = cli;
        LineInput plain = LineInput.plain(cli, cli.out);
        this.input = p -> {
            String line = plain.readLine(p);
            armed.set(false);
            return line;
        };
        this.registration = Interrupts.onInterrupt(() -> {
            Runnable action = duringAsk;
            if (action != null) {
                action.run();
            } else if (armed.getAndSet(true)) {
                cli.out.println();
                cli.out.flush();
                System.exit(0);
            } else {
                cli.out.println();
                cli.out.println("(Ctrl-C again or Ctrl-D to leave)");
                cli.out.print(prompt);
                cli.out.flush();
            }
        });
    }

    @Override
    public LineInput input() {
        return input;
    }

    @Override
    public Interrupts.Registration duringAsk(Runnable action) {
        duringAsk = action;
        return new Interrupts.Registration() {
            @Override
            public boolean active() {
                return registration.active();
            }

            @Override
            public void close() {
                duringAsk = null;
            }
        };
    }

    @Override
    public int width() {
        return cli.decorations() ? TerminalWidth.columns() : 80;
    }

    @Override
    public boolean editing() {
        return false;
    }

    @Override
    public void close() {
        registration.close();
    }
}
