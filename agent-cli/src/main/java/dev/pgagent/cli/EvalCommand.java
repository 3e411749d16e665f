package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.core.eval.DatabaseMapping;
import dev.pgagent.core.eval.EvalFileException;
import dev.pgagent.core.eval.EvalQuestion;
import dev.pgagent.core.eval.EvalQuestions;
import dev.pgagent.core.eval.EvalReport;
import dev.pgagent.core.eval.EvalResult;
import dev.pgagent.core.eval.Evaluation;
import dev.pgagent.core.eval.Pricing;
import dev.pgagent.core.eval.ResultComparator;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pg-agent eval}: execution accuracy of the configured model on a question set, or context recall. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        header = "Scores the model on a question set (Spider/BIRD JSON), or the schema context without a model.",
        description = {
            "Reads QUESTIONS_FILE (a JSON array or JSON Lines of objects with question, gold SQL in SQL, query or"
                    + " sql, and optionally db_id, evidence, difficulty, tables), runs the gold SQL through the"
                    + " guarded path, asks each question of the agent, and compares the result of the last read the"
                    + " agent ran with the gold result (rows in any order unless the gold SQL orders them, columns"
                    + " in any order, numbers within a relative tolerance). Prints execution accuracy overall and by"
                    + " difficulty, with steps, tokens, cost estimate, latency, refusals and errors.",
            "With --context-only no model is called: it scores whether the schema context built for each question"
                    + " holds the gold tables (from 'tables', else parsed from the gold SQL).",
            "With --results FILE each finished question is appended to FILE as a JSON line; run the same command"
                    + " again to resume: the questions already there are not asked again."
        },
        footer = {
            "",
            "Exit status: 0 when the run finished (whatever the accuracy); 1 on error; 2 for a usage or"
                    + " configuration error (bad option, unreadable question file)."
        })
final class EvalCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    AgentOptions agentOptions = new AgentOptions();

    @Parameters(index = "0", paramLabel = "QUESTIONS_FILE", description = "The questions: a JSON array or JSON Lines.")
    Path questionsFile = Path.of("");

    @Option(names = "--limit", paramLabel = "N", description = "Run at most N questions. Default: all.")
    @Nullable
    Integer limit;

    @Option(names = "--offset", paramLabel = "N", description = "Skip the first N questions. Default: 0.")
    int offset;

    @Option(names = "--concurrency", paramLabel = "N", description = "Questions run at once. Default: 1.")
    int concurrency = 1;

    @Option(
            names = "--results",
            paramLabel = "FILE",
            description = "Append each finished question to FILE (JSON"
                    + " lines) and skip those already there: a resumable run. Default: none.")
    @Nullable
    Path results;

    @Option(names = "--json", description = "Print one JSON document (summary, by difficulty, every result).")
    boolean json;

    @Option(names = "--context-only", description = "Score schema-context recall; no model is called.")
    boolean contextOnly;

    @Option(
            names = "--budget",
            paramLabel = "TOKENS",
            description = "The context's token budget for" + " --context-only. Default: 2000.")
    int budget = 2000;

    @Option(
            names = "--db-mapping",
            paramLabel = "MODE",
            description = "What a question's db_id selects: none (it"
                    + " is only reported) or schema (a schema of the database: the gold SQL's tables are put in it, the"
                    + " model is told it; for a Spider catalog in one database). Default: none.")
    String mapping = "none";

    @Option(names = "--tolerance", paramLabel = "X", description = "Relative tolerance for numbers. Default: 1e-6.")
    double tolerance = 1e-6;

    @Option(
            names = "--price-in",
            paramLabel = "X",
            description = "Price of a million input tokens, for the cost"
                    + " estimate (with --price-out). Default: no estimate.")
    @Nullable
    Double priceIn;

    @Option(names = "--price-out", paramLabel = "X", description = "Price of a million output tokens.")
    @Nullable
    Double priceOut;

    EvalCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Evaluation.Builder builder = checkedBuilder();
        List<EvalQuestion> questions = questions();
        Configs.apply(cli, database, model, agentOptions);
        PostgresDatabase db = database.database(cli);
        db.schema(); // reach the database before the model: a wrong URL or password is reported at once
        AtomicInteger finished = new AtomicInteger();
        if (cli.decorations() && !json) {
            builder.listener(r -> progress(r, finished.incrementAndGet(), questions.size()));
        }
        EvalReport report;
        if (contextOnly) {
            report = builder.database(db).build().run(questions);
        } else {
            agentOptions.checkSettings();
            LlmClient llm = model.client(cli);
            // an evaluation writes nothing: any statement that would need a person's yes is declined
            try (PostgresAgent agent =
                    Agents.build(cli, llm, db, agentOptions, AgentListener.NONE, ConfirmationHandler.DECLINE_ALL)) {
                report = builder.agent(agent).build().run(questions);
            }
        }
        cli.out.print(cli.scrub(json ? report.toJson() + System.lineSeparator() : report.toTable()));
        cli.out.flush();
        return 0;
    }

    private Evaluation.Builder checkedBuilder() {
        if (offset < 0) {
            throw new UserException("--offset must be >= 0 but was " + offset);
        }
        if (limit != null && limit < 1) {
            throw new UserException("--limit must be >= 1 but was " + limit);
        }
        if (concurrency < 1 || concurrency > 256) {
            throw new UserException("--concurrency must be in 1..256 but was " + concurrency);
        }
        if (budget < 1) {
            throw new UserException("--budget must be >= 1 but was " + budget);
        }
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new UserException("--tolerance must be >= 0 and < 1 but was " + tolerance);
        }
        if ((priceIn == null) != (priceOut == null)) {
            throw new UserException("--price-in and --price-out go together, but only one was given");
        }
        DatabaseMapping m = switch (mapping.toLowerCase(Locale.ROOT)) {
            case "none" -> DatabaseMapping.NONE;
            case "schema" -> DatabaseMapping.SCHEMA;
            default -> throw new UserException("--db-mapping must be none or schema but was " + mapping);
        };
        Evaluation.Builder b = Evaluation.builder()
                .mapping(m)
                .concurrency(concurrency)
                .contextOnly(contextOnly)
                .contextBudget(budget)
                .comparator(
                        ResultComparator.builder().relativeTolerance(tolerance).build());
        if (priceIn != null && priceOut != null) {
            try {
                b.pricing(new Pricing(priceIn, priceOut));
            } catch (IllegalArgumentException e) {
                throw new UserException(
                        "--price-in and --price-out must be >= 0 but were " + priceIn + " and " + priceOut);
            }
        }
        if (results != null) {
            b.resultsFile(results);
        }
        return b;
    }

    private List<EvalQuestion> questions() {
        List<EvalQuestion> all;
        try {
            all = EvalQuestions.read(questionsFile);
        } catch (EvalFileException e) {
            throw new UserException(e.getMessage());
        }
        int from = Math.min(offset, all.size());
        int to = limit == null ? all.size() : (int) Math.min(all.size(), (long) from + limit);
        return all.subList(from, to);
    }

    private final Object progressLock = new Object();

    private void progress(EvalResult r, int done, int total) {
        synchronized (progressLock) { // questions finish on several threads; one line each
            cli.err.println("[" + done + "/" + total + "] " + r.id() + " " + r.status()
                    + (r.error().isEmpty() ? "" : ": " + cli.scrub(Errors.oneLine(r.error()))));
        }
    }
}
