package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pg-agent tui}, and {@code pg-agent} with no command at a terminal: the full-screen terminal UI. */
@Command(
        name = "tui",
        mixinStandardHelpOptions = true,
        header = "Opens the full-screen terminal UI: chat, results, schema browser, status bar, command palette.",
        description = "A full-screen client: the conversation with the model's text as it arrives and each statement"
                + " as it starts and ends; every result as a scrollable table (export, explain, copy its SQL); a"
                + " schema browser with filter-as-you-type and foreign keys both ways; a status bar; a command palette"
                + " (Ctrl-P). F1 lists the keys. 'pg-agent' with no command opens it at a terminal; 'chat' is the"
                + " line-mode client. While the UI runs, logs go to $XDG_STATE_HOME/pgagent/pg-agent.log.",
        footer = {
            "",
            "Exit status: 0 when left with Ctrl-Q (or Ctrl-D at an empty input); 2 for a usage or"
                    + " configuration error, or when standard input or output is not a terminal."
        })
final class TuiCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    AgentOptions agentOptions = new AgentOptions();

    @Mixin
    HistoryOptions history = new HistoryOptions();

    TuiCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        if (!cli.terminals.in() || !cli.terminals.out()) {
            throw new UserException("the terminal UI needs a terminal on standard input and output; use 'pg-agent"
                    + " chat' or 'pg-agent ask' otherwise");
        }
        if (!cli.debug) {
            // logging to the screen would garble it: to a file while the UI runs (before the first logger is made)
            Logging.configure("warn", logFile(cli).toString());
        }
        Configs.apply(cli, database, model, agentOptions);
        if (!cli.debug
                && database.config != null
                && database.config.logging().file().isPresent()) {
            Logging.configure(
                    database.config.logging().level().name().toLowerCase(java.util.Locale.ROOT),
                    database.config.logging().file().get().toString());
        }
        agentOptions.checkSettings();
        LlmClient llm = model.client(cli);
        PostgresDatabase db = database.database(cli);
        db.schema(); // a wrong URL or password is reported before the screen changes
        Terminal terminal;
        try {
            terminal = TerminalBuilder.builder().system(true).name("pg-agent").build();
        } catch (IOException e) {
            throw new UserException("cannot open the terminal: " + e.getMessage());
        }
        if (Terminal.TYPE_DUMB.equals(terminal.getType()) || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType())) {
            try {
                terminal.close();
            } catch (IOException e) {
                // nothing was drawn
            }
            throw new UserException("the terminal UI needs a terminal that can address the screen (TERM is "
                    + cli.env("TERM") + "); use 'pg-agent chat'");
        }
        try (Tui tui = new Tui(cli, terminal, this, llm, db)) {
            return tui.run();
        }
    }

    /** Returns where logs go while the UI runs: {@code $XDG_STATE_HOME/pgagent/pg-agent.log} (created). */
    static Path logFile(Cli cli) {
        String state = cli.env("XDG_STATE_HOME");
        String home = cli.env("HOME");
        Path dir = state != null && !state.isBlank()
                ? Path.of(state, "pgagent")
                : Path.of(home != null ? home : System.getProperty("user.home"), ".local", "state", "pgagent");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return Path.of(System.getProperty("java.io.tmpdir"), "pg-agent.log");
        }
        return dir.resolve("pg-agent.log");
    }
}
