package dev.pgagent.cli;

import dev.pgagent.db.postgres.PgDataSources;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The options that say which database to use; a picocli mixin shared by the commands that need one. */
final class DatabaseOptions {
    /** Seconds to wait for a connection when PGCONNECT_TIMEOUT is not set. */
    static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

    /** The variables that name a database when there is no --url (PGPASSWORD alone names none). */
    private static final List<String> NAMING_VARIABLES =
            List.of("DATABASE_URL", "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER");

    static final String HOW_TO_NAME = "pass --url (jdbc:postgresql://host:5432/db or postgresql://user@host/db), or"
            + " set PGHOST, PGPORT, PGDATABASE and PGUSER (PGPASSWORD), or DATABASE_URL";

    private static final Pattern URI_AUTHORITY = Pattern.compile("^(?:postgres(?:ql)?|jdbc:postgresql)://([^/?#]*)");

    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "The database, as a JDBC URL (jdbc:postgresql://host:5432/db) or a "
                    + "postgresql://user@host:5432/db URI. Default: the libpq variables PGHOST (localhost), "
                    + "PGPORT (5432), PGDATABASE, PGUSER, PGPASSWORD, or DATABASE_URL; one of them must be set."
                    + " PGCONNECT_TIMEOUT: seconds to wait for the connection (default "
                    + DEFAULT_CONNECT_TIMEOUT_SECONDS + "; 0 waits as long as it takes).")
    @Nullable
    String url;

    @Option(names = "--user", paramLabel = "NAME", description = "The database user. Default: PGUSER.")
    @Nullable
    String user;

    @Option(
            names = "--password",
            paramLabel = "PASSWORD",
            description = "The database password. Default: PGPASSWORD (preferred: a flag shows in the process list).")
    @Nullable
    String password;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "The configuration file. Default: PGAGENT_CONFIG, else ./pgagent.yaml, else "
                    + "$XDG_CONFIG_HOME/pgagent/config.yaml or ~/.config/pgagent/config.yaml, if one exists.")
    java.nio.file.@Nullable Path configFile;

    @Option(
            names = "--profile",
            paramLabel = "NAME",
            description = "The database profile of the configuration file to use. Default: PGAGENT_PROFILE, else the"
                    + " file's 'default', else its first profile.")
    @Nullable
    String profile;

    /** The configuration, once {@link Configs#apply} found a file; null otherwise. */
    dev.pgagent.config.@Nullable AgentConfig config;

    /** Whether {@link Configs#apply} ran for these options. */
    boolean configApplied;

    /** Watches the configuration file, once {@link Configs#apply} found one; null otherwise. */
    dev.pgagent.config.@Nullable ConfigWatcher watcher;

    /** Returns the selected profile when a configuration file is in use and no --url replaces it, else null. */
    dev.pgagent.config.@Nullable DatabaseProfile profile() {
        dev.pgagent.config.AgentConfig c = config;
        return c == null || url != null ? null : c.database();
    }

    /**
     * Returns the data source of {@code p}, with the connect timeout set: a pool of this run (see {@link Pools}),
     * closed when the command ends.
     */
    static DataSource dataSource(Cli cli, dev.pgagent.config.DatabaseProfile p) {
        String pw = p.password().map(dev.pgagent.config.Secret::reveal).orElse(null);
        cli.addSecret(pw);
        DataSource ds = PgDataSources.fromUrl(p.jdbcUrl(), p.user(), pw);
        int timeout = connectTimeoutSeconds(cli);
        try {
            ds.setLoginTimeout(timeout);
        } catch (SQLException e) {
            // the driver keeps its own default
        }
        return cli.pools.pool(ds, cli.pools.maxSize(cli), timeout, p.name());
    }

    /** Returns whether a URL was given. */
    boolean hasUrl() {
        return url != null;
    }

    /**
     * Returns the data source the options and the environment describe, with the connect timeout set: a pool of this
     * run (see {@link Pools}), closed when the command ends.
     *
     * @throws UserException if no database is named, or the URL is malformed (exit status 2)
     */
    DataSource dataSource(Cli cli) {
        cli.addSecret(password);
        if (!configApplied && url == null) {
            // a command that did not load the configuration itself still connects to the file's profile
            Configs.apply(cli, this, null, null);
        }
        dev.pgagent.config.DatabaseProfile p = profile();
        if (p != null) {
            return dataSource(cli, p);
        }
        int timeout = connectTimeoutSeconds(cli);
        DataSource ds = unlimited(cli);
        try {
            ds.setLoginTimeout(timeout);
        } catch (SQLException e) {
            // the driver keeps its own default
        }
        return cli.pools.pool(ds, cli.pools.maxSize(cli), timeout, null);
    }

    private DataSource unlimited(Cli cli) {
        String u = url;
        if (u == null) {
            if (NAMING_VARIABLES.stream().noneMatch(name -> cli.env(name) != null)) {
                throw new UserException("no database named: " + HOW_TO_NAME);
            }
            String databaseUrl = cli.env("DATABASE_URL");
            if (databaseUrl != null) {
                secretOfUri(databaseUrl, cli);
                checkPorts(databaseUrl.strip(), "DATABASE_URL");
            }
            return PgDataSources.fromEnvironment(cli.env);
        }
        String pw = password != null ? password : cli.env("PGPASSWORD");
        String name = user != null ? user : cli.env("PGUSER");
        if (u.startsWith("postgresql://") || u.startsWith("postgres://")) {
            secretOfUri(u, cli);
            checkPorts(u, "--url");
            Map<String, String> env = new java.util.HashMap<>(cli.env);
            env.put("DATABASE_URL", u);
            if (name != null) {
                env.put("PGUSER", name);
            }
            if (pw != null) {
                env.put("PGPASSWORD", pw);
            }
            return PgDataSources.fromEnvironment(env);
        }
        if (!u.startsWith("jdbc:postgresql:")) {
            throw new UserException("--url must be a JDBC URL such as jdbc:postgresql://localhost:5432/mydb"
                    + " or a postgresql:// URI, but was " + describe(u));
        }
        secretOfJdbcUrl(u, cli);
        checkPorts(u, "--url");
        return PgDataSources.fromUrl(u, name, pw);
    }

    /**
     * Returns the seconds to wait for a connection: PGCONNECT_TIMEOUT (as libpq reads it; 0 or less waits without
     * limit), else {@value #DEFAULT_CONNECT_TIMEOUT_SECONDS}.
     */
    static int connectTimeoutSeconds(Cli cli) {
        String v = cli.env("PGCONNECT_TIMEOUT");
        if (v == null) {
            return DEFAULT_CONNECT_TIMEOUT_SECONDS;
        }
        try {
            return Math.max(0, Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
            throw new UserException("PGCONNECT_TIMEOUT must be a number of seconds but was '" + v + "'");
        }
    }

    /**
     * Checks the ports of a URL or URI ({@code host:port}, several separated by commas) before the driver reads it:
     * the driver logs a warning of its own for a bad port and a URI parser takes it for no port at all (5432).
     */
    static void checkPorts(String url, String what) {
        Matcher m = URI_AUTHORITY.matcher(url);
        if (!m.find()) {
            return;
        }
        String authority = m.group(1);
        int at = authority.lastIndexOf('@');
        String hosts = at < 0 ? authority : authority.substring(at + 1);
        for (String host : hosts.split(",", -1)) {
            int close = host.lastIndexOf(']');
            int colon = host.indexOf(':', close < 0 ? 0 : close);
            if (close < 0 && host.indexOf(':') != host.lastIndexOf(':')) {
                continue; // a bare IPv6 address, which the driver and the URI parser reject on their own
            }
            if (colon >= 0) {
                String port = host.substring(colon + 1);
                if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                    throw new UserException(what + " has an invalid port '" + port + "' (a port is a number"
                            + " 1-65535): " + describe(url));
                }
            }
        }
    }

    /** Returns the URL with any password replaced, for messages. */
    static String describe(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1****").replaceAll("(://[^:/@]+:)[^@/]*@", "$1****@");
    }

    private static void secretOfUri(String uri, Cli cli) {
        Matcher m = Pattern.compile("://[^:/@]+:([^@/]*)@").matcher(uri);
        if (m.find()) {
            cli.addSecret(m.group(1));
        }
    }

    private static void secretOfJdbcUrl(String url, Cli cli) {
        Matcher m = Pattern.compile("(?i)password=([^&]*)").matcher(url);
        while (m.find()) {
            cli.addSecret(m.group(1));
        }
    }

    // ---------------------------------------------------------------- read replicas

    /**
     * Returns the database the options describe ({@link #dataSource(Cli)}), with the selected profile's read replica
     * and maxReplicaLag when a profile is in use and names one.
     */
    dev.pgagent.db.postgres.PostgresDatabase database(Cli cli) {
        DataSource primary = dataSource(cli);
        dev.pgagent.config.DatabaseProfile p = profile();
        return p == null ? dev.pgagent.db.postgres.PostgresDatabase.of(primary) : database(cli, p, primary);
    }

    /** Returns the database of {@code p}: its data source, and its read replica when it names one. */
    static dev.pgagent.db.postgres.PostgresDatabase database(Cli cli, dev.pgagent.config.DatabaseProfile p) {
        return database(cli, p, dataSource(cli, p));
    }

    private static dev.pgagent.db.postgres.PostgresDatabase database(
            Cli cli, dev.pgagent.config.DatabaseProfile p, DataSource primary) {
        dev.pgagent.db.postgres.PostgresDatabase.Builder b =
                dev.pgagent.db.postgres.PostgresDatabase.builder().dataSource(primary);
        DataSource replica = replicaDataSource(cli, p);
        if (replica != null) {
            b.readReplica(replica).maxReplicaLag(p.maxReplicaLag());
        }
        return b.build();
    }

    /**
     * Returns the data source of {@code p}'s read replica (the profile's user and password, the same connect
     * timeout and pool size as {@link #dataSource(Cli, dev.pgagent.config.DatabaseProfile)}), or null when it names none.
     */
    static @Nullable DataSource replicaDataSource(Cli cli, dev.pgagent.config.DatabaseProfile p) {
        String url = p.readReplicaUrl().orElse(null);
        if (url == null) {
            return null;
        }
        String pw = p.password().map(dev.pgagent.config.Secret::reveal).orElse(null);
        cli.addSecret(pw);
        DataSource ds = PgDataSources.fromUrl(url, p.user(), pw);
        int timeout = connectTimeoutSeconds(cli);
        try {
            ds.setLoginTimeout(timeout);
        } catch (SQLException e) {
            // the driver keeps its own default
        }
        return cli.pools.pool(ds, cli.pools.maxSize(cli), timeout, p.name() + "-replica");
    }
}
