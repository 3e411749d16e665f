package dev.pgagent.db.postgres;

import dev.pgagent.api.ConfigurationException;
import dev.pgagent.db.postgres.internal.CredentialDataSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Builds simple (non-pooling) data sources for PostgreSQL from a JDBC URL or from libpq-style settings. A host with
 * its own pool passes that pool to {@link PostgresDatabase#of(DataSource)} instead. The returned data sources never
 * show the password in {@code toString()}, and configuration errors never include it.
 *
 * <pre>{@code
 * DataSource ds = PgDataSources.fromEnvironment(System.getenv());
 * DataSource other = PgDataSources.fromUrl("jdbc:postgresql://db:5432/shop", "reader", secret);
 * }</pre>
 */
public final class PgDataSources {
    private PgDataSources() {}

    /**
     * Returns a data source for {@code jdbcUrl} ({@code jdbc:postgresql://host:port/database?...}).
     *
     * @param user the user, or null to use the URL's (or the driver's default)
     * @param password the password, or null for none (or the URL's)
     * @throws ConfigurationException if the URL is not a PostgreSQL JDBC URL
     */
    public static DataSource fromUrl(String jdbcUrl, @Nullable String user, @Nullable String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl == null");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigurationException("jdbcUrl must start with jdbc:postgresql: but was " + redactUrl(jdbcUrl));
        }
        checkJdbcPorts(jdbcUrl);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        try {
            ds.setUrl(jdbcUrl);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("jdbcUrl is not a valid PostgreSQL JDBC URL: " + redactUrl(jdbcUrl), null);
        }
        if (user != null) {
            ds.setUser(user);
        }
        if (password != null) {
            ds.setPassword(password);
        }
        return wrap(ds);
    }

    /**
     * Returns a data source from libpq-style environment settings. If {@code DATABASE_URL} is set to a URI
     * {@code postgresql://user:password@host:port/database?param=value} (or {@code postgres://}), it is used;
     * otherwise {@code PGHOST} (default {@code localhost}), {@code PGPORT} (default 5432), {@code PGUSER} (default:
     * the operating-system user), {@code PGPASSWORD} (default: none), {@code PGDATABASE} (default: the user name)
     * and {@code PGSSLMODE} (default: the driver's). Pass {@code System.getenv()} or a map of your own.
     *
     * @throws ConfigurationException if a setting is invalid; the message never contains the password
     */
    public static DataSource fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env == null");
        String databaseUrl = env.get("DATABASE_URL");
        if (databaseUrl != null && !databaseUrl.isBlank()) {
            return fromUri(databaseUrl.strip());
        }
        String host = nonBlank(env.get("PGHOST"), "localhost");
        String port = nonBlank(env.get("PGPORT"), "5432");
        String user = nonBlank(env.get("PGUSER"), System.getProperty("user.name", "postgres"));
        String database = nonBlank(env.get("PGDATABASE"), user);
        int portNumber = parsePort(port, "PGPORT");
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {host});
        ds.setPortNumbers(new int[] {portNumber});
        ds.setDatabaseName(database);
        ds.setUser(user);
        String password = env.get("PGPASSWORD");
        if (password != null) {
            ds.setPassword(password);
        }
        String sslMode = env.get("PGSSLMODE");
        if (sslMode != null && !sslMode.isBlank()) {
            ds.setSslMode(sslMode.strip());
        }
        return wrap(ds);
    }

    private static DataSource fromUri(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigurationException(
                    "DATABASE_URL must be a postgresql:// URI but was " + redactUrl(text), null);
        }
        String scheme = uri.getScheme();
        if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
            throw new ConfigurationException(
                    "DATABASE_URL must start with postgresql:// or postgres:// but was " + redactUrl(text));
        }
        if (uri.getHost() == null
                && uri.getRawAuthority() != null
                && !uri.getRawAuthority().isEmpty()) {
            // java.net.URI falls back to a registry authority when the port is not a number: say so, not 5432
            String authority = uri.getRawAuthority();
            String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
            int colon = hostPort.lastIndexOf(':');
            String port = colon < 0 ? "" : hostPort.substring(colon + 1);
            throw new ConfigurationException(
                    "DATABASE_URL has an invalid "
                            + (colon < 0 || port.isEmpty()
                                    ? "host"
                                    : "port '" + port + "' (a port is a number 1-65535)")
                            + ": " + redactUrl(text),
                    null);
        }
        String host = nonBlank(uri.getHost(), "localhost");
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new ConfigurationException(
                    "DATABASE_URL has an invalid port " + port + " (a port is a number" + " 1-65535): "
                            + redactUrl(text),
                    null);
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String jdbcUrl = "jdbc:postgresql://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                + ":" + port + "/" + database + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        PGSimpleDataSource ds = new PGSimpleDataSource();
        try {
            ds.setUrl(jdbcUrl);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("DATABASE_URL is not valid: " + redactUrl(text), null);
        }
        if (user != null && !user.isEmpty()) {
            ds.setUser(user);
        }
        if (password != null) {
            ds.setPassword(password);
        }
        return wrap(ds);
    }

    /** Rejects a port that is not a number before the driver reads the URL (it would log a warning of its own). */
    private static void checkJdbcPorts(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            return;
        }
        String rest = jdbcUrl.substring("jdbc:postgresql://".length());
        int end = rest.length();
        for (char c : new char[] {'/', '?'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        for (String host : rest.substring(0, end).split(",", -1)) {
            int close = host.lastIndexOf(']');
            int colon = host.indexOf(':', Math.max(close, 0));
            if (close < 0 && colon != host.lastIndexOf(':')) {
                continue; // a bare IPv6 address: the driver's own check applies
            }
            String port = colon < 0 ? null : host.substring(colon + 1);
            if (port != null && !port.matches("\\d{1,5}")) {
                throw new ConfigurationException(
                        "jdbcUrl has an invalid port '" + port + "' (a port is a number" + " 1-65535): "
                                + redactUrl(jdbcUrl),
                        null);
            }
        }
    }

    private static DataSource wrap(PGSimpleDataSource ds) {
        String url = redactUrl(ds.getUrl());
        String user = ds.getUser();
        return new CredentialDataSource(ds, "PgDataSource[" + url + (user == null ? "" : ", user=" + user) + "]");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static int parsePort(String port, String name) {
        try {
            int p = Integer.parseInt(port.strip());
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name + " must be a port number 1-65535 but was " + port);
        }
    }

    private static String nonBlank(@Nullable String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    /** Removes user info and password parameters from a URL, for messages and toString. */
    static String redactUrl(@Nullable String url) {
        if (url == null) {
            return "null";
        }
        String s = url.replaceAll("(?i)(://)[^/@?]*@", "$1***@");
        return s.replaceAll("(?i)(password|sslpassword)=[^&]*", "$1=***");
    }
}
