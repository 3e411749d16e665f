package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.safety.ConfirmationHandler;
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

    @Option(names = "--resume", arity = "0..1", fallbackValue = "", paramLabel = "ID",
            description = "Continue an earlier conversation from the history (see --history): the one of ID, or"
                    + " without ID your latest.")
    @org.jspecify.annotations.Nullable String resume;

    ChatCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        agentOptions.checkSettings();
        LlmClient llm = model.client(cli);
        PostgresDatabase db = PostgresDatabase.of(database.dataSource(cli));
        int tables = db.schema().tables().size();
        cli.out.println("Connected: " + (tables == 1 ? "1 table or view" : tables + " tables and views") + "; model "
                + model.model(cli) + ", policy " + AgentOptions.name(agentOptions.policy().level()) + ".");
        if (resume == null && history.store(cli) == null) {
            return start(cli, llm, db, agentOptions, plain);
        }
        return startWithHistory(cli, llm, db);
    }

    /** Runs a chat that records its asks, continuing an earlier conversation when --resume says so. */
    private int startWithHistory(Cli cli, LlmClient llm, PostgresDatabase db) {
        dev.pgagent.db.postgres.PostgresHistoryStore store = history.require(cli);
        String sessionId = resume == null ? null : resume.isEmpty() ? latestSession(cli, store) : resume;
        try (ChatConsole console = console(cli, plain)) {
            Progress progress = cli.decorations() ? Progress.on(cli.err, console::width) : Progress.NONE;
            ConfirmationHandler confirmations =
                    TerminalConfirmations.forPolicy(cli, agentOptions.policy(), cli.out, console.answers());
            RunningStatements statements = new RunningStatements();
            try (PostgresAgent agent = Agents.build(llm, db, agentOptions,
                    RunningStatements.both(statements, new StepPrinter(cli.out, progress)), confirmations,
                    history.configure(cli, db))) {
                dev.pgagent.core.AgentSession first = sessionId == null ? agent.newSession()
                        : agent.continueSession(sessionId);
                int turns = first.history().isEmpty() ? 0 : (int) first.history().stream()
                        .filter(m -> m instanceof dev.pgagent.api.llm.UserMessage).count();
                cli.out.println((sessionId == null ? "Conversation " : "Continuing conversation ") + first.id()
                        + (sessionId == null ? "" : " (" + turns + " earlier questions)")
                        + "; continue it later with: pg-agent chat --resume " + first.id());
                return new ChatLoop(cli, agent, console, progress, statements, first).run();
            } finally {
                progress.close();
            }
        }
    }

    private static String latestSession(Cli cli, dev.pgagent.db.postgres.PostgresHistoryStore store) {
        return store.search(dev.pgagent.api.history.HistoryQuery.builder().principal(HistoryOptions.user(cli))
                        .limit(1).build())
                .stream().findFirst()
                .map(dev.pgagent.api.history.AskRecord::sessionId)
                .orElseThrow(() -> new UserException("--resume: the history holds no conversation of "
                        + HistoryOptions.user(cli) + " yet"));
    }

    /** Runs a chat on {@code db}; shared with the demo. */
    static int start(Cli cli, LlmClient llm, PostgresDatabase db, AgentOptions options, boolean plain) {
        options.checkSettings();
        try (ChatConsole console = console(cli, plain)) {
            Progress progress = cli.decorations() ? Progress.on(cli.err, console::width) : Progress.NONE;
            ConfirmationHandler confirmations =
                    TerminalConfirmations.forPolicy(cli, options.policy(), cli.out, console.answers());
            RunningStatements statements = new RunningStatements();
            try (PostgresAgent agent = Agents.build(llm, db, options,
                    RunningStatements.both(statements, new StepPrinter(cli.out, progress)), confirmations)) {
                return new ChatLoop(cli, agent, console, progress, statements).run();
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
