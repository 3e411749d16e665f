package dev.pgagent.cli;

import dev.pgagent.api.ConfigurationException;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.core.AgentDatabase;
import dev.pgagent.core.AuditSinks;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.mcp.McpConfirmations;
import dev.pgagent.mcp.McpHttpOptions;
import dev.pgagent.mcp.McpHttpServer;
import dev.pgagent.mcp.McpToken;
import dev.pgagent.mcp.McpTokenConfig;
import dev.pgagent.mcp.PgAgentMcpServer;
import dev.pgagent.safety.JSqlParserSafetyValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pg-agent mcp}: an MCP server offering the guarded tools to MCP clients, over stdio or Streamable HTTP. */
@Command(
        name = "mcp",
        mixinStandardHelpOptions = true,
        header = "Serves the database's guarded tools to MCP clients (stdio or HTTP).",
        description = {
            "Runs an MCP server: every tool a model gets (execute_query, list_tables, describe_table, get_schema,"
                    + " explain_query, search_schema) for any MCP client, each call validated, plan-checked, guarded,"
                    + " redacted and audited, with the client's name and session as the caller. No model is needed:"
                    + " the client brings its own.",
            "With --transport stdio (the default) the client starts this command and talks on its standard input and"
                    + " output. With --transport http it listens on --bind:--port for Streamable HTTP and requires a"
                    + " bearer token (--token-file, PGAGENT_MCP_TOKEN or --token). There is no TLS: keep the loopback"
                    + " address or put a TLS proxy in front.",
            "Under --policy balanced or permissive, writes are dry-run, then run only if the client's user approves"
                    + " them (MCP elicitation); a client that cannot ask gets them declined."
        },
        footer = {
            "",
            "Environment: PGAGENT_MCP_TOKEN (a bearer token for HTTP, named 'default'); the database as for"
                    + " the other commands.",
            "Exit status: 0 when the client closed the connection (stdio); 1 on an"
                    + " error; 2 for a usage or configuration error (unknown transport, a missing or short token)."
        })
final class McpCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Option(
            names = "--database",
            paramLabel = "NAME=URL",
            description = "A named database (JDBC URL or postgresql:// URI); repeat for several, the first is the"
                    + " default. Replaces --url. Default: one database from --url or the PG* variables.")
    List<String> databases = new ArrayList<>();

    @Option(
            names = "--policy",
            paramLabel = "LEVEL",
            converter = AgentOptions.PolicyConverter.class,
            description = "read-only, balanced or permissive. Default: read-only.")
    @Nullable
    PolicyLevel policy;

    @Option(
            names = "--audit",
            paramLabel = "FILE",
            description = "Append the audit trail to FILE, one JSON object a line. Default: none.")
    @Nullable
    Path audit;

    @Option(names = "--transport", paramLabel = "KIND", description = "stdio or http. Default: stdio.")
    String transport = "stdio";

    @Option(names = "--port", paramLabel = "N", description = "HTTP: the port; 0 for any free one. Default: 8765.")
    int port = 8765;

    @Option(names = "--bind", paramLabel = "ADDR", description = "HTTP: the address. Default: 127.0.0.1.")
    String bind = "127.0.0.1";

    @Option(
            names = "--token",
            paramLabel = "SECRET",
            description = "HTTP: a bearer token named 'default' (prefer PGAGENT_MCP_TOKEN or --token-file: a flag"
                    + " shows in the process list).")
    @Nullable
    String token;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "HTTP: tokens as JSON, {\"tokens\": [{\"name\", \"token\", \"policy\", \"databases\"}]};"
                    + " a token's policy and databases limit what it may do.")
    @Nullable
    Path tokenFile;

    @Option(
            names = "--allow-origin",
            paramLabel = "ORIGIN",
            description = "HTTP: also accept this Origin (scheme://host:port, or :* for any port). Default: loopback"
                    + " origins only.")
    List<String> origins = new ArrayList<>();

    @Option(
            names = "--allow-host",
            paramLabel = "HOST",
            description = "HTTP: also accept this Host header (name:port). Default: loopback names with the port.")
    List<String> hosts = new ArrayList<>();

    @Option(
            names = "--max-request-bytes",
            paramLabel = "N",
            description = "HTTP: the largest request body. Default: 1048576.")
    int maxRequestBytes = 1 << 20;

    @Option(
            names = "--rate-limit",
            paramLabel = "N",
            description = "HTTP: requests per second per token, on average. Default: 20.")
    int rateLimit = 20;

    @Option(
            names = "--burst",
            paramLabel = "N",
            description = "HTTP: requests a token may make at once above the rate. Default: 200.")
    int burst = 200;

    McpCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Configs.apply(cli, database, null, null);
        String kind = transport.strip().toLowerCase(Locale.ROOT);
        if (!kind.equals("stdio") && !kind.equals("http")) {
            throw new UserException("--transport must be stdio or http but was '" + transport + "'");
        }
        PolicyLevel level = policy == null ? PolicyLevel.READ_ONLY : policy;
        Map<String, PostgresDatabase> dbs = databases();
        McpConfirmations confirmations = McpConfirmations.create();
        AuditSink sink = audit == null ? null : AuditSinks.jsonLines(audit);
        PostgresAgent agent = agent(level, dbs, confirmations, sink);
        try (PgAgentMcpServer server = PgAgentMcpServer.builder()
                .agent(agent)
                .confirmations(confirmations)
                .build()) {
            if (kind.equals("stdio")) {
                server.serveStdio(cli.in, cli.out);
                return 0;
            }
            McpHttpOptions.Builder options = McpHttpOptions.builder()
                    .bind(bind)
                    .port(port)
                    .maxRequestBytes(maxRequestBytes)
                    .rateLimit(rateLimit, burst);
            origins.forEach(options::allowOrigin);
            hosts.forEach(options::allowHost);
            for (McpToken t : tokens(level, dbs, confirmations, sink)) {
                options.addToken(t);
            }
            McpHttpOptions built;
            try {
                built = options.build();
            } catch (IllegalStateException e) {
                throw new UserException(
                        "--transport http needs a token: set PGAGENT_MCP_TOKEN, or give --token-file" + " or --token");
            }
            McpHttpServer http = server.serveHttp(built);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                http.close();
                                stopped.countDown();
                            },
                            "pg-agent-mcp-shutdown"));
            cli.err.println("pg-agent mcp: listening on " + http.endpoint() + " (policy "
                    + AgentOptions.name(level) + ", databases " + String.join(", ", dbs.keySet()) + ", tokens "
                    + String.join(
                            ", ", built.tokens().stream().map(McpToken::name).toList()) + ")");
            cli.err.flush();
            stopped.await();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            agent.close();
        }
    }

    private Map<String, PostgresDatabase> databases() {
        Map<String, PostgresDatabase> out = new LinkedHashMap<>();
        dev.pgagent.config.DatabaseProfile selected = database.profile();
        if (databases.isEmpty() && selected != null && database.config != null) {
            // every profile of the configuration file, by its name, the selected one first
            out.put(selected.name(), DatabaseOptions.database(cli, selected));
            for (dev.pgagent.config.DatabaseProfile p : database.config.databases()) {
                out.putIfAbsent(p.name(), DatabaseOptions.database(cli, p));
            }
            return out;
        }
        if (databases.isEmpty()) {
            out.put("default", database.database(cli));
            return out;
        }
        if (database.hasUrl()) {
            throw new UserException("give the database either with --url or with --database, not both");
        }
        for (String d : databases) {
            int eq = d.indexOf('=');
            String name = eq < 0 ? "" : d.substring(0, eq).strip();
            if (!name.matches("[A-Za-z][A-Za-z0-9_-]{0,62}")) {
                throw new UserException("--database must be NAME=URL with a name of letters, digits, '_' or '-' but"
                        + " was '" + DatabaseOptions.describe(d) + "'");
            }
            DatabaseOptions o = new DatabaseOptions();
            o.url = d.substring(eq + 1).strip();
            o.user = database.user;
            o.password = database.password;
            if (out.put(name, PostgresDatabase.of(o.dataSource(cli))) != null) {
                throw new UserException("--database names must be unique but '" + name + "' was given twice");
            }
        }
        return out;
    }

    private static PostgresAgent agent(
            PolicyLevel level,
            Map<String, PostgresDatabase> dbs,
            McpConfirmations confirmations,
            @Nullable AuditSink sink) {
        SafetyPolicy p = level == PolicyLevel.READ_ONLY
                ? SafetyPolicy.READ_ONLY
                : SafetyPolicy.builder().level(level).build();
        PostgresAgent.Builder b = PostgresAgent.builder()
                .llm(PgAgentMcpServer.noModel())
                .policy(p)
                .confirmationHandler(confirmations);
        if (sink != null) {
            b.addAuditSink(sink);
        }
        if (dbs.size() == 1 && dbs.containsKey("default")) {
            // the same validator 'pg-agent check' uses, so both give the same verdicts
            b.database(dbs.get("default")).safetyValidator(JSqlParserSafetyValidator.of(p));
        } else {
            dbs.forEach((name, db) ->
                    b.addDatabase(AgentDatabase.builder(name).database(db).build()));
        }
        return b.build();
    }

    private List<McpToken> tokens(
            PolicyLevel level,
            Map<String, PostgresDatabase> dbs,
            McpConfirmations confirmations,
            @Nullable AuditSink sink) {
        List<McpTokenConfig> configs = new ArrayList<>();
        String secret = token != null ? token : cli.env("PGAGENT_MCP_TOKEN");
        if (secret != null) {
            cli.addSecret(secret);
            configs.add(new McpTokenConfig("default", secret, null, List.of()));
        }
        if (tokenFile != null) {
            if (!Files.isRegularFile(tokenFile)) {
                throw new UserException("--token-file " + tokenFile + " is not a readable file");
            }
            try {
                configs.addAll(McpTokenConfig.read(tokenFile));
            } catch (ConfigurationException e) {
                throw new UserException(e.getMessage());
            }
            warnIfOthersCanRead(tokenFile);
        }
        List<McpToken> out = new ArrayList<>();
        List<String> names = List.copyOf(dbs.keySet());
        for (McpTokenConfig c : configs) {
            cli.addSecret(c.secret());
            McpToken t;
            try {
                t = c.token();
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage());
            }
            if (c.isLimited(level, names)) {
                PolicyLevel l = c.policy() == null || c.policy().compareTo(level) > 0 ? level : c.policy();
                Map<String, PostgresDatabase> mine = new LinkedHashMap<>();
                for (String n : c.databases().isEmpty() ? names : c.databases()) {
                    PostgresDatabase db = dbs.get(n);
                    if (db == null) {
                        throw new UserException("token '" + c.name() + "' names the database '" + n
                                + "', which is not served; the databases are " + String.join(", ", names));
                    }
                    mine.put(n, db);
                }
                t = t.withAgent(agent(l, mine, confirmations, sink));
            }
            out.add(t);
        }
        return out;
    }

    private void warnIfOthersCanRead(Path file) {
        try {
            var perms = Files.getPosixFilePermissions(file);
            if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)
                    || perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)) {
                cli.err.println("pg-agent mcp: warning: " + file + " can be read by other users; chmod 600 it");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
    }
}
