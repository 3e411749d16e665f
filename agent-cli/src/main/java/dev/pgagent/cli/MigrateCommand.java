package dev.pgagent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.core.AuditSinks;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.core.migration.Migrations;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.safety.JSqlParserSafetyValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pg-agent migrate plan | apply | status}: versioned migrations in Flyway's layout. */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        header = "Plans, applies and lists versioned migrations in Flyway's layout.",
        description = "A change (an index, a column, a constraint) becomes db/migration/V<version>__<description>.sql,"
                + " with a U<version>__ undo script where every statement has an inverse, so the team keeps using"
                + " Flyway. apply runs the pending files in order through the safety layer, with a dry run where the"
                + " statements allow one, lock and duration warnings, and a typed confirmation for each statement;"
                + " CONCURRENTLY statements run outside a transaction. Applied migrations are recorded in"
                + " flyway_schema_history exactly as Flyway records them, so 'flyway info' agrees.",
        synopsisSubcommandLabel = "(plan | apply | status)",
        footer = {
            "",
            "Exit status: 0 done; 1 a migration was declined, refused or failed, or the history shows a"
                    + " failed or changed migration; 2 usage or configuration error."
        })
final class MigrateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cli cli;

    MigrateCommand(Cli cli) {
        this.cli = cli;
    }

    /** Returns the command with its subcommands. */
    static CommandLine commandLine(Cli cli) {
        CommandLine cl = new CommandLine(new MigrateCommand(cli));
        cl.addSubcommand("plan", new Plan(cli));
        cl.addSubcommand("apply", new Apply(cli));
        cl.addSubcommand("status", new Status(cli));
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec()
                    .addOption(CommandLine.Model.OptionSpec.builder("--debug")
                            .description("Print stack traces and debug logs on errors.")
                            .type(boolean.class)
                            .build());
        }
        return cl;
    }

    @Override
    public Integer call() {
        cli.err.println("pg-agent migrate: a subcommand is required: plan, apply or status (see 'pg-agent migrate"
                + " --help')");
        return PgAgentCli.USAGE;
    }

    /** Where the migrations and their history are; a picocli mixin. */
    static final class Location {
        @Option(
                names = "--dir",
                paramLabel = "DIR",
                description = "The migrations directory. Default: " + Migrations.DEFAULT_DIRECTORY + ".")
        Path dir = Path.of(Migrations.DEFAULT_DIRECTORY);

        @Option(
                names = "--schema",
                paramLabel = "SCHEMA",
                description = "The schema of the history table. Default:" + " the connection's current schema.")
        @Nullable
        String schema;

        @Option(
                names = "--table",
                paramLabel = "NAME",
                description = "The history table. Default: " + Migrations.DEFAULT_TABLE + ".")
        String table = Migrations.DEFAULT_TABLE;

        Migrations.Builder builder() {
            Migrations.Builder b = Migrations.builder().directory(dir).table(table);
            if (schema != null) {
                b.schema(schema);
            }
            return b;
        }
    }

    /**
     * Returns an agent for the guarded path only (no model is called), confirming with {@code handler}; a statement
     * (and each call) may take up to {@code timeout}, as index builds on big tables do.
     */
    static PostgresAgent agent(
            PostgresDatabase db, AgentOptions options, ConfirmationHandler handler, Duration timeout) {
        LlmClient noModel = request -> {
            throw new LlmException("this command calls no model", LlmException.Reason.OTHER, false, null);
        };
        SafetyPolicy policy = options.policy().toBuilder()
                .askMaxTime(timeout)
                .statementTimeout(timeout)
                .build();
        PostgresAgent.Builder b = PostgresAgent.builder()
                .llm(noModel)
                .database(db)
                .policy(policy)
                .safetyValidator(JSqlParserSafetyValidator.of(policy))
                .confirmationHandler(handler)
                .timeout(timeout)
                .valueGrounding(false);
        if (options.audit != null) {
            b.addAuditSink(AuditSinks.jsonLines(options.audit));
        }
        return b.build();
    }

    @Command(
            name = "plan",
            mixinStandardHelpOptions = true,
            header = "Writes a change as the next versioned migration file.",
            description = "Writes the change (--sql or --file) as V<next version>__<description>.sql in the"
                    + " directory, and U<version>__<description>.sql when every statement has an inverse (CREATE"
                    + " INDEX, ADD COLUMN, ADD CONSTRAINT). The version is the next integer after the highest V file,"
                    + " or a UTC timestamp when the directory uses them (or --timestamp). With a database named,"
                    + " statements that lock or rewrite big tables get warnings (also written into the file as"
                    + " comments). --dry-run prints the file instead of writing it.")
    static final class Plan implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        Location location = new Location();

        @Mixin
        DatabaseOptions database = new DatabaseOptions();

        @Option(names = "--sql", paramLabel = "SQL", description = "The change: one or more statements.")
        @Nullable
        String sql;

        @Option(names = "--file", paramLabel = "FILE", description = "Read the change from FILE instead.")
        @Nullable
        Path file;

        @Option(
                names = "--description",
                paramLabel = "TEXT",
                description = "What the change does, for the file name"
                        + " (e.g. 'add index orders customer_id'). Default: from the SQL.")
        String description = "";

        @Option(names = "--timestamp", description = "Version by UTC timestamp (yyyyMMddHHmmss).")
        boolean timestamp;

        @Option(names = "--dry-run", description = "Print the file(s), write nothing.")
        boolean dryRun;

        Plan(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            if ((sql == null) == (file == null)) {
                throw new UserException("give the change as --sql or as --file (one of them)");
            }
            String change = sql;
            if (file != null) {
                try {
                    change = Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UserException("cannot read --file " + file + ": " + e.getMessage());
                }
            }
            Migrations.Change c;
            try {
                c = new Migrations.Change(change, description);
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage());
            }
            Migrations.Builder b = location.builder().timestampVersions(timestamp);
            DataSource ds = null;
            try {
                ds = database.dataSource(cli);
            } catch (UserException e) {
                // no database named: plan without table sizes
            }
            if (ds == null) {
                print(b.build().plan(c, !dryRun));
                return 0;
            }
            PostgresDatabase db = PostgresDatabase.of(ds);
            AgentOptions readOnly = new AgentOptions();
            try (PostgresAgent agent = ExportCommand.hostAgent(db, readOnly)) {
                print(b.path(agent.guardedPath(ExportCommand.caller(cli)))
                        .build()
                        .plan(c, !dryRun));
            }
            return 0;
        }

        private void print(Migrations.Planned p) {
            if (!p.written()) {
                cli.out.println("-- " + p.file());
                cli.out.print(p.script());
                if (p.undoFile() != null) {
                    cli.out.println("-- " + p.undoFile());
                    cli.out.print(p.undoScript());
                }
                return;
            }
            cli.out.println("Wrote " + p.file()
                    + (p.undoFile() == null
                            ? " (no undo script: a statement has no" + " known inverse)"
                            : " and " + p.undoFile()));
            for (String w : p.warnings()) {
                cli.out.println("  Warning: " + w);
            }
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            header = "Lists the migration files against the history table.",
            description = "Lists each migration file and each recorded migration with its state: pending, applied,"
                    + " failed, checksum_mismatch (the file changed after it was applied), below_baseline, missing"
                    + " (recorded, file gone).")
    static final class Status implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        Location location = new Location();

        @Mixin
        DatabaseOptions database = new DatabaseOptions();

        @Option(
                names = "--json",
                description = "Print one JSON document: migrations with version, description,"
                        + " script, state, checksum, appliedChecksum, installedOn, installedBy.")
        boolean json;

        Status(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            List<Migrations.Entry> entries = location.builder()
                    .dataSource(database.dataSource(cli))
                    .build()
                    .status();
            if (json) {
                ObjectNode root = JSON.createObjectNode();
                ArrayNode list = root.putArray("migrations");
                for (Migrations.Entry e : entries) {
                    ObjectNode o = list.addObject()
                            .put("version", e.version())
                            .put("description", e.description())
                            .put("script", e.script())
                            .put("state", e.state().name().toLowerCase(Locale.ROOT))
                            .put("checksum", e.checksum())
                            .put("appliedChecksum", e.appliedChecksum());
                    o.put(
                            "installedOn",
                            e.installedOn() == null ? null : e.installedOn().toString());
                    o.put("installedBy", e.installedBy());
                }
                cli.out.println(root.toString());
            } else if (entries.isEmpty()) {
                cli.out.println("No migrations in " + location.dir + " and none recorded.");
            } else {
                int w = entries.stream()
                        .mapToInt(e -> e.version().length())
                        .max()
                        .orElse(7);
                w = Math.max(w, 7);
                cli.out.println(String.format(
                        Locale.ROOT, "%-" + w + "s  %-17s  %-20s  %s", "VERSION", "STATE", "INSTALLED ON", "SCRIPT"));
                for (Migrations.Entry e : entries) {
                    cli.out.println(String.format(
                            Locale.ROOT,
                            "%-" + w + "s  %-17s  %-20s  %s",
                            e.version(),
                            e.state().name().toLowerCase(Locale.ROOT),
                            e.installedOn() == null
                                    ? ""
                                    : e.installedOn().toString().replaceFirst("\\.\\d+Z$", "Z"),
                            e.script()));
                }
            }
            boolean bad = entries.stream()
                    .anyMatch(e ->
                            e.state() == Migrations.State.FAILED || e.state() == Migrations.State.CHECKSUM_MISMATCH);
            return bad ? 1 : 0;
        }
    }

    @Command(
            name = "apply",
            mixinStandardHelpOptions = true,
            header = "Applies the pending migrations, each statement after your typed confirmation.",
            description = "Applies the pending migration files in version order through the safety layer: each"
                    + " statement is checked under the policy (default here: permissive; DDL always needs a typed"
                    + " confirmation), the migration is dry-run in a transaction that is rolled back where it has"
                    + " no CONCURRENTLY statement, lock and duration warnings are shown, then you confirm each"
                    + " statement by typing the table's name. CONCURRENTLY statements run outside a transaction."
                    + " Stops at the first migration not applied. Without a terminal every confirmation is"
                    + " declined.")
    static final class Apply implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        Location location = new Location();

        @Mixin
        DatabaseOptions database = new DatabaseOptions();

        @Mixin
        AgentOptions agentOptions = new AgentOptions();

        @Option(
                names = "--timeout",
                paramLabel = "SECONDS",
                description = "The longest a statement may run (index"
                        + " builds on big tables take a while). Default: 3600.")
        long timeoutSeconds = 3600;

        Apply(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            agentOptions.checkSettings();
            if (timeoutSeconds < 1) {
                throw new UserException("--timeout must be >= 1 second but was " + timeoutSeconds);
            }
            Duration timeout = Duration.ofSeconds(timeoutSeconds);
            if (agentOptions.policy == null) {
                agentOptions.policy = PolicyLevel.PERMISSIVE;
            }
            DataSource ds = database.dataSource(cli);
            PostgresDatabase db = PostgresDatabase.of(ds);
            ConfirmationHandler handler = agentOptions.policy == PolicyLevel.READ_ONLY
                    ? ConfirmationHandler.DECLINE_ALL
                    : new TerminalConfirmations(cli, cli.out, LineInput.plain(cli, cli.out), "The migration");
            Migrations.ApplyReport r;
            try (PostgresAgent agent = agent(db, agentOptions, handler, timeout)) {
                Migrations m = location.builder()
                        .path(agent.guardedPath(ExportCommand.caller(cli)))
                        .dataSource(ds)
                        .confirmationHandler(handler)
                        .listener(this::show)
                        .timeout(timeout)
                        .build();
                r = m.apply();
            }
            if (r.migrations().isEmpty()) {
                cli.out.println("Nothing to apply: no pending migrations in " + location.dir + ".");
                return 0;
            }
            for (Migrations.Applied a : r.migrations()) {
                cli.out.println(a.script() + ": "
                        + a.result().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " (" + a.message() + ", "
                        + a.elapsed().toMillis() + " ms)");
            }
            return r.succeeded() ? 0 : 1;
        }

        private void show(Migrations.Preview p) {
            cli.out.println();
            cli.out.println("Migration " + p.migration().script() + " ("
                    + p.statements().size() + " statement" + (p.statements().size() == 1 ? "" : "s") + ")");
            for (String w : p.warnings()) {
                cli.out.println("  Warning: " + w);
            }
            cli.out.println("  Dry run: " + p.dryRun());
        }
    }
}
