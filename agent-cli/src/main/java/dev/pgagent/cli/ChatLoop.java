package dev.pgagent.cli;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentSession;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.PostgresAgent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The interactive conversation of {@code pg-agent chat} and {@code pg-agent demo}. */
final class ChatLoop {
    private final Cli cli;
    private final PostgresAgent agent;

    private final @org.jspecify.annotations.Nullable AgentSession first;

    ChatLoop(Cli cli, PostgresAgent agent) {
        this(cli, agent, null);
    }

    /** Creates a loop whose first conversation is {@code first} (a continued one), or a new one when null. */
    ChatLoop(Cli cli, PostgresAgent agent, @org.jspecify.annotations.Nullable AgentSession first) {
        this.cli = cli;
        this.agent = agent;
        this.first = first;
    }

    /** Reads questions until /quit or end of input; returns the exit status. */
    int run() {
        cli.out.println("Ask a question about the database. /reset starts a new conversation, /quit leaves "
                + "(Ctrl-C leaves at once, cancelling what runs).");
        AgentSession session = first != null ? first : agent.newSession();
        while (true) {
            cli.out.print("pg-agent> ");
            cli.out.flush();
            String line;
            try {
                line = cli.reader().readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read standard input", e);
            }
            if (line == null) {
                cli.out.println();
                return 0;
            }
            String input = line.strip();
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
                    cli.out.println("Type a question in plain language. /reset forgets the conversation, /quit leaves.");
                    continue;
                }
                default -> {
                    if (input.startsWith("/")) {
                        cli.out.println("unknown command " + input + "; the commands are /reset, /help, /quit");
                        continue;
                    }
                }
            }
            // Ctrl-C ends the program; the hook first cancels the running statement on the server, so a slow
            // query does not go on running there after the client is gone.
            AgentSession asking = session;
            Thread cancelOnExit = new Thread(asking::cancel, "pg-agent-cancel-on-exit");
            Runtime.getRuntime().addShutdownHook(cancelOnExit);
            try {
                AgentResponse r = session.ask(input);
                printAnswer(r);
            } catch (LlmException | CancelledException e) {
                // keep the conversation going; the next question may work
                cli.err.println("pg-agent: " + Errors.describe(e, cli));
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(cancelOnExit);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is already exiting (Ctrl-C): the hook runs, nothing to undo
                }
            }
        }
    }

    private void printAnswer(AgentResponse r) {
        cli.out.println();
        if (!r.answer().isBlank()) {
            cli.out.println(cli.scrub(r.answer().strip()));
            cli.out.println();
        }
        List<dev.pgagent.api.sql.QueryResult> tables = r.tables();
        if (!tables.isEmpty()) {
            cli.out.println(TextTable.render(tables.get(tables.size() - 1), ResponsePrinter.MAX_TABLE_ROWS));
            cli.out.println();
        }
        if (r.status() != AgentStatus.COMPLETED) {
            cli.out.println(ResponsePrinter.summary(r));
        }
        cli.out.flush();
    }
}
