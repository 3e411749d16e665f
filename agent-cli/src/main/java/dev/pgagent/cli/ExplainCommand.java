package dev.pgagent.cli;

import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.GuardedPath;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PlanAnalysis;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pg-agent explain}: the plan of one statement as a tree, with what a DBA would point at. */
@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        header = "Shows the plan of one statement as a tree, with findings and fixes.",
        description = "Asks PostgreSQL for the plan of SQL (EXPLAIN, nothing runs) through the safety layer (only"
                + " statements the policy lets run without confirmation) and prints it as a tree, then the findings"
                + " with the numbers and a fix each: sequential scans of large tables under a selective filter,"
                + " functions on indexed columns, joins on foreign keys without an index, nested loops over large"
                + " outer sides, parallelism not used; with --analyze also row estimates off by 10x or more and sorts"
                + " or hashes that spill to disk. --analyze runs the query (never a write) in a READ ONLY"
                + " transaction that is rolled back, under the statement timeout.",
        footer = {
            "",
            "Exit status: 0 when the plan was shown (findings or not); 1 when the statement was refused or"
                    + " PostgreSQL could not plan it."
        })
final class ExplainCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    AgentOptions agentOptions = new AgentOptions();

    @Option(
            names = "--analyze",
            description = "Run the query (EXPLAIN ANALYZE, read-only, rolled back) for actual" + " rows and times.")
    boolean analyze;

    @Option(names = "--json", description = "Print the plan tree and the findings as one JSON document.")
    boolean json;

    @Parameters(paramLabel = "SQL", arity = "1", description = "The statement to explain (without EXPLAIN).")
    String sql = "";

    ExplainCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        PostgresDatabase db = database.database(cli);
        try (PostgresAgent agent = ExportCommand.hostAgent(db, agentOptions)) {
            GuardedPath path = agent.guardedPath(ExportCommand.caller(cli));
            StatementOutcome o = analyze ? path.explainAnalyze(sql) : path.explain(sql);
            QueryResult r = o.result();
            String plan = o.isExecuted() && r != null && r.rowCount() > 0
                    ? r.rows().get(0).get(0)
                    : null;
            if (plan == null) {
                String why = o.error() == null ? o.status().name().toLowerCase(Locale.ROOT) : o.error();
                throw UserException.failed(
                        switch (o.status()) {
                            case REFUSED -> "refused: " + why;
                            case FAILED ->
                                "PostgreSQL could not plan it" + (o.sqlState() == null ? "" : " [" + o.sqlState() + "]")
                                        + ": " + why;
                            default -> "not explained: " + why;
                        });
            }
            PlanAnalysis a = PlanAnalysis.of(plan, schema(db));
            if (json) {
                cli.out.println(a.toJson());
            } else {
                cli.out.println(a.toText(Integer.MAX_VALUE / 4));
            }
            return 0;
        }
    }

    /** Returns the schema the findings about indexes and foreign keys need, or null when it cannot be read. */
    private static @Nullable SchemaModel schema(PostgresDatabase db) {
        try {
            return db.schema();
        } catch (PgAgentException e) {
            return null;
        }
    }
}
