package dev.pgagent.cli;

import dev.pgagent.config.AgentConfig;
import dev.pgagent.config.ConfigLoader;
import dev.pgagent.config.ConfigWatcher;
import dev.pgagent.config.DatabaseProfile;
import dev.pgagent.config.Secret;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The configuration file as the commands use it. When a file is found ({@code --config}, {@code PGAGENT_CONFIG},
 * {@code ./pgagent.yaml}, {@code $XDG_CONFIG_HOME/pgagent/config.yaml}, {@code ~/.config/pgagent/config.yaml}), it is
 * loaded with the environment and the command line's flags layered over it (defaults &lt; file &lt; environment &lt;
 * flags), and the options take the database, the model, the policy and the limits from it; without one, the options
 * read the flags and the environment as they always did. {@code --url} names a database outside the file's profiles:
 * the connection then comes from it, the policy and the rest still from the file.
 */
final class Configs {
    private Configs() {}

    /**
     * Loads the configuration for a command and hands it to its options.
     *
     * @return the configuration, or null when there is no file and none was asked for
     * @throws dev.pgagent.config.ConfigException listing every problem (exit status 2)
     * @throws UserException if {@code --profile} is given and there is no file
     */
    static @Nullable AgentConfig apply(
            Cli cli, DatabaseOptions db, @Nullable ModelOptions model, @Nullable AgentOptions agent) {
        db.configApplied = true;
        ConfigLoader loader = loader(cli, db, model, agent);
        Optional<Path> file = loader.locate();
        if (file.isEmpty()) {
            if (db.profile != null) {
                throw new UserException("--profile " + db.profile + " needs a configuration file, and none was found:"
                        + " pass --config FILE, set PGAGENT_CONFIG, or create ./pgagent.yaml (pg-agent config init)");
            }
            return null;
        }
        ConfigWatcher watcher = ConfigWatcher.start(loader);
        AgentConfig config = watcher.current();
        for (String warning : config.warnings()) {
            cli.err.println("pg-agent: warning: " + cli.scrub(warning));
        }
        db.watcher = watcher;
        if (!cli.debug) {
            // before the first logger is made, so slf4j-simple reads them; --debug wins
            Logging.configure(
                    config.logging().level().name().toLowerCase(java.util.Locale.ROOT),
                    config.logging().file().map(Path::toString).orElse("System.err"));
        }
        use(cli, config, db, model, agent);
        return config;
    }

    /** Hands {@code config} to the options, and its secrets to the scrubber. */
    static void use(
            Cli cli,
            AgentConfig config,
            DatabaseOptions db,
            @Nullable ModelOptions model,
            @Nullable AgentOptions agent) {
        for (DatabaseProfile p : config.databases()) {
            p.password().map(Secret::reveal).ifPresent(cli::addSecret);
        }
        config.model().apiKey().map(Secret::reveal).ifPresent(cli::addSecret);
        db.config = config;
        cli.pools.configuredMaxSize(config.poolMaxSize());
        if (model != null) {
            model.config = config;
        }
        if (agent != null) {
            agent.config = config;
        }
    }

    /** Returns the loader for the command's flags; they are overrides of the highest precedence. */
    static ConfigLoader loader(
            Cli cli, DatabaseOptions db, @Nullable ModelOptions model, @Nullable AgentOptions agent) {
        ConfigLoader.Builder b = ConfigLoader.builder()
                .environment(cli.env)
                .file(db.configFile)
                .override("profile", db.profile, "flag --profile");
        String home = cli.env("HOME");
        if (home != null && Path.of(home).isAbsolute()) {
            b.homeDirectory(Path.of(home));
        }
        if (db.url == null) {
            // a --url is a database outside the profiles; user and password then go with it
            b.override("database.user", db.user, "flag --user");
            b.override("database.password", db.password, "flag --password");
        }
        if (model != null) {
            b.override("model.provider", blankToNull(model.provider), "flag --provider");
            b.override("model.model", blankToNull(model.model), "flag --model");
            b.override("model.baseUrl", blankToNull(model.baseUrl), "flag --base-url");
        }
        if (agent != null) {
            b.override("policy.level", agent.policy == null ? null : AgentOptions.name(agent.policy), "flag --policy");
            b.override("agent.maxSteps", agent.maxSteps == null ? null : agent.maxSteps.toString(), "flag --max-steps");
            b.override("audit.jsonl", agent.audit == null ? null : agent.audit.toString(), "flag --audit");
            b.override("audit.chained", agent.auditChained ? "true" : null, "flag --audit-chained");
        }
        return b.build();
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
