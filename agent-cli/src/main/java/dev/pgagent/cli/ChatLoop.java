package dev.pgagent.cli;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentSession;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.PostgresAgent;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The interactive conversation of {@code pg-agent chat} and {@code pg-agent demo}. Ctrl-C cancels the running
 * question (the model call and the statement on the server) and returns to the prompt with the conversation kept;
 * Ctrl-C at an empty prompt right after that (or twice at an empty prompt), Ctrl-D, {@code /quit} or the end of
 * input leave.
 */
final class ChatLoop {
    static final String PROMPT = "pg-agent> ";
    private static final String LEAVE_HINT = "Ctrl-C again or Ctrl-D to leave";

    /**
     * Applies a changed configuration between questions: returns the agent built from it, or null when nothing
     * changed (or the change could not be applied, which it reports itself).
     */
    @FunctionalInterface
    interface Reloader {
        /** Never reloads. */
        Reloader NONE = () -> null;

        @org.jspecify.annotations.Nullable
        PostgresAgent reload();
    }

    private final Cli cli;
    private final PostgresAgent original;
    private PostgresAgent agent;
    private Reloader reloader = Reloader.NONE;
    private final ChatConsole console;
    private final Progress progress;
    private final RunningStatements statements;

    private final @org.jspecify.annotations.Nullable AgentSession first;

    ChatLoop(Cli cli, PostgresAgent agent, ChatConsole console, Progress progress, RunningStatements statements) {
        this(cli, agent, console, progress, statements, null);
    }

    /** Creates a loop whose first conversation is {@code first} (a continued one), or a new one when null. */
    ChatLoop(
            Cli cli,
            PostgresAgent agent,
            ChatConsole console,
            Progress progress,
            RunningStatements statements,
            @org.jspecify.annotations.Nullable AgentSession first) {
        this.cli = cli;
        this.original = agent;
        this.agent = agent;
        this.console = console;
        this.progress = progress;
        this.statements = statements;
        this.first = first;
    }

    /** Sets what applies a changed configuration file between questions. Default: nothing. */
    ChatLoop reloader(Reloader reloader) {
        this.reloader = reloader;
        return this;
    }

    /** Reads questions until /quit or end of input; returns the exit status. */
    int run() {
        try {
            return loop();
        } finally {
            if (agent != original) {
                agent.close(); // the caller closes the one it made
            }
        }
    }

    /**
     * Switches to the agent of a changed configuration, if there is one, carrying the conversation over (its
     * messages; the new policy and databases apply from the next question on).
     */
    private AgentSession reload(AgentSession session) {
        PostgresAgent next = reloader.reload();
        if (next == null) {
            return session;
        }
        AgentSession moved = next.restoreSession(session.snapshot());
        if (agent != original) {
            agent.close();
            cli.pools.closeReplaced(agent, next); // the caller's own agent keeps its pools until the command ends
        }
        agent = next;
        return moved;
    }

    private int loop() {
        cli.out.println("Ask a question about the database. /reset starts a new conversation, /quit leaves.");
        cli.out.println(
                console.editing()
                        ? "Ctrl-C cancels a running question; Ctrl-D leaves. End a line with \\ (or press Alt-Enter) to go"
                                + " on on the next; arrow keys recall earlier questions."
                        : "Ctrl-C cancels a running question; end of input leaves.");
        AgentSession session = first != null ? first : agent.newSession();
        boolean armed = false; // the last thing was a Ctrl-C: another one at an empty prompt leaves
        while (true) {
            cli.out.flush();
            String line;
            try {
                line = console.input().readLine(PROMPT);
            } catch (LineInput.Interrupt e) {
                if (!e.partial.isBlank()) {
                    armed = false; // Ctrl-C on a half-typed question throws it away
                    continue;
                }
                if (armed) {
                    return 0;
                }
                armed = true;
                cli.out.println("(" + LEAVE_HINT + ")");
                continue;
            }
            if (line == null) {
                cli.out.println();
                return 0;
            }
            armed = false;
            String input = console.joinLines(line).strip();
            if (input.isEmpty()) {
                continue;
            }
            switch (input) {
                case "/quit", "/exit", "\\q" -> {
                    return 0;
                }
                case "/reset" -> {
                    session = agent.newSession();
                    cli.out.println("(new conversation)");
                    continue;
                }
                case "/help" -> {
                    cli.out.println(
                            "Type a question in plain language. /reset forgets the conversation, /quit leaves.");
                    continue;
                }
                default -> {
                    if (input.startsWith("/")) {
                        cli.out.println("unknown command " + input + "; the commands are /reset, /help, /quit");
                        continue;
                    }
                }
            }
            session = reload(session);
            armed = ask(session, input);
        }
    }

    /** Asks one question; returns whether Ctrl-C cancelled it. */
    private boolean ask(AgentSession session, String question) {
        AtomicInteger interrupts = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(1);
        // the program may still be ended (SIGTERM, a closed terminal): cancel the statement on the server first
        Thread onExit = new Thread(
                () -> {
                    session.cancel();
                    try {
                        finished.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    statements.awaitNone(RunningStatements.STOP_WAIT);
                },
                "pg-agent-cancel-on-exit");
        Runtime.getRuntime().addShutdownHook(onExit);
        AskCancel cancel = new AskCancel(session);
        Interrupts.Registration onInterrupt = console.duringAsk(() -> {
            interrupts.incrementAndGet();
            if (!cancel.request()) {
                Runtime.getRuntime().halt(AskCommand.INTERRUPTED); // a second Ctrl-C while cancelling: leave now
            }
        });
        try {
            AgentResponse r = session.ask(question);
            if (cancel.requested()) {
                // back to the prompt once the statement has stopped on the server, not merely been asked to
                cancel.awaitSent();
                statements.awaitNone(RunningStatements.STOP_WAIT);
            }
            progress.close();
            if (interrupts.get() > 0 || r.status() == AgentStatus.CANCELLED) {
                cli.out.println("(cancelled; " + LEAVE_HINT + ")");
                return interrupts.get() > 0;
            }
            printAnswer(r);
        } catch (CancelledException e) {
            progress.close();
            cli.out.println("(cancelled; " + LEAVE_HINT + ")");
            return interrupts.get() > 0;
        } catch (LlmException e) {
            progress.close();
            // keep the conversation going; the next question may work
            cli.err.println("pg-agent: " + Errors.describe(e, cli));
        } finally {
            cancel.awaitSent();
            if (cancel.requested()) {
                statements.awaitNone(RunningStatements.STOP_WAIT);
            }
            onInterrupt.close();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook has run
            }
        }
        return false;
    }

    private void printAnswer(AgentResponse r) {
        cli.out.println();
        if (!r.answer().isBlank()) {
            cli.out.println(cli.scrub(r.answer().strip()));
            cli.out.println();
        }
        // each statement's result; the statements themselves were printed as they ran
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(buffer, true, java.nio.charset.StandardCharsets.UTF_8);
        for (StatementOutcome o : r.statements()) {
            if (o.result() != null && o.isExecuted()) {
                ps.println("  " + ResponsePrinter.outcomeLine(o) + ":");
                ResponsePrinter.printResult(o, ps);
            }
        }
        cli.out.print(cli.scrub(buffer.toString(java.nio.charset.StandardCharsets.UTF_8)));
        if (r.status() != AgentStatus.COMPLETED) {
            cli.out.println(ResponsePrinter.summary(r) + " status " + r.status().name()
                    + r.error().map(e -> ": " + cli.scrub(Errors.oneLine(e))).orElse(""));
        }
        cli.out.flush();
    }
}
