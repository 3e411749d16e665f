package dev.pgagent.cli;

import dev.pgagent.db.postgres.PgDataSources;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The options that say which database to use; a picocli mixin shared by the commands that need one. */
final class DatabaseOptions {
    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "The database, as a JDBC URL (jdbc:postgresql://host:5432/db) or a "
                    + "postgresql://user@host:5432/db URI. Default: the libpq variables PGHOST (localhost), "
                    + "PGPORT (5432), PGDATABASE, PGUSER, PGPASSWORD, or DATABASE_URL.")
    @Nullable String url;

    @Option(names = "--user", paramLabel = "NAME", description = "The database user. Default: PGUSER.")
    @Nullable String user;

    @Option(
            names = "--password",
            paramLabel = "PASSWORD",
            description = "The database password. Default: PGPASSWORD (preferred: a flag shows in the process list).")
    @Nullable String password;

    /** Returns whether a URL was given. */
    boolean hasUrl() {
        return url != null;
    }

    /** Returns the data source the options and the environment describe. */
    DataSource dataSource(Cli cli) {
        cli.addSecret(password);
        String u = url;
        if (u == null) {
            return PgDataSources.fromEnvironment(cli.env);
        }
        String pw = password != null ? password : cli.env("PGPASSWORD");
        String name = user != null ? user : cli.env("PGUSER");
        if (u.startsWith("postgresql://") || u.startsWith("postgres://")) {
            secretOfUri(u, cli);
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
        return PgDataSources.fromUrl(u, name, pw);
    }

    /** Returns the URL with any password replaced, for messages. */
    static String describe(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1****").replaceAll("(://[^:/@]+:)[^@/]*@", "$1****@");
    }

    private static void secretOfUri(String uri, Cli cli) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("://[^:/@]+:([^@/]*)@").matcher(uri);
        if (m.find()) {
            cli.addSecret(m.group(1));
        }
    }

    private static void secretOfJdbcUrl(String url, Cli cli) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)password=([^&]*)").matcher(url);
        while (m.find()) {
            cli.addSecret(m.group(1));
        }
    }
}
