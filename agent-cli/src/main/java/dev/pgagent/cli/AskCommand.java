package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pg-agent ask}: one question, one answer. */
@Command(
        name = "ask",
        mixinStandardHelpOptions = true,
        header = "Asks one question: prints the answer, the SQL run and the result.",
        description = "Asks one question and prints the answer, the SQL run (with the safety verdicts) and the result"
                + " as a table; or, with --json, one JSON document (answer, status, queries with verdicts and"
                + " outcomes, steps, usage, tables).",
        footer = {"", "Exit status: 0 when the ask completed; 1 when it did not (limit reached, failure) or on error."})
final class AskCommand implements Callable<Integer> {
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

    @Option(names = "--export", paramLabel = "FILE", description = "Export the result of the last statement that"
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
        LlmClient llm = model.client(cli);
        PostgresDatabase db = PostgresDatabase.of(database.dataSource(cli));
        db.schema(); // reach the database before the model: a wrong URL or password is reported at once
        // writes (balanced, permissive) are shown for a yes on the terminal; end of input declines
        ConfirmationHandler confirmations =
                TerminalConfirmations.forPolicy(cli, agentOptions.policy(), json ? cli.err : cli.out);
        if (export != null) {
            ExportCommand.format(export.toString(), null); // a name with no known extension fails before the ask
        }
        PostgresAgent agent = Agents.build(llm, db, agentOptions, AgentListener.NONE, confirmations,
                history.configure(cli, db));
        AgentResponse response = agent.ask(question);
        if (json) {
            cli.out.println(cli.scrub(JsonViews.pretty(JsonViews.response(question, response))));
        } else {
            cli.out.print(cli.scrub(render(response)));
        }
        cli.out.flush();
        if (response.status() != AgentStatus.COMPLETED) {
            cli.err.println("pg-agent: the ask ended " + response.status().name()
                    + response.error().map(e -> ": " + cli.scrub(Errors.oneLine(e))).orElse(""));
            return 1;
        }
        if (export != null) {
            return ExportCommand.exportFinal(cli, agent, response, export, json);
        }
        return 0;
    }

    private static String render(AgentResponse response) {
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(buffer, true, java.nio.charset.StandardCharsets.UTF_8);
        ResponsePrinter.print(response, ps);
        return buffer.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
