package dev.pgagent.cli;

import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pg-agent schema}: the introspected schema. */
@Command(
        name = "schema",
        mixinStandardHelpOptions = true,
        header = "Prints the schema pg-agent reads from the database.",
        description = "Prints the schema pg-agent reads from the database: tables and views with their columns, keys,"
                + " comments and row estimates, and enum types. Compact text, or the full model with --json.")
final class SchemaCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Option(names = "--json", description = "Print the full schema model as JSON.")
    boolean json;

    @Parameters(
            paramLabel = "TABLE",
            arity = "0..*",
            description = "Only these tables (name or schema.name). Default: all.")
    List<String> tables = new ArrayList<>();

    SchemaCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Configs.apply(cli, database, null, null);
        SchemaModel schema = PostgresDatabase.of(database.dataSource(cli)).schema();
        if (!tables.isEmpty()) {
            List<TableInfo> chosen = new ArrayList<>();
            for (String name : tables) {
                chosen.add(schema.table(name)
                        .orElseThrow(() -> UserException.failed(
                                "no table or view named '" + name + "' (run 'pg-agent schema' to list them)")));
            }
            schema = new SchemaModel(chosen, List.of(), schema.introspectedAt());
        }
        if (json) {
            try {
                java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(cli.out, 1 << 16);
                SchemaJson.write(schema, buffered);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot write the schema", e);
            }
        } else {
            cli.out.print(SchemaText.render(schema));
        }
        return 0;
    }
}
