package dev.pgagent.cli;

import dev.pgagent.config.AgentConfig;
import dev.pgagent.config.ConfigLoader;
import dev.pgagent.config.DatabaseProfile;
import dev.pgagent.config.EffectiveConfig;
import dev.pgagent.config.ModelConfig;
import dev.pgagent.config.Secret;
import dev.pgagent.config.StarterConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code pg-agent config}: shows, writes and checks the configuration file. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        header = "Shows, writes and checks the configuration file.",
        description = "'config show' prints every setting in effect with where it came from (built-in default, the"
                + " file's line and column, an environment variable or a flag); secrets are masked. 'config init'"
                + " writes a commented starter file that explains every key (mode 600). 'config check' validates the"
                + " file and then tests each profile's connection and the model endpoint, one line each. Without a"
                + " subcommand, it says which file is in use.",
        subcommands = {ConfigCommand.Show.class, ConfigCommand.Init.class, ConfigCommand.Check.class},
        footer = {
            "",
            "Exit status: 0 when all is well; 1 when a connection or the model endpoint fails; 2 when the"
                    + " configuration is invalid (every problem is listed as file:line:column: message)."
        })
final class ConfigCommand implements Callable<Integer> {
    final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    ConfigCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Optional<Path> file = Configs.loader(cli, database, null, null).locate();
        cli.out.println(file.map(p -> "configuration file: " + p.toAbsolutePath())
                .orElse("no configuration file (looked for " + lookedFor(cli) + "); 'pg-agent config init' writes"
                        + " one"));
        return 0;
    }

    private static String lookedFor(Cli cli) {
        StringBuilder sb = new StringBuilder("--config, ")
                .append(ConfigLoader.ENV_CONFIG)
                .append(", ./")
                .append(ConfigLoader.LOCAL_FILE);
        String xdg = cli.env("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank()) {
            sb.append(", ").append(xdg.strip()).append("/pgagent/config.yaml");
        }
        return sb.append(", ~/.config/pgagent/config.yaml").toString();
    }

    /** Gives a subcommand's options the --config and --profile given before the subcommand, where it has none. */
    DatabaseOptions inherit(DatabaseOptions sub) {
        if (sub.configFile == null) {
            sub.configFile = database.configFile;
        }
        if (sub.profile == null) {
            sub.profile = database.profile;
        }
        return sub;
    }

    /** Loads the configuration with the flags given: a file must exist. */
    private static AgentConfig load(
            Cli cli, DatabaseOptions db, @Nullable ModelOptions model, @Nullable AgentOptions agent) {
        ConfigLoader loader = Configs.loader(cli, db, model, agent);
        if (loader.locate().isEmpty()) {
            throw new UserException("no configuration file found (looked for " + lookedFor(cli) + "); write one with"
                    + " 'pg-agent config init'");
        }
        AgentConfig config = loader.load();
        Configs.use(cli, config, db, model, agent);
        return config;
    }

    /** {@code pg-agent config show}. */
    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            header = "Prints the configuration in effect, each value with its source; secrets masked.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Mixin
        DatabaseOptions database = new DatabaseOptions();

        @Mixin
        ModelOptions model = new ModelOptions();

        @Mixin
        AgentOptions agentOptions = new AgentOptions();

        @Option(names = "--json", description = "Print JSON: key, value and source of each setting.")
        boolean json;

        @Override
        public Integer call() {
            Cli cli = parent.cli;
            AgentConfig config = load(cli, parent.inherit(database), model, agentOptions);
            EffectiveConfig effective = config.effective();
            if (json) {
                List<Map<String, Object>> entries = effective.entries().stream()
                        .map(e -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("key", e.key());
                            m.put("value", e.value());
                            m.put("source", e.origin().toString());
                            return m;
                        })
                        .toList();
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put(
                        "file",
                        config.file().map(p -> p.toAbsolutePath().toString()).orElse(null));
                doc.put("profile", config.database().name());
                doc.put("settings", entries);
                doc.put("warnings", config.warnings());
                cli.out.println(cli.scrub(JsonViews.pretty(JsonViews.MAPPER.valueToTree(doc))));
            } else {
                cli.out.println("# "
                        + config.file().map(p -> p.toAbsolutePath().toString()).orElse("(no file)") + ", profile "
                        + config.database().name());
                cli.out.print(cli.scrub(effective.render()));
                for (String w : config.warnings()) {
                    cli.err.println("pg-agent: warning: " + cli.scrub(w));
                }
            }
            return 0;
        }
    }

    /** {@code pg-agent config init}. */
    @Command(
            name = "init",
            mixinStandardHelpOptions = true,
            header = "Writes a commented starter configuration file (mode 600).")
    static final class Init implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Parameters(
                paramLabel = "FILE",
                arity = "0..1",
                description = "Where to write. Default: ./" + ConfigLoader.LOCAL_FILE + ".")
        @Nullable
        Path file;

        @Option(names = "--force", description = "Replace the file if it exists.")
        boolean force;

        @Override
        public Integer call() {
            Path target = file != null ? file : Path.of(ConfigLoader.LOCAL_FILE);
            if (Files.exists(target) && !force) {
                throw new UserException(target + " exists; pass --force to replace it");
            }
            Path written = StarterConfig.write(target, force);
            parent.cli.out.println("wrote " + written + " (readable by you only); edit it, then run"
                    + " 'pg-agent config check'" + (file == null ? "" : " --config " + written));
            return 0;
        }
    }

    /** {@code pg-agent config check}. */
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            header = "Validates the configuration, then tests each profile's connection and the model endpoint.")
    static final class Check implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Mixin
        DatabaseOptions database = new DatabaseOptions();

        @Mixin
        ModelOptions model = new ModelOptions();

        @Option(names = "--offline", description = "Only validate: connect to nothing.")
        boolean offline;

        @Override
        public Integer call() {
            Cli cli = parent.cli;
            AgentConfig config = load(cli, parent.inherit(database), model, null);
            cli.out.println("ok       " + config.file().map(Path::toString).orElse("(no file)") + ": valid, "
                    + config.databases().size() + (config.databases().size() == 1 ? " profile" : " profiles"));
            for (String w : config.warnings()) {
                cli.out.println("warning  " + cli.scrub(w));
            }
            if (offline) {
                return 0;
            }
            boolean failed = false;
            for (DatabaseProfile p : config.databases()) {
                String line = connect(cli, p);
                failed |= line.startsWith("FAILED");
                cli.out.println(cli.scrub(line));
            }
            String line = modelEndpoint(config.model());
            failed |= line.startsWith("FAILED");
            cli.out.println(cli.scrub(line));
            return failed ? 1 : 0;
        }
    }

    /** Connects to {@code p} and returns one line: the server's version and the time it took, or why not. */
    static String connect(Cli cli, DatabaseProfile p) {
        long start = System.nanoTime();
        try (Connection c = DatabaseOptions.dataSource(cli, p).getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_setting('server_version'), current_user")) {
            rs.next();
            return String.format(
                    "ok       database %s: PostgreSQL %s as %s (%d ms)",
                    p.name(), rs.getString(1), rs.getString(2), (System.nanoTime() - start) / 1_000_000);
        } catch (SQLException | RuntimeException e) {
            return "FAILED   database " + p.name() + " (" + DatabaseOptions.describe(p.jdbcUrl()) + "): "
                    + Errors.oneLine(Errors.describe(e, cli));
        }
    }

    /**
     * Asks the model endpoint for its list of models (a read that costs nothing) and returns one line: reachable and
     * the key accepted, or why not.
     */
    static String modelEndpoint(ModelConfig model) {
        boolean anthropic = model.provider().equals("anthropic");
        String base = model.baseUrl().orElse(anthropic ? "https://api.anthropic.com" : "https://api.openai.com/v1");
        String url = base.replaceAll("/+$", "") + (anthropic ? "/v1/models" : "/models");
        String what = "model    " + model.provider() + " " + model.model() + " at " + base;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .GET()
                .timeout(positive(model.readTimeout(), Duration.ofSeconds(30)));
        Optional<String> key = model.apiKey().map(Secret::reveal);
        if (anthropic) {
            key.ifPresent(k -> request.header("x-api-key", k));
            request.header("anthropic-version", "2023-06-01");
        } else {
            key.ifPresent(k -> request.header("Authorization", "Bearer " + k));
        }
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(positive(model.connectTimeout(), Duration.ofSeconds(10)))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        long start = System.nanoTime();
        try {
            HttpResponse<Void> r = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            long ms = (System.nanoTime() - start) / 1_000_000;
            int s = r.statusCode();
            if (s / 100 == 2) {
                return "ok       " + what.substring("model    ".length()) + ": reachable, key accepted (" + ms + " ms)";
            }
            String why = s == 401 || s == 403
                    ? "the API key was refused (HTTP " + s + ")"
                    : s == 404 ? "no models endpoint there (HTTP 404): is the base URL right?" : "HTTP " + s;
            return "FAILED   " + what.substring("model    ".length()) + ": " + why;
        } catch (IOException e) {
            return "FAILED   " + what.substring("model    ".length()) + ": unreachable ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "FAILED   " + what.substring("model    ".length()) + ": interrupted";
        } catch (IllegalArgumentException e) {
            return "FAILED   " + what.substring("model    ".length()) + ": " + e.getMessage();
        }
    }

    private static Duration positive(Duration d, Duration fallback) {
        return d.isZero() || d.isNegative() ? fallback : d;
    }
}
