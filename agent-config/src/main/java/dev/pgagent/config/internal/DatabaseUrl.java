package dev.pgagent.config.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A database URL taken apart: a {@code jdbc:postgresql://host:port/db?params} URL or a libpq
 * {@code postgresql://user:password@host:port/db?params} URI. {@link #jdbcUrl()} is the JDBC form without the
 * password; the password, if the URL had one, is only in {@link #password()}. {@link #toString()} never shows it.
 */
public final class DatabaseUrl {
    private static final Pattern USERINFO_PASSWORD = Pattern.compile("://([^/@?:]*):([^@/?]*)@");
    private static final Pattern PARAM_PASSWORD = Pattern.compile("(?i)[?&]password=([^&]*)");

    private final String jdbcUrl;
    private final String host;
    private final int port;
    private final String database;
    private final @Nullable String user;
    private final @Nullable String password;

    private DatabaseUrl(
            String jdbcUrl, String host, int port, String database, @Nullable String user, @Nullable String password) {
        this.jdbcUrl = jdbcUrl;
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
    }

    /**
     * Takes {@code url} apart.
     *
     * @throws IllegalArgumentException if it is not a PostgreSQL JDBC URL or URI; the message never holds the URL
     */
    public static DatabaseUrl parse(String url) {
        Objects.requireNonNull(url, "url == null");
        String rest;
        boolean uri;
        if (url.startsWith("jdbc:postgresql:")) {
            rest = url.substring("jdbc:postgresql:".length());
            uri = false;
        } else if (url.startsWith("postgresql:") || url.startsWith("postgres:")) {
            rest = url.substring(url.indexOf(':') + 1);
            uri = true;
        } else {
            throw new IllegalArgumentException("must start with jdbc:postgresql: or postgresql://");
        }
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String authority = "";
        String path = rest;
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            authority = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
            path = slash < 0 ? "" : rest.substring(slash + 1);
        } else if (uri) {
            throw new IllegalArgumentException("must be postgresql://[user[:password]@]host[:port]/database");
        }
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String info = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        String firstHost = authority.isEmpty() ? "localhost" : authority.split(",", -1)[0];
        String host = firstHost;
        int port = 5432;
        if (firstHost.startsWith("[")) {
            int close = firstHost.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("has an unclosed [ in its host");
            }
            host = firstHost.substring(1, close);
            String after = firstHost.substring(close + 1);
            if (after.startsWith(":")) {
                port = port(after.substring(1));
            }
        } else {
            int colon = firstHost.lastIndexOf(':');
            if (colon >= 0) {
                host = firstHost.substring(0, colon);
                port = port(firstHost.substring(colon + 1));
            }
        }
        if (host.isEmpty()) {
            host = "localhost";
        }
        List<String> kept = new ArrayList<>();
        for (String param : query.isEmpty() ? new String[0] : query.split("&")) {
            int eq = param.indexOf('=');
            String name = eq < 0 ? param : param.substring(0, eq);
            String value = eq < 0 ? "" : decode(param.substring(eq + 1));
            if (name.equalsIgnoreCase("password")) {
                password = value;
                continue;
            }
            if (name.equalsIgnoreCase("user")) {
                user = value;
            }
            kept.add(param);
        }
        String database = decode(path);
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql:");
        if (rest.startsWith("//")) {
            jdbc.append("//")
                    .append(authority.isEmpty() ? "localhost" : authority)
                    .append('/');
        }
        jdbc.append(path);
        if (!kept.isEmpty()) {
            jdbc.append('?').append(String.join("&", kept));
        }
        return new DatabaseUrl(
                jdbc.toString(),
                host,
                port,
                database,
                user == null || user.isEmpty() ? null : user,
                password == null || password.isEmpty() ? null : password);
    }

    private static int port(String text) {
        try {
            int p = Integer.parseInt(text);
            if (p < 1 || p > 65_535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("has a port that is not a number from 1 to 65535", e);
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /**
     * Returns the password part of {@code raw}, the URL as written before {@code ${}} expansion (user info or a
     * {@code password=} parameter), or null when it has none.
     */
    public static @Nullable String rawPassword(String raw) {
        Matcher m = USERINFO_PASSWORD.matcher(raw);
        if (m.find() && !m.group(2).isEmpty()) {
            return m.group(2);
        }
        Matcher p = PARAM_PASSWORD.matcher(raw);
        return p.find() && !p.group(1).isEmpty() ? p.group(1) : null;
    }

    /** Returns {@code url} with any password replaced by {@code ***}, for messages and display. */
    public static String redact(String url) {
        String s = USERINFO_PASSWORD.matcher(url).replaceAll("://$1:***@");
        return s.replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    }

    /** Returns the JDBC URL, without the password. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** Returns the first host. */
    public String host() {
        return host;
    }

    /** Returns the first host's port. */
    public int port() {
        return port;
    }

    /** Returns the database name; empty when the URL names none. */
    public String database() {
        return database;
    }

    /** Returns the user the URL names, or null. */
    public @Nullable String user() {
        return user;
    }

    /** Returns the password the URL holds, or null. */
    public @Nullable String password() {
        return password;
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + jdbcUrl + "]";
    }
}
