package dev.pgagent.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code pg-agent} command-line client: ask a PostgreSQL database questions in plain language, chat with it,
 * show its schema, check SQL against the safety policy, show what the model would be told, or try it all on a demo
 * database that needs nothing installed.
 *
 * <pre>{@code
 * java -jar agent-cli/target/pg-agent.jar demo
 * OPENAI_API_KEY=... java -jar pg-agent.jar ask --url jdbc:postgresql://localhost/shop "Top 5 customers by revenue?"
 * java -jar pg-agent.jar check "DELETE FROM orders"
 * }</pre>
 *
 * <p>Exit status: 0 on success; 1 when an ask did not complete, a statement was denied, or an error occurred; 2 for
 * a usage or configuration error (unknown command or option, bad option value, no database or model named, an audit
 * file that cannot be written); 130 when Ctrl-C cancelled an ask.
 */
@Command(
        name = "pg-agent",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Ask a PostgreSQL database questions in plain language, safely.",
        synopsisSubcommandLabel = "COMMAND",
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  OPENAI_API_KEY    the model provider's API key (never printed)",
            "  OPENAI_BASE_URL   any OpenAI-compatible server, e.g. Ollama's",
            "                    http://localhost:11434/v1",
            "  ANTHROPIC_API_KEY Anthropic's API key, with --provider anthropic (never printed)",
            "  PGAGENT_PROVIDER  openai (default) or anthropic, when --provider is not given",
            "  PGAGENT_MODEL     the model name (default " + ModelOptions.DEFAULT_MODEL + ", or "
                    + ModelOptions.DEFAULT_ANTHROPIC_MODEL + " for anthropic)",
            "  PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD or DATABASE_URL",
            "                    the database when --url is not given",
            "",
            "Exit status: 0 success; 1 failed ask, denied statement or error; 2 usage or",
            "configuration error; 130 ask cancelled by Ctrl-C.",
            "Run 'pg-agent COMMAND --help' for the options of a command."
        })
public final class PgAgentCli implements Callable<Integer> {
    /** Exit status of a usage error. */
    static final int USAGE = 2;

    private final Cli cli;

    @SuppressWarnings("unused") // declared so that picocli accepts and documents it; read before parsing
    @CommandLine.Option(names = "--debug", description = "Print stack traces and debug logs on errors.")
    private boolean debug;

    private PgAgentCli(Cli cli) {
        this.cli = cli;
    }

    /** Runs the client with the process's streams and environment, and exits with its status. */
    public static void main(String[] args) {
        int status = run(args, System.in, System.out, System.err, System.getenv(), Terminals.detect());
        System.out.flush();
        System.exit(status);
    }

    /**
     * Runs the client once, as if standard input were a terminal a person answers confirmations at.
     *
     * @param args the command line, without the program name
     * @param in standard input
     * @param out standard output
     * @param err standard error
     * @param env the environment variables
     * @return the exit status
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, in, out, err, env, true);
    }

    /**
     * Runs the client once.
     *
     * @param args the command line, without the program name
     * @param in standard input
     * @param out standard output
     * @param err standard error
     * @param env the environment variables
     * @param terminal whether standard input is a terminal; when it is not, every confirmation is answered no
     * @return the exit status
     */
    public static int run(
            String[] args,
            InputStream in,
            PrintStream out,
            PrintStream err,
            Map<String, String> env,
            boolean terminal) {
        return run(args, in, out, err, env, terminal ? Terminals.INPUT_ONLY : Terminals.NONE);
    }

    static int run(
            String[] args,
            InputStream in,
            PrintStream out,
            PrintStream err,
            Map<String, String> env,
            Terminals terminals) {
        Objects.requireNonNull(args, "args == null");
        boolean debug = Arrays.asList(args).contains("--debug");
        Logging.configure(debug);
        Cli cli = new Cli(in, out, err, env, debug, terminals);
        if (args.length > 0 && COMMANDS.contains(args[0])) {
            cli.pools.command(args[0]);
        }
        CommandLine cl = commandLine(cli, args);
        try {
            return cl.execute(args);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // picocli hands Exceptions to the handler above; a failure outside it is still one line
            err.println("pg-agent: " + Errors.describe(e, cli));
            if (debug) {
                e.printStackTrace(err);
            }
            return statusOf(e);
        } finally {
            cli.pools.close();
            out.flush();
            err.flush();
        }
    }

    /** The commands, in the order help lists them. */
    static final List<String> COMMANDS = List.of(
            "ask", "chat", "schema", "check", "context", "demo", "mcp", "export", "history", "config", "tui", "explain",
            "health", "migrate", "advise", "eval", "audit");

    static CommandLine commandLine(Cli cli) {
        return commandLine(cli, new String[0]);
    }

    /**
     * Returns the command line for {@code args}: when they name a command, only that command is built (picocli reads
     * each command's annotations, and start-up is quicker without the others); otherwise all of them, for help
     * and for the usage error that lists them.
     */
    static CommandLine commandLine(Cli cli, String[] arguments) {
        CommandLine cl = new CommandLine(new PgAgentCli(cli));
        String first = arguments.length > 0 ? arguments[0] : "";
        for (String name : COMMANDS) {
            if (!COMMANDS.contains(first) || first.equals(name)) {
                cl.addSubcommand(command(name, cli));
            }
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            // --debug on every command, read before parsing
            sub.getCommandSpec()
                    .addOption(CommandLine.Model.OptionSpec.builder("--debug")
                            .description("Print stack traces and debug logs on errors.")
                            .type(boolean.class)
                            .build());
        }
        cl.setOut(new PrintWriter(new OutputStreamWriter(cli.out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(cli.err, StandardCharsets.UTF_8), true));
        cl.setParameterExceptionHandler((ex, args) -> usageError(ex, cli));
        cl.setExecutionExceptionHandler((ex, command, parseResult) -> {
            cli.out.flush();
            cli.err.println("pg-agent: " + Errors.describe(ex, cli));
            if (cli.debug) {
                ex.printStackTrace(cli.err);
            }
            return statusOf(ex);
        });
        return cl;
    }

    private static Object command(String name, Cli cli) {
        return switch (name) {
            case "ask" -> new AskCommand(cli);
            case "chat" -> new ChatCommand(cli);
            case "schema" -> new SchemaCommand(cli);
            case "check" -> new CheckCommand(cli);
            case "context" -> new ContextCommand(cli);
            case "demo" -> new DemoCommand(cli);
            case "mcp" -> new McpCommand(cli);
            case "export" -> new ExportCommand(cli);
            case "history" -> new HistoryCommand(cli);
            case "config" -> new ConfigCommand(cli);
            case "tui" -> new TuiCommand(cli);
            case "explain" -> new ExplainCommand(cli);
            case "health" -> new HealthCommand(cli);
            case "migrate" -> MigrateCommand.commandLine(cli);
            case "advise" -> new AdviseCommand(cli);
            case "eval" -> new EvalCommand(cli);
            case "audit" -> new AuditCommand(cli);
            default -> throw new IllegalArgumentException("no command " + name);
        };
    }

    /** Returns the exit status for a failure: 2 for usage and configuration errors, 1 for the rest. */
    static int statusOf(Throwable e) {
        if (e instanceof UserException u) {
            return u.status();
        }
        return e instanceof dev.pgagent.api.ConfigurationException ? USAGE : 1;
    }

    private static int usageError(ParameterException ex, Cli cli) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        String message;
        if (ex instanceof UnmatchedArgumentException u
                && cmd.getParent() == null
                && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            message = "unknown command '" + u.getUnmatched().get(0) + "'; the commands are "
                    + String.join(", ", COMMANDS);
        } else if (ex instanceof UnmatchedArgumentException u
                && u.getUnmatched().stream()
                        .anyMatch(a -> a.startsWith("-") && a.strip().contains(" "))) {
            // SQL or a question that starts with "--" (a comment) looks like an option to the parser
            message = Errors.oneLine(ex.getMessage()) + "; text that starts with '-' must come after '--', as in "
                    + name + " -- '-- comment ...'";
        } else {
            message = Errors.oneLine(ex.getMessage());
        }
        cli.err.println(name + ": " + cli.scrub(message) + " (see '" + name + " --help')");
        if (cli.debug) {
            ex.printStackTrace(cli.err);
        }
        return USAGE;
    }

    @Override
    public Integer call() {
        if (cli.terminals.in() && cli.terminals.out()) {
            // at a terminal, no command opens the terminal UI on the database the environment or file names
            return new TuiCommand(cli).call();
        }
        cli.err.println("pg-agent: a command is required; the commands are " + String.join(", ", COMMANDS)
                + " (see 'pg-agent --help')");
        return USAGE;
    }
}
