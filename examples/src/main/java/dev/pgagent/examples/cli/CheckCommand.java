package dev.pgagent.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.safety.JSqlParserSafetyValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pg-agent check}: the safety verdict for SQL, without a database. */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        header = "Prints the safety verdict for SQL (no database needed).",
        description = {
            "Prints the safety verdict (allow, confirm or deny; the statement's classification; the reason) for each"
                    + " SQL text, without a database.",
            "With --input-jsonl, reads one JSON string of SQL per line of standard input and answers each with one"
                    + " JSON line (sql, decision, classification, reason), in order, as it is read."
        },
        footer = {"", "Exit status: 0 when nothing was denied; 1 when a statement was denied or a line was bad."})
final class CheckCommand implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "SQL", arity = "0..*", description = "The SQL texts to check, one per argument.")
    List<String> sql = new ArrayList<>();

    @Option(
            names = "--policy",
            paramLabel = "LEVEL",
            converter = AgentOptions.PolicyConverter.class,
            description = "read-only, balanced or permissive. Default: read-only.")
    @Nullable PolicyLevel policy;

    @Option(names = "--json", description = "Print one JSON line per statement.")
    boolean json;

    @Option(
            names = "--input-jsonl",
            description = "Read SQL from standard input: one JSON string per line; answer one JSON line each.")
    boolean inputJsonl;

    CheckCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        PolicyLevel level = policy == null ? PolicyLevel.READ_ONLY : policy;
        SafetyPolicy p = level == PolicyLevel.READ_ONLY
                ? SafetyPolicy.READ_ONLY
                : SafetyPolicy.builder().level(level).build();
        JSqlParserSafetyValidator validator = JSqlParserSafetyValidator.of(p);
        if (inputJsonl) {
            if (!sql.isEmpty()) {
                throw new UserException("give SQL either as arguments or with --input-jsonl, not both");
            }
            return streamJsonLines(validator);
        }
        if (sql.isEmpty()) {
            throw new UserException("no SQL given: pass statements as arguments (quoted), or use --input-jsonl to "
                    + "read them from standard input");
        }
        int denied = 0;
        for (String s : sql) {
            Verdict v = validate(validator, s);
            if (v.isDenied()) {
                denied++;
            }
            if (json) {
                cli.out.println(JsonViews.line(JsonViews.verdict(s, v)));
            } else {
                printText(s, v);
            }
        }
        cli.out.flush();
        return denied == 0 ? 0 : 1;
    }

    private int streamJsonLines(JSqlParserSafetyValidator validator) {
        int denied = 0;
        long lineNumber = 0;
        try {
            String line;
            while ((line = cli.reader().readLine()) != null) {
                lineNumber++;
                String answer;
                String sqlText = sqlOf(line);
                if (sqlText == null) {
                    denied++;
                    answer = JsonViews.line(JsonViews.inputError(lineNumber, lineError(line))
                            .put("decision", "DENY"));
                } else {
                    Verdict v = validate(validator, sqlText);
                    if (v.isDenied()) {
                        denied++;
                    }
                    answer = JsonViews.line(JsonViews.verdict(sqlText, v));
                }
                cli.out.println(answer);
                cli.out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input", e);
        }
        return denied == 0 ? 0 : 1;
    }

    private static @Nullable String sqlOf(String line) {
        try {
            JsonNode node = JsonViews.MAPPER.readTree(line);
            return node != null && node.isTextual() ? node.textValue() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String lineError(String line) {
        if (line.isBlank()) {
            return "empty line; expected a JSON string holding SQL";
        }
        try {
            JsonNode node = JsonViews.MAPPER.readTree(line);
            return "expected a JSON string holding SQL but got a JSON " + node.getNodeType().name().toLowerCase(
                    java.util.Locale.ROOT);
        } catch (JsonProcessingException e) {
            return "not valid JSON: " + Errors.oneLine(e.getOriginalMessage());
        }
    }

    private static Verdict validate(JSqlParserSafetyValidator validator, String sql) {
        try {
            return validator.validate(sql);
        } catch (RuntimeException e) {
            // a validator must not throw; if it does, fail closed
            return Verdict.deny(dev.pgagent.api.safety.StatementKind.UNPARSEABLE,
                    "the validator failed: " + e.getMessage());
        }
    }

    private void printText(String sql, Verdict v) {
        cli.out.printf("%-7s %-12s %s%n", v.decision().name(), v.kind().name(),
                Errors.oneLine(dev.pgagent.api.PgAgentException.abbreviate(sql, 100)));
        cli.out.printf("%-20s %s%n", "", v.reason());
    }
}
