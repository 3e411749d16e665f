package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pg-agent chat}: an interactive conversation with the database. */
@Command(
        name = "chat",
        mixinStandardHelpOptions = true,
        header = "Talks with the database interactively.",
        description = {
            "Starts an interactive conversation: questions build on the earlier ones; each tool call and its SQL is"
                    + " printed as it starts, its outcome as it ends. /reset starts over, /quit leaves. With --policy"
                    + " balanced or permissive, writes are dry-run and shown to you for a yes first.",
            "At a terminal, lines are edited (arrow keys, Emacs keys), earlier questions are recalled across runs"
                    + " (history in $XDG_STATE_HOME/pgagent/history, else ~/.local/state/pgagent/history; the last "
                    + LineEditor.HISTORY_LINES + " lines), and a line ending in \\ (or Alt-Enter) goes on on the next."
                    + " Ctrl-C cancels the running question (and its statement on the server) and keeps the"
                    + " conversation; Ctrl-C again at the empty prompt, or Ctrl-D, leaves."
        })
final class ChatCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    AgentOptions agentOptions = new AgentOptions();

    @Option(names = "--plain", description = "Read plain lines, without line editing or history, even at a terminal.")
    boolean plain;

    @Mixin
    HistoryOptions history = new HistoryOptions();

    @Option(
            names = "--resume",
            arity = "0..1",
            fallbackValue = "",
            paramLabel = "ID",
            description = "Continue an earlier conversation from the history (see --history): the one of ID, or"
                    + " without ID your latest.")
    @org.jspecify.annotations.Nullable
    String resume;

    ChatCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Configs.apply(cli, database, model, agentOptions);
        agentOptions.checkSettings();
        LlmClient llm = model.client(cli);
        PostgresDatabase db = database.database(cli);
        int tables = db.schema().tables().size();
        dev.pgagent.config.DatabaseProfile profile = database.profile();
        cli.out.println("Connected" + (profile == null ? "" : " to " + profile.name()) + ": "
                + (tables == 1 ? "1 table or view" : tables + " tables and views") + "; model "
                + model.model(cli) + ", policy "
                + AgentOptions.name(agentOptions.policy().level()) + ".");
        if (resume == null && history.store(cli) == null) {
            return start(cli, llm, db, agentOptions, plain, this::reloader);
        }
        return startWithHistory(cli, llm, db);
    }

    /**
     * Returns what applies a changed configuration file between questions in {@code console}'s chat, or
     * {@link ChatLoop.Reloader#NONE} when no file is in use. A file that no longer loads, or whose database or model
     * cannot be reached, leaves the current configuration in use and says why.
     */
    private ChatLoop.Reloader reloader(ChatConsole console, AgentListener listener) {
        dev.pgagent.config.ConfigWatcher watcher = database.watcher;
        if (watcher == null) {
            return ChatLoop.Reloader.NONE;
        }
        return () -> {
            dev.pgagent.config.ConfigWatcher.Reload r = watcher.check();
            if (r.status() == dev.pgagent.config.ConfigWatcher.Status.INVALID) {
                cli.err.println("pg-agent: the configuration file changed but is not applied; the previous one stays"
                        + " in use:");
                cli.err.println(cli.scrub(r.error().map(Throwable::getMessage).orElse("")));
                return null;
            }
            if (r.status() != dev.pgagent.config.ConfigWatcher.Status.RELOADED) {
                return null;
            }
            dev.pgagent.config.AgentConfig before = database.config;
            Configs.use(cli, r.config(), database, model, agentOptions);
            try {
                LlmClient llm = model.client(cli);
                PostgresDatabase db = database.database(cli);
                db.schema();
                ConfirmationHandler confirmations = TerminalConfirmations.forPolicy(
                        cli, agentOptions.confirmationPolicy(), cli.out, console.answers());
                PostgresAgent next =
                        Agents.build(cli, llm, db, agentOptions, listener, confirmations, history.configure(cli, db));
                dev.pgagent.config.DatabaseProfile p = database.profile();
                cli.out.println("(configuration reloaded" + (p == null ? "" : ": profile " + p.name()) + ", model "
                        + model.model(cli) + ", policy "
                        + AgentOptions.name(agentOptions.policy().level()) + ")");
                return next;
            } catch (RuntimeException e) {
                if (before != null) {
                    Configs.use(cli, before, database, model, agentOptions);
                }
                cli.err.println("pg-agent: the changed configuration is not applied, the previous one stays in use: "
                        + Errors.describe(e, cli));
                return null;
            }
        };
    }

    /** Runs a chat that records its asks, continuing an earlier conversation when --resume says so. */
    private int startWithHistory(Cli cli, LlmClient llm, PostgresDatabase db) {
        dev.pgagent.db.postgres.PostgresHistoryStore store = history.require(cli);
        String sessionId = resume == null ? null : resume.isEmpty() ? latestSession(cli, store) : resume;
        try (ChatConsole console = console(cli, plain)) {
            Progress progress = cli.decorations() ? Progress.on(cli.err, console::width) : Progress.NONE;
            ConfirmationHandler confirmations =
                    TerminalConfirmations.forPolicy(cli, agentOptions.confirmationPolicy(), cli.out, console.answers());
            RunningStatements statements = new RunningStatements();
            AgentListener listener = RunningStatements.both(statements, new StepPrinter(cli.out, progress));
            try (PostgresAgent agent =
                    Agents.build(cli, llm, db, agentOptions, listener, confirmations, history.configure(cli, db))) {
                dev.pgagent.core.AgentSession first =
                        sessionId == null ? agent.newSession() : agent.continueSession(sessionId);
                int turns = first.history().isEmpty()
                        ? 0
                        : (int) first.history().stream()
                                .filter(m -> m instanceof dev.pgagent.api.llm.UserMessage)
                                .count();
                cli.out.println((sessionId == null ? "Conversation " : "Continuing conversation ") + first.id()
                        + (sessionId == null ? "" : " (" + turns + " earlier questions)")
                        + "; continue it later with: pg-agent chat --resume " + first.id());
                return new ChatLoop(cli, agent, console, progress, statements, first)
                        .reloader(reloader(console, listener))
                        .run();
            } finally {
                progress.close();
            }
        }
    }

    private static String latestSession(Cli cli, dev.pgagent.db.postgres.PostgresHistoryStore store) {
        return store
                .search(dev.pgagent.api.history.HistoryQuery.builder()
                        .principal(HistoryOptions.user(cli))
                        .limit(1)
                        .build())
                .stream()
                .findFirst()
                .map(dev.pgagent.api.history.AskRecord::sessionId)
                .orElseThrow(() -> new UserException(
                        "--resume: the history holds no conversation of " + HistoryOptions.user(cli) + " yet"));
    }

    /** Runs a chat on {@code db}; shared with the demo. */
    static int start(Cli cli, LlmClient llm, PostgresDatabase db, AgentOptions options, boolean plain) {
        return start(cli, llm, db, options, plain, (console, listener) -> ChatLoop.Reloader.NONE);
    }

    /** Runs a chat on {@code db}, applying a changed configuration between questions as {@code reloads} says. */
    static int start(
            Cli cli,
            LlmClient llm,
            PostgresDatabase db,
            AgentOptions options,
            boolean plain,
            java.util.function.BiFunction<ChatConsole, AgentListener, ChatLoop.Reloader> reloads) {
        options.checkSettings();
        try (ChatConsole console = console(cli, plain)) {
            Progress progress = cli.decorations() ? Progress.on(cli.err, console::width) : Progress.NONE;
            ConfirmationHandler confirmations =
                    TerminalConfirmations.forPolicy(cli, options.confirmationPolicy(), cli.out, console.answers());
            RunningStatements statements = new RunningStatements();
            AgentListener listener = RunningStatements.both(statements, new StepPrinter(cli.out, progress));
            try (PostgresAgent agent = Agents.build(cli, llm, db, options, listener, confirmations)) {
                return new ChatLoop(cli, agent, console, progress, statements)
                        .reloader(reloads.apply(console, listener))
                        .run();
            } finally {
                progress.close();
            }
        }
    }

    /** Returns line editing at a terminal (unless --plain), plain lines otherwise. */
    private static ChatConsole console(Cli cli, boolean plain) {
        if (!plain && cli.terminals.in() && cli.terminals.out()) {
            ChatConsole editor = LineEditor.open(cli);
            if (editor != null) {
                return editor;
            }
        }
        return new PlainConsole(cli, ChatLoop.PROMPT);
    }
}
