package dev.pgagent.cli;

import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.DatabaseHealth;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pg-agent health}: the database's maintenance state, each issue with a severity and a fix. */
@Command(
        name = "health",
        mixinStandardHelpOptions = true,
        header = "Checks the database's health: indexes, bloat, vacuum, wraparound, sequences, sessions.",
        description = "Runs the health checks through the safety layer (catalog and statistics reads only, READ ONLY,"
                + " audited): invalid, duplicate and unused indexes; table and index bloat (estimated); vacuum and"
                + " analyze overdue and dead rows; transaction ID age against wraparound; sequences near their"
                + " maximum; cache hit ratio; connections used against max_connections; long transactions and"
                + " sessions idle in a transaction; replication lag. Each issue has a severity (CRITICAL, WARNING,"
                + " INFO), the numbers and what to do; most severe first. A check the policy or PostgreSQL refused is"
                + " listed as skipped.",
        footer = {"", "Exit status: 0 when no issue is CRITICAL; 1 when one is (or the checks could not run)."})
final class HealthCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    AgentOptions agentOptions = new AgentOptions();

    @Option(
            names = "--json",
            description = "Print the report as one JSON document: issues (severity, check,"
                    + " subject, message, fix), facts, skipped, counts.")
    boolean json;

    @Option(
            names = "--long-transaction",
            paramLabel = "SECONDS",
            description = "Report transactions open longer." + " Default: 300.")
    @Nullable
    Long longTransactionSeconds;

    @Option(
            names = "--idle-in-transaction",
            paramLabel = "SECONDS",
            description = "Report sessions idle in a" + " transaction longer. Default: 60.")
    @Nullable
    Long idleSeconds;

    HealthCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        DatabaseHealth.Thresholds.Builder t = DatabaseHealth.Thresholds.builder();
        try {
            if (longTransactionSeconds != null) {
                t.longTransaction(Duration.ofSeconds(longTransactionSeconds));
            }
            if (idleSeconds != null) {
                t.idleInTransaction(Duration.ofSeconds(idleSeconds));
            }
        } catch (IllegalArgumentException e) {
            throw new UserException("--long-transaction and --idle-in-transaction must be >= 0 seconds");
        }
        PostgresDatabase db = PostgresDatabase.of(database.dataSource(cli));
        try (PostgresAgent agent = ExportCommand.hostAgent(db, agentOptions)) {
            DatabaseHealth.Report r = DatabaseHealth.check(agent.guardedPath(ExportCommand.caller(cli)), t.build());
            cli.out.println(json ? r.toJson() : r.toText());
            boolean nothingRan =
                    r.issues().isEmpty() && r.facts().isEmpty() && !r.skipped().isEmpty();
            return r.count(DatabaseHealth.Severity.CRITICAL) > 0 || nothingRan ? 1 : 0;
        }
    }
}
