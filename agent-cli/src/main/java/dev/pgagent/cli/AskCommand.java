package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentSession;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pg-agent ask}: one question, one answer. */
@Command(
        name = "ask",
        mixinStandardHelpOptions = true,
        header = "Asks one question: prints the answer, the SQL run and the result.",
        description = "Asks one question and prints the answer, each statement run (with its safety verdict) and"
                + " its result as a table, or its plan; or, with --json, one JSON document (answer, status, queries"
                + " with verdicts and outcomes, steps, usage, tables). At a terminal, a status line on standard error"
                + " shows what runs meanwhile. Ctrl-C cancels the ask, and the statement running on the server.",
        footer = {
            "",
            "Exit status: 0 when the ask completed; 1 when it did not (limit reached, failure) or on error;"
                    + " 2 for a usage or configuration error; 130 when Ctrl-C cancelled it."
        })
final class AskCommand implements Callable<Integer> {
    /** Exit status of an ask cancelled by Ctrl-C (128 + SIGINT, as shells report it). */
    static final int INTERRUPTED = 130;

    /** How long the exit hook waits for a cancelled ask to end, so the cancel reaches the server first. */
    private static final long CANCEL_WAIT_SECONDS = 5;

    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    AgentOptions agentOptions = new AgentOptions();

    @Option(names = "--json", description = "Print one JSON document instead of text.")
    boolean json;

    @Mixin
    HistoryOptions history = new HistoryOptions();

    @Option(
            names = "--export",
            paramLabel = "FILE",
            description = "Export the result of the last statement that"
                    + " returned rows, in full (not cut to what the model saw), to FILE: CSV, JSON, JSON Lines or Markdown"
                    + " by its extension (.csv, .json, .jsonl, .md); the statement is validated again. Default: none.")
    java.nio.file.@org.jspecify.annotations.Nullable Path export;

    @Parameters(paramLabel = "QUESTION", arity = "1..*", description = "The question (words are joined).")
    List<String> words = new ArrayList<>();

    AskCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        String question = String.join(" ", words).strip();
        if (question.isEmpty()) {
            throw new UserException("the question is empty");
        }
        Configs.apply(cli, database, model, agentOptions);
        agentOptions.checkSettings();
        LlmClient llm = model.client(cli);
        PostgresDatabase db = database.database(cli);
        db.schema(); // reach the database before the model: a wrong URL or password is reported at once
        Progress progress = !json && cli.decorations() ? Progress.on(cli.err, TerminalWidth::columns) : Progress.NONE;
        // writes (balanced, permissive) are shown for a yes on the terminal; end of input declines
        ConfirmationHandler confirmations =
                TerminalConfirmations.forPolicy(cli, agentOptions.confirmationPolicy(), json ? cli.err : cli.out);
        if (export != null) {
            ExportCommand.format(export.toString(), null); // a name with no known extension fails before the ask
        }
        AtomicInteger interrupts = new AtomicInteger();
        RunningStatements statements = new RunningStatements();
        try (PostgresAgent agent = Agents.build(
                cli,
                llm,
                db,
                agentOptions,
                RunningStatements.both(statements, progress),
                confirmations,
                history.configure(cli, db))) {
            AgentSession session = agent.newSession();
            AgentResponse response = askInterruptibly(session, question, progress, statements, interrupts);
            if (json) {
                cli.out.println(cli.scrub(JsonViews.pretty(JsonViews.response(question, response))));
            } else if (hasContent(response)) {
                cli.out.print(cli.scrub(render(response)));
            }
            cli.out.flush();
            if (interrupts.get() > 0) {
                cli.err.println("pg-agent: the ask was cancelled (Ctrl-C); a statement that was running was "
                        + "cancelled on the server");
                return INTERRUPTED;
            }
            if (response.status() != AgentStatus.COMPLETED) {
                cli.err.println("pg-agent: the ask ended " + response.status().name()
                        + response.error()
                                .map(e -> ": " + cli.scrub(Errors.oneLine(e)))
                                .orElse(""));
                return 1;
            }
            if (export != null) {
                return ExportCommand.exportFinal(cli, agent, response, export, json);
            }
            return 0;
        }
    }

    /**
     * Runs the ask so that Ctrl-C cancels it (the statement on the server and the model wait) instead of leaving it
     * running there, and a second Ctrl-C leaves at once. If the program is ended otherwise (SIGTERM, or Ctrl-C where
     * no handler can be registered), an exit hook cancels the ask and waits briefly for the cancel to reach the
     * server.
     */
    private AgentResponse askInterruptibly(
            AgentSession session,
            String question,
            Progress progress,
            RunningStatements statements,
            AtomicInteger interrupts) {
        AskCancel cancel = new AskCancel(session);
        CountDownLatch finished = new CountDownLatch(1);
        Thread onExit = new Thread(
                () -> {
                    session.cancel();
                    try {
                        finished.await(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    statements.awaitNone(RunningStatements.STOP_WAIT);
                },
                "pg-agent-cancel-on-exit");
        Runtime.getRuntime().addShutdownHook(onExit);
        Interrupts.Registration onInterrupt = Interrupts.onInterrupt(() -> {
            interrupts.incrementAndGet();
            if (!cancel.requested()) {
                progress.print(() -> cli.err.println("pg-agent: cancelling (Ctrl-C again leaves at once)"));
            }
            if (!cancel.request()) {
                Runtime.getRuntime().halt(INTERRUPTED);
            }
        });
        try {
            return session.ask(question);
        } finally {
            // the ask returns as soon as it is marked cancelled: let the cancel reach the server, and the statement
            // stop there, before the program goes on and ends
            cancel.awaitSent();
            if (cancel.requested()) {
                statements.awaitNone(RunningStatements.STOP_WAIT);
            }
            onInterrupt.close();
            finished.countDown();
            progress.close();
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook has run
            }
        }
    }

    /** Returns whether the response has anything to show besides why it failed (which goes to standard error). */
    private static boolean hasContent(AgentResponse r) {
        return r.status() == AgentStatus.COMPLETED
                || !r.answer().isBlank()
                || !r.statements().isEmpty();
    }

    private static String render(AgentResponse response) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        ResponsePrinter.print(response, ps);
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
