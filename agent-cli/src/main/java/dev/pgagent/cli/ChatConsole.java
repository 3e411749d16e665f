package dev.pgagent.cli;

/**
 * Where a chat reads its lines and how Ctrl-C reaches it: line editing with history ({@link LineEditor}) at a
 * terminal, or plain lines ({@link PlainConsole}) otherwise.
 */
interface ChatConsole extends AutoCloseable {
    /** Returns the input questions and confirmation answers are read from. */
    LineInput input();

    /** Returns the input answers to confirmations are read from; they are not kept in the history. */
    default LineInput answers() {
        return input();
    }

    /** Returns the line as typed, with continuation backslashes removed (a trailing {@code \} goes on). */
    default String joinLines(String line) {
        return line.replace("\\\r\n", "\n").replace("\\\n", "\n");
    }

    /**
     * Makes Ctrl-C run {@code action} instead of its default while an ask runs; closing the registration puts back
     * what Ctrl-C did before.
     */
    Interrupts.Registration duringAsk(Runnable action);

    /** Returns the terminal's width in columns (80 when unknown). */
    int width();

    /** Returns whether lines are edited (history, multi-line input), not read plainly. */
    boolean editing();

    @Override
    void close();
}
