package dev.pgagent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.context.SchemaContext;
import dev.pgagent.context.SchemaContextBuilder;
import dev.pgagent.context.ScoredTable;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pg-agent context}: what the model would be given for a question. */
@Command(
        name = "context",
        mixinStandardHelpOptions = true,
        header = "Prints the schema context the model would get for a question.",
        description = {
            "Prints the schema context the model would be given for a question: the tables chosen with their scores,"
                    + " the token count, and the rendered text.",
            "With --input-jsonl, reads one JSON string (a question) per line of standard input and answers each with"
                    + " one JSON line, in order."
        })
final class ContextCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Parameters(paramLabel = "QUESTION", arity = "0..*", description = "The question (words are joined).")
    List<String> words = new ArrayList<>();

    @Option(names = "--budget", paramLabel = "TOKENS", description = "The token budget. Default: 2000.")
    int budget = 2000;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Option(names = "--input-jsonl", description = "Read questions from standard input, one JSON string a line.")
    boolean inputJsonl;

    ContextCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Configs.apply(cli, database, null, null);
        if (budget < 1) {
            throw new UserException("--budget must be >= 1 but was " + budget);
        }
        if (inputJsonl && !words.isEmpty()) {
            throw new UserException("give the question either as arguments or with --input-jsonl, not both");
        }
        if (!inputJsonl && words.isEmpty()) {
            throw new UserException("no question given: pg-agent context \"your question\"");
        }
        PostgresDatabase db = PostgresDatabase.of(database.dataSource(cli));
        // the same context an agent gets: ranked tables, FK paths, and sampled values under the read-only policy
        SchemaContextBuilder builder = PostgresAgent.schemaContextBuilder(db, SafetyPolicy.READ_ONLY);
        if (inputJsonl) {
            return stream(builder);
        }
        String question = String.join(" ", words);
        SchemaContext context = builder.build(question, budget);
        if (json) {
            cli.out.println(JsonViews.pretty(JsonViews.context(question, budget, context)));
        } else {
            cli.out.println("Tables chosen for: " + question);
            for (ScoredTable t : context.tables()) {
                cli.out.printf(
                        "  %-40s %.3f%s%n",
                        t.qualifiedName(), t.score(), t.viaForeignKey() ? "  (via foreign key)" : "");
            }
            cli.out.println(context.tokens() + " tokens of a budget of " + budget + ":");
            cli.out.println();
            cli.out.println(context.text());
        }
        return 0;
    }

    private int stream(SchemaContextBuilder builder) {
        int bad = 0;
        long lineNumber = 0;
        try {
            String line;
            while ((line = cli.reader().readLine()) != null) {
                lineNumber++;
                String question = questionOf(line);
                if (question == null) {
                    bad++;
                    cli.out.println(JsonViews.line(
                            JsonViews.inputError(lineNumber, "expected a JSON string holding a question")));
                } else {
                    cli.out.println(
                            JsonViews.line(JsonViews.context(question, budget, builder.build(question, budget))));
                }
                cli.out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input", e);
        }
        return bad == 0 ? 0 : 1;
    }

    private static @Nullable String questionOf(String line) {
        try {
            JsonNode node = JsonViews.MAPPER.readTree(line);
            return node != null && node.isTextual() && !node.textValue().isBlank() ? node.textValue() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
