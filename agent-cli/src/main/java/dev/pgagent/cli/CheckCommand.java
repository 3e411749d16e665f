package dev.pgagent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.db.postgres.ExecutionLimits;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.db.postgres.QueryCancellation;
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

/** {@code pg-agent check}: the safety verdict for SQL, and with {@code --url} whether PostgreSQL can plan it. */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        header = "Prints the safety verdict for SQL (no database needed).",
        description = {
            "Prints the safety verdict (allow, confirm or deny; the statement's classification; the reason) for each"
                    + " SQL text, without a database.",
            "With --url, also has that database plan each statement that is not denied (EXPLAIN in a read-only"
                    + " transaction, nothing runs) and reports whether it could: unknown tables and columns, type"
                    + " errors and syntax PostgreSQL rejects show up before the SQL is used.",
            "With --input-jsonl, reads one JSON string of SQL per line of standard input and answers each with one"
                    + " JSON line (sql, decision, classification, reason; with --url, planned and planError), in"
                    + " order, as it is read."
        },
        footer = {
            "",
            "Exit status: 0 when nothing was denied (and, with --url, everything planned); 1 when a"
                    + " statement was denied or could not be planned, or a line was bad."
        })
final class CheckCommand implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "SQL", arity = "0..*", description = "The SQL texts to check, one per argument.")
    List<String> sql = new ArrayList<>();

    @Option(
            names = "--policy",
            paramLabel = "LEVEL",
            converter = AgentOptions.PolicyConverter.class,
            description = "read-only, balanced or permissive. Default: read-only.")
    @Nullable
    PolicyLevel policy;

    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "Also plan each statement that is not denied on this database (JDBC URL or postgresql://"
                    + " URI; --user and --password as for the other commands). Default: no database.")
    @Nullable
    String url;

    @Option(names = "--user", paramLabel = "NAME", description = "With --url: the database user. Default: PGUSER.")
    @Nullable
    String user;

    @Option(
            names = "--password",
            paramLabel = "PASSWORD",
            description = "With --url: the database password. Default: PGPASSWORD.")
    @Nullable
    String password;

    private @Nullable Planner planner;

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
        if (url != null) {
            DatabaseOptions options = new DatabaseOptions();
            options.url = url;
            options.user = user;
            options.password = password;
            PostgresDatabase db = PostgresDatabase.of(options.dataSource(cli));
            // reach the database first: a wrong URL or password is one clear error, not one per statement
            db.read("SELECT 1", ExecutionLimits.from(p), new QueryCancellation());
            planner = new Planner(db, p);
        }
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
            String planError = plan(s, v);
            if (v.isDenied() || planError != null) {
                denied++;
            }
            if (json) {
                cli.out.println(JsonViews.line(withPlan(JsonViews.verdict(s, v), v, planError)));
            } else {
                printText(s, v, planError);
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
                    answer = JsonViews.line(
                            JsonViews.inputError(lineNumber, lineError(line)).put("decision", "DENY"));
                } else {
                    Verdict v = validate(validator, sqlText);
                    String planError = plan(sqlText, v);
                    if (v.isDenied() || planError != null) {
                        denied++;
                    }
                    answer = JsonViews.line(withPlan(JsonViews.verdict(sqlText, v), v, planError));
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
            return "expected a JSON string holding SQL but got a JSON "
                    + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        } catch (JsonProcessingException e) {
            return "not valid JSON: " + Errors.oneLine(e.getOriginalMessage());
        }
    }

    private static Verdict validate(JSqlParserSafetyValidator validator, String sql) {
        try {
            return validator.validate(sql);
        } catch (RuntimeException e) {
            // a validator must not throw; if it does, fail closed
            return Verdict.deny(
                    dev.pgagent.api.safety.StatementKind.UNPARSEABLE, "the validator failed: " + e.getMessage());
        }
    }

    private void printText(String sql, Verdict v, @Nullable String planError) {
        cli.out.printf(
                "%-7s %-12s %s%n",
                v.decision().name(),
                v.kind().name(),
                Errors.oneLine(dev.pgagent.api.PgAgentException.abbreviate(sql, 100)));
        cli.out.printf("%-20s %s%n", "", v.reason());
        if (planner != null && !v.isDenied()) {
            String line = planError == null ? "PostgreSQL planned it." : "PostgreSQL cannot plan it: " + planError;
            cli.out.printf("%-20s %s%n", "", line);
        }
    }

    /** Returns why the database could not plan {@code sql}, or null when it could or no database was given. */
    private @Nullable String plan(String sql, Verdict v) {
        return planner == null || v.isDenied() ? null : planner.error(sql);
    }

    private ObjectNode withPlan(ObjectNode n, Verdict v, @Nullable String planError) {
        if (planner != null && !v.isDenied()) {
            n.put("planned", planError == null);
            if (planError != null) {
                n.put("planError", planError);
            }
        }
        return n;
    }

    /** Plans statements on a database: EXPLAIN without ANALYZE, in a read-only transaction, under the policy. */
    private record Planner(PostgresDatabase db, SafetyPolicy policy) {
        @Nullable
        String error(String sql) {
            try {
                db.explainJson(sql, ExecutionLimits.from(policy), new QueryCancellation());
                return null;
            } catch (DatabaseException e) {
                return Errors.oneLine(String.valueOf(e.getMessage()));
            }
        }
    }
}
