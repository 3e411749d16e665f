package dev.pgagent.cli;

import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.db.postgres.PostgresHistoryStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Where asks are recorded and read back: a PostgreSQL history (any database, the one asked included), in a schema
 * of its own; a picocli mixin. Off unless {@code --history} or {@code PGAGENT_HISTORY_URL} names one.
 */
final class HistoryOptions {
    @Option(
            names = "--history",
            paramLabel = "URL",
            description = "Record each ask in a PostgreSQL history at URL (a JDBC URL or a postgresql:// URI; it may be"
                    + " the database asked; the user and password default to PGUSER and PGPASSWORD). The tables are"
                    + " created on first use. Default: PGAGENT_HISTORY_URL, else no history.")
    @Nullable
    String url;

    @Option(
            names = "--history-schema",
            paramLabel = "NAME",
            description = "The schema of the history tables. Default: PGAGENT_HISTORY_SCHEMA, else pgagent.")
    @Nullable
    String schema;

    /** Returns the history store the options and the environment name, or null for none. */
    @Nullable
    PostgresHistoryStore store(Cli cli) {
        String u = url != null ? url : cli.env("PGAGENT_HISTORY_URL");
        if (u == null) {
            return null;
        }
        DatabaseOptions where = new DatabaseOptions();
        where.url = u;
        String s = schema != null ? schema : cli.env("PGAGENT_HISTORY_SCHEMA");
        try {
            PostgresHistoryStore.Builder b = PostgresHistoryStore.builder().dataSource(where.dataSource(cli));
            if (s != null) {
                b.schema(s);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UserException("--history-schema: " + e.getMessage());
        }
    }

    /**
     * Returns the history store.
     *
     * @throws UserException if none is configured
     */
    PostgresHistoryStore require(Cli cli) {
        PostgresHistoryStore store = store(cli);
        if (store == null) {
            throw new UserException("no history is configured: give --history URL or set PGAGENT_HISTORY_URL (a"
                    + " PostgreSQL database where pg-agent keeps its history, in schema pgagent)");
        }
        return store;
    }

    /**
     * Returns what to add to an agent's builder so that it records its asks on {@code db}: the store, the user
     * running pg-agent as who asked, and the database's name as the name of its examples (so that the examples of
     * one database are never shown for another).
     */
    Consumer<PostgresAgent.Builder> configure(Cli cli, PostgresDatabase db) {
        PostgresHistoryStore store = store(cli);
        if (store == null) {
            return b -> {};
        }
        String who = user(cli);
        String name = databaseName(db);
        return b -> b.historyStore(store).historyPrincipal(session -> who).defaultDatabaseName(name);
    }

    /** Returns who runs pg-agent: PGAGENT_USER, else the operating system's user name. */
    static String user(Cli cli) {
        String u = cli.env("PGAGENT_USER");
        return u != null ? u : System.getProperty("user.name", "pg-agent");
    }

    /** Returns a name for the database: its own name, as an agent database name allows. */
    static String databaseName(PostgresDatabase db) {
        String name;
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            name = rs.getString(1);
        } catch (SQLException e) {
            throw new dev.pgagent.api.DatabaseException(
                    "cannot read the database's name: " + e.getMessage(), e.getSQLState(), e);
        }
        String clean = name.replaceAll("[^A-Za-z0-9_-]", "_");
        clean = clean.isEmpty() || !Character.isLetter(clean.charAt(0)) ? "db_" + clean : clean;
        return clean.length() > 63 ? clean.substring(0, 63) : clean;
    }
}
