package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pg-agent chat}: an interactive conversation with the database. */
@Command(
        name = "chat",
        mixinStandardHelpOptions = true,
        header = "Talks with the database interactively.",
        description = "Starts an interactive conversation: questions build on the earlier ones; the SQL is printed as"
                + " it runs. /reset starts over, /quit (or end of input) leaves. With --policy balanced or"
                + " permissive, writes are dry-run and shown to you for a yes first.")
final class ChatCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    AgentOptions agentOptions = new AgentOptions();

    @Mixin
    HistoryOptions history = new HistoryOptions();

    @picocli.CommandLine.Option(names = "--resume", arity = "0..1", fallbackValue = "", paramLabel = "ID",
            description = "Continue an earlier conversation from the history (see --history): the one of ID, or"
                    + " without ID your latest.")
    @org.jspecify.annotations.Nullable String resume;

    ChatCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        LlmClient llm = model.client(cli);
        PostgresDatabase db = PostgresDatabase.of(database.dataSource(cli));
        int tables = db.schema().tables().size();
        cli.out.println("Connected: " + tables + " tables and views; model " + model.model(cli) + ", policy "
                + AgentOptions.name(agentOptions.policy().level()) + ".");
        if (resume == null && history.store(cli) == null) {
            return start(cli, llm, db, agentOptions);
        }
        return startWithHistory(cli, llm, db);
    }

    /** Runs a chat that records its asks, continuing an earlier conversation when --resume says so. */
    private int startWithHistory(Cli cli, LlmClient llm, PostgresDatabase db) {
        dev.pgagent.db.postgres.PostgresHistoryStore store = history.require(cli);
        String sessionId = resume == null ? null : resume.isEmpty() ? latestSession(cli, store) : resume;
        ConfirmationHandler confirmations = TerminalConfirmations.forPolicy(cli, agentOptions.policy(), cli.out);
        PostgresAgent agent = Agents.build(llm, db, agentOptions, new StepPrinter(cli.out), confirmations,
                history.configure(cli, db));
        dev.pgagent.core.AgentSession first = sessionId == null ? agent.newSession()
                : agent.continueSession(sessionId);
        int turns = first.history().isEmpty() ? 0 : (int) first.history().stream()
                .filter(m -> m instanceof dev.pgagent.api.llm.UserMessage).count();
        cli.out.println((sessionId == null ? "Conversation " : "Continuing conversation ") + first.id()
                + (sessionId == null ? "" : " (" + turns + " earlier questions)")
                + "; continue it later with: pg-agent chat --resume " + first.id());
        return new ChatLoop(cli, agent, first).run();
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
    static int start(Cli cli, LlmClient llm, PostgresDatabase db, AgentOptions options) {
        ConfirmationHandler confirmations = TerminalConfirmations.forPolicy(cli, options.policy(), cli.out);
        PostgresAgent agent = Agents.build(llm, db, options, new StepPrinter(cli.out), confirmations);
        return new ChatLoop(cli, agent).run();
    }
}
