package dev.pgagent.cli;

import dev.pgagent.cli.demo.DemoDatabase;
import dev.pgagent.cli.demo.EmbeddedPostgresServer;
import dev.pgagent.db.postgres.PgDataSources;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pg-agent demo}: an embedded PostgreSQL with a sample shop, then a chat or a tour. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        header = "Tries pg-agent on an embedded sample database (nothing to install).",
        description = {
            "Starts an embedded PostgreSQL (nothing to install), loads a sample shop database (customers, products,"
                    + " orders, payments, shipments, reviews, ...), then: with a model configured, a chat on it;"
                    + " without one, how to configure one and a tour of what works without it (schema, safety"
                    + " verdicts, a guarded read, an explained plan, the context for a question).",
            "With --url, uses that database instead: it tours it, and loads the sample (into a schema 'shop')"
                    + " only with --load."
        })
final class DemoCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    AgentOptions agentOptions = new AgentOptions();

    @Option(names = "--plain", description = "In the chat: read plain lines, without line editing or history.")
    boolean plain;

    @Option(names = "--load", description = "With --url: load the sample shop into that database (schema 'shop').")
    boolean load;

    DemoCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        if (database.hasUrl()) {
            DataSource ds = database.dataSource(cli);
            if (load) {
                report(DemoDatabase.load(ds));
            }
            return runOn(ds);
        }
        if (load) {
            throw new UserException("--load needs --url; without --url the demo loads its sample into an embedded"
                    + " PostgreSQL anyway");
        }
        cli.out.println("Starting an embedded PostgreSQL 15 (nothing to install; the first start unpacks it)...");
        cli.out.flush();
        long start = System.nanoTime();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
            cli.out.printf("PostgreSQL is up on port %d (%.1f s).%n", server.port(), (System.nanoTime() - start) / 1e9);
            // the sample lives in schema "shop": let unqualified names find it
            DataSource ds = PgDataSources.fromUrl(server.jdbcUrl() + "?currentSchema=shop,public", server.user(), null);
            report(DemoDatabase.load(ds));
            return runOn(ds);
        }
    }

    private void report(DemoDatabase.Report report) {
        StringBuilder tables = new StringBuilder();
        for (Map.Entry<String, Long> e : report.rowsByTable().entrySet()) {
            tables.append(tables.length() == 0 ? "" : ", ")
                    .append(e.getKey())
                    .append(' ')
                    .append(e.getValue());
        }
        cli.out.printf(
                "Loaded the sample shop into schema '%s': %d tables, %d rows in %.1f s (%s).%n",
                DemoDatabase.SCHEMA,
                report.tables(),
                report.rows(),
                report.elapsed().toMillis() / 1000.0,
                tables);
        cli.out.flush();
    }

    private int runOn(DataSource ds) {
        PostgresDatabase db = PostgresDatabase.of(ds);
        db.schema();
        if (model.configured(cli)) {
            String where = model.baseUrl(cli) == null ? "OpenAI" : model.baseUrl(cli);
            cli.out.println("Model: " + model.model(cli) + " at " + where + "; policy "
                    + AgentOptions.name(agentOptions.policy().level()) + ".");
            cli.out.println("Try: Who are our five best customers by revenue?  Which products get the worst"
                    + " reviews?  How many orders are still waiting to ship?");
            return ChatCommand.start(cli, model.client(cli), db, agentOptions, plain);
        }
        cli.out.println();
        cli.out.println("No model is configured, so there is no chat. To chat with this database, "
                + ModelOptions.HOW_TO_CONFIGURE + ", then run 'pg-agent demo' again.");
        new Tour(cli, db, agentOptions.policy()).run();
        return 0;
    }
}
