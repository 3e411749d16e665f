package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AuditSinks;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.db.postgres.PostgresTools;
import dev.pgagent.safety.JSqlParserSafetyValidator;

/** Builds the agent the commands use. */
final class Agents {
    private Agents() {}

    static PostgresAgent build(
            Cli cli,
            LlmClient llm,
            PostgresDatabase db,
            AgentOptions options,
            AgentListener listener,
            ConfirmationHandler confirmations) {
        return build(cli, llm, db, options, listener, confirmations, b -> {});
    }

    /** Builds the agent, letting {@code more} add to its builder (the history, for one). */
    static PostgresAgent build(
            Cli cli,
            LlmClient llm,
            PostgresDatabase db,
            AgentOptions options,
            AgentListener listener,
            ConfirmationHandler confirmations,
            java.util.function.Consumer<PostgresAgent.Builder> more) {
        PostgresAgent.Builder builder = PostgresAgent.builder();
        more.accept(builder);
        dev.pgagent.config.AgentConfig config = options.config;
        if (config != null) {
            // every profile of the file is a database of the agent; the selected one (or the --url database in
            // its place) is the one already connected
            dev.pgagent.config.DatabaseProfile selected = config.database();
            return builder.configuration(
                            config, p -> p.name().equals(selected.name()) ? db : DatabaseOptions.database(cli, p))
                    .llm(llm)
                    .listener(listener)
                    .confirmationHandler(confirmations)
                    .build();
        }
        if (options.audit != null) {
            builder.addAuditSink(
                    options.auditChained
                            ? AuditSinks.chainedJsonLines(options.audit)
                            : AuditSinks.jsonLines(options.audit));
        }
        return builder.llm(llm)
                .database(db)
                // index advice for the model (hypopg where installed; never a real build from the model)
                .addTool(dev.pgagent.db.postgres.PostgresTools.suggestIndexes(db))
                .policy(options.policy())
                // the same validator 'pg-agent check' uses, so both give the same verdicts
                .safetyValidator(JSqlParserSafetyValidator.of(options.policy()))
                // the maintenance view a DBA would ask for: catalog and statistics reads only
                .addTool(PostgresTools.databaseHealth())
                .maxSteps(options.maxSteps())
                .listener(listener)
                .confirmationHandler(confirmations)
                .build();
    }
}
