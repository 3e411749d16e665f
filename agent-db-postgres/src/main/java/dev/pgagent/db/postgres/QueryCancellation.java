package dev.pgagent.db.postgres;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels running statements from another thread. Pass one to every {@link PostgresDatabase} call of an ask (or
 * create one per call); {@link #cancel()} cancels, on the server, whichever statement is running under it at that
 * moment, and any statement started under it afterwards fails at once with a
 * {@link dev.pgagent.api.CancelledException}. Cancellation is permanent. Thread-safe.
 */
public final class QueryCancellation {
    private static final Logger LOG = LoggerFactory.getLogger(QueryCancellation.class);

    private final Set<Statement> running = ConcurrentHashMap.newKeySet();
    private final Set<Runnable> cancellers = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    /** Creates a cancellation that has not fired. */
    public QueryCancellation() {}

    /**
     * Cancels: marks this cancellation as fired and asks the server to cancel every statement running under it
     * ({@link Statement#cancel()}, which sends a cancel request on a separate connection). Idempotent.
     */
    public void cancel() {
        cancelled = true;
        for (Statement st : running) {
            cancelStatement(st);
        }
        for (Runnable r : cancellers) {
            runCanceller(r);
        }
    }

    /** Returns whether {@link #cancel()} was called. */
    public boolean isCancelled() {
        return cancelled;
    }

    /** Registers a statement about to run; cancels it at once if this cancellation already fired. */
    void register(Statement statement) {
        running.add(statement);
        if (cancelled) {
            cancelStatement(statement);
        }
    }

    /** Unregisters a statement that finished. */
    void unregister(Statement statement) {
        running.remove(statement);
    }

    /**
     * Registers work that runs without a {@link Statement} (a {@code COPY}), cancelled by {@code canceller}; runs it
     * at once if this cancellation already fired.
     */
    void register(Runnable canceller) {
        cancellers.add(canceller);
        if (cancelled) {
            runCanceller(canceller);
        }
    }

    /** Unregisters work registered with {@link #register(Runnable)}. */
    void unregister(Runnable canceller) {
        cancellers.remove(canceller);
    }

    static void runCanceller(Runnable canceller) {
        try {
            canceller.run();
        } catch (RuntimeException e) {
            LOG.warn("Could not send a cancel request: {}", e.getMessage());
        }
    }

    static void cancelStatement(Statement st) {
        try {
            st.cancel();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Could not send a cancel request: {}", e.getMessage());
        }
    }

    /** Sends a cancel request for whatever runs on the statement's connection; pgjdbc sends it every time. */
    static void cancelConnection(Statement st) {
        try {
            st.getConnection().unwrap(org.postgresql.PGConnection.class).cancelQuery();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Could not send a cancel request on the connection: {}", e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "QueryCancellation{cancelled=" + cancelled + ", running=" + (running.size() + cancellers.size()) + '}';
    }
}
