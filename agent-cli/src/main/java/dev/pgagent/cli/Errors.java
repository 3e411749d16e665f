package dev.pgagent.cli;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.ConfigurationException;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.PgAgentException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Turns an exception into the one line a user reads on standard error. */
final class Errors {
    private Errors() {}

    /** Returns a one-line description of {@code e}, without secrets. */
    static String describe(Throwable e, Cli cli) {
        int timeout;
        try {
            timeout = DatabaseOptions.connectTimeoutSeconds(cli);
        } catch (UserException bad) {
            timeout = DatabaseOptions.DEFAULT_CONNECT_TIMEOUT_SECONDS;
        }
        return cli.scrub(oneLine(describe(e, timeout)));
    }

    private static String describe(Throwable e, int connectTimeout) {
        if (e instanceof UserException || e instanceof ConfigurationException || e instanceof CancelledException) {
            return text(e);
        }
        if (e instanceof DatabaseException db) {
            return database(db, connectTimeout);
        }
        if (e instanceof LlmException) {
            return "the model call failed: " + text(e);
        }
        if (e instanceof SQLException sql) {
            return sqlMessage(driverFailure(sql));
        }
        if (e instanceof PgAgentException) {
            return text(e);
        }
        if (e instanceof java.io.UncheckedIOException || e instanceof java.io.IOException) {
            return "I/O error: " + text(e);
        }
        return "unexpected error (" + e.getClass().getSimpleName() + "): " + text(e)
                + " (run again with --debug for details)";
    }

    private static String database(DatabaseException e, int connectTimeout) {
        SQLException found = find(e, SQLException.class);
        SQLException sql = found == null ? null : driverFailure(found);
        String state = e.sqlState().orElse(sql == null ? null : sql.getSQLState());
        String message = text(e);
        if (state != null && state.startsWith("08") && timedOut(e)) {
            // the driver says only "The connection attempt failed." or "Connection attempt timed out."
            return "cannot connect to the database: the connection attempt timed out after " + connectTimeout
                    + " s with no answer from the server (PGCONNECT_TIMEOUT sets how long to wait)";
        }
        if (state != null && (state.startsWith("08") || state.startsWith("28") || state.equals("3D000"))) {
            // connection-level failures: the driver's text is the clear one
            String driver = sql == null ? message : sqlMessage(sql);
            return "cannot connect to the database: " + driver;
        }
        return "database error: " + message;
    }

    private static boolean timedOut(Throwable e) {
        if (find(e, java.net.SocketTimeoutException.class) != null) {
            return true;
        }
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("Connection attempt timed out")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the driver's failure a pool's "connection not available" carries (the server cannot be reached, the
     * password is wrong), so that the user reads what they would without a pool; else {@code e}.
     */
    static SQLException driverFailure(SQLException e) {
        SQLException s = e;
        while (s instanceof java.sql.SQLTransientConnectionException && s.getCause() instanceof SQLException cause) {
            s = cause;
        }
        return s;
    }

    private static String sqlMessage(SQLException e) {
        String message = text(e);
        UnknownHostException host = find(e, UnknownHostException.class);
        if (host != null) {
            return message + " (unknown host " + host.getMessage() + ")";
        }
        ConnectException connect = find(e, ConnectException.class);
        if (connect != null && !message.contains("refused")) {
            return message + " (" + connect.getMessage() + ")";
        }
        return message;
    }

    private static String text(Throwable e) {
        String m = e.getMessage();
        if (m != null && !m.isBlank()) {
            return m;
        }
        Throwable cause = e.getCause();
        return cause == null || cause == e
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + " caused by "
                        + cause.getClass().getSimpleName() + ": " + text(cause);
    }

    static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    private static <T extends Throwable> @Nullable T find(Throwable e, Class<T> type) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
