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
        return start(cli, llm, db, agentOptions);
    }

    /** Runs a chat on {@code db}; shared with the demo. */
    static int start(Cli cli, LlmClient llm, PostgresDatabase db, AgentOptions options) {
        ConfirmationHandler confirmations = TerminalConfirmations.forPolicy(cli, options.policy(), cli.out);
        PostgresAgent agent = Agents.build(llm, db, options, new StepPrinter(cli.out), confirmations);
        return new ChatLoop(cli, agent).run();
    }
}
