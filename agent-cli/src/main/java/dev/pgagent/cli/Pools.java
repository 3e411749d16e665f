package dev.pgagent.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The connection pools of one run of the client: every data source a command makes (from flags, the environment or
 * a profile) is a HikariCP pool over the driver's data source, made on the first connection and closed when the
 * command ends, or by a shutdown hook when the process is ended first. Thread-safe.
 */
final class Pools implements AutoCloseable {
    /** The pool size of the commands that serve many statements over time, or several at once. */
    static final int LONG_RUNNING_MAX_SIZE = 10;

    /** The pool size of the other commands, which run a few statements and end. */
    static final int ONE_SHOT_MAX_SIZE = 4;

    /** The commands that get {@link #LONG_RUNNING_MAX_SIZE}: servers, conversations, and runs of the agent. */
    static final Set<String> LONG_RUNNING = Set.of("mcp", "chat", "tui", "ask", "eval", "demo");

    /** The environment variable that sets the pool size when no configuration file does. */
    static final String MAX_SIZE_VARIABLE = "PGAGENT_POOL_MAX_SIZE";

    private static final AtomicInteger NUMBER = new AtomicInteger();
    private static final Set<Pools> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK = new AtomicBoolean();

    private final List<Pool> pools = new CopyOnWriteArrayList<>();
    private volatile String command = "tui";
    private volatile java.util.OptionalInt configured = java.util.OptionalInt.empty();
    private volatile boolean closed;

    /** Sets the command that runs, which chooses the default pool size. */
    void command(String name) {
        this.command = Objects.requireNonNull(name, "name == null");
    }

    /** Sets {@code pool.maxSize} of the configuration file (which includes {@value #MAX_SIZE_VARIABLE}). */
    void configuredMaxSize(java.util.OptionalInt maxSize) {
        this.configured = Objects.requireNonNull(maxSize, "maxSize == null");
    }

    /** Returns the default pool size of the command that runs. */
    int defaultMaxSize() {
        return LONG_RUNNING.contains(command) ? LONG_RUNNING_MAX_SIZE : ONE_SHOT_MAX_SIZE;
    }

    /**
     * Returns the pool size: the configuration file's {@code pool.maxSize}, else {@value #MAX_SIZE_VARIABLE}, else
     * the command's default.
     *
     * @throws UserException if the variable is not a number 1-1000 (exit status 2)
     */
    int maxSize(Cli cli) {
        if (configured.isPresent()) {
            return configured.getAsInt();
        }
        String v = cli.env(MAX_SIZE_VARIABLE);
        if (v == null) {
            return defaultMaxSize();
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserException(MAX_SIZE_VARIABLE + " must be a number of connections 1-1000 but was '" + v + "'");
    }

    /**
     * Returns a pool over {@code driver}: at most {@code maxSize} connections, made when asked for and closed after
     * Hikari's idle timeout, each borrow waiting at most {@code connectTimeoutSeconds} (0: without limit).
     *
     * @param label a name for the pool's threads and messages, without secrets (a profile name, or null)
     */
    DataSource pool(DataSource driver, int maxSize, int connectTimeoutSeconds, @Nullable String label) {
        if (closed) {
            throw new IllegalStateException("the pools of this run are closed");
        }
        if (HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(Pools::closeAll, "pg-agent-pools-shutdown"));
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("pg-agent-" + NUMBER.incrementAndGet() + (label == null ? "" : "-" + label));
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(0);
        long timeoutMillis = connectTimeoutSeconds * 1000L; // 0: Hikari waits without limit
        config.setConnectionTimeout(timeoutMillis);
        config.setValidationTimeout(timeoutMillis == 0 ? 5000 : Math.min(5000, timeoutMillis));
        config.setInitializationFailTimeout(-1);
        Pool pool = new Pool(driver, config);
        pools.add(pool);
        OPEN.add(this);
        return pool;
    }

    /**
     * Closes and forgets the pools of {@code before} (an agent being replaced: another profile, a lower policy, a
     * reloaded configuration) that {@code after} does not use, so that rebuilding an agent leaves no pool behind.
     */
    void closeReplaced(dev.pgagent.core.PostgresAgent before, dev.pgagent.core.PostgresAgent after) {
        closeExcept(dataSources(before), dataSources(after));
    }

    /** Closes and forgets the pools among {@code before} that are not among {@code kept} (by identity). */
    void closeExcept(java.util.Collection<DataSource> before, java.util.Collection<DataSource> kept) {
        Set<DataSource> keep = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        keep.addAll(kept);
        for (DataSource ds : before) {
            if (ds instanceof Pool p && !keep.contains(p) && pools.remove(p)) {
                p.close();
            }
        }
    }

    private static List<DataSource> dataSources(dev.pgagent.core.PostgresAgent agent) {
        List<DataSource> out = new java.util.ArrayList<>();
        for (String name : agent.databaseNames()) {
            dev.pgagent.db.postgres.PostgresDatabase db = agent.database(name);
            out.add(db.dataSource());
            db.readReplica().ifPresent(out::add);
        }
        return out;
    }

    /** Returns the pools made so far (for tests). */
    List<DataSource> pools() {
        return List.copyOf(pools);
    }

    /** Closes every pool of this run; open connections are closed on the server's side too. */
    @Override
    public void close() {
        closed = true;
        OPEN.remove(this);
        for (Pool p : pools) {
            p.close();
        }
    }

    private static void closeAll() {
        for (Pools p : OPEN) {
            p.close();
        }
    }

    /**
     * One pool, made on the first connection. The first connection comes from the driver on the caller's thread and
     * is the pool's first: a server that cannot be reached, or a wrong password, fails at once with the driver's
     * own exception, as without a pool (a pool would retry until its connection timeout). Later, a borrow that
     * times out because the server cannot be reached throws the driver's exception that the pool saw last.
     */
    static final class Pool extends Forwarding implements AutoCloseable {
        private final HikariConfig config;
        private volatile @Nullable HikariDataSource hikari;
        private boolean closed;

        Pool(DataSource driver, HikariConfig config) {
            super(driver);
            this.config = config;
        }

        /** Returns whether the pool was started (a first connection was made). */
        boolean started() {
            return hikari != null;
        }

        @Override
        public Connection getConnection() throws SQLException {
            HikariDataSource h = hikari;
            if (h == null) {
                h = start();
            }
            try {
                return h.getConnection();
            } catch (SQLTransientConnectionException e) {
                if (e.getCause() instanceof SQLException driverFailure) {
                    throw driverFailure;
                }
                throw e;
            }
        }

        private synchronized HikariDataSource start() throws SQLException {
            if (closed) {
                throw new SQLException("the connection pool " + config.getPoolName() + " is closed", "08003");
            }
            HikariDataSource h = hikari;
            if (h == null) {
                Connection first = driver.getConnection();
                HikariConfig c = new HikariConfig();
                config.copyStateTo(c);
                c.setDataSource(new Primed(driver, first));
                try {
                    h = new HikariDataSource(c);
                } catch (RuntimeException e) {
                    first.close();
                    throw e;
                }
                hikari = h;
            }
            return h;
        }

        @Override
        public synchronized void close() {
            closed = true;
            HikariDataSource h = hikari;
            if (h != null) {
                h.close();
            }
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return iface.isInstance(this) ? iface.cast(this) : driver.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return iface.isInstance(this) || driver.isWrapperFor(iface);
        }
    }

    /** The driver's data source, handing out one connection made earlier before making new ones. */
    private static final class Primed extends Forwarding {
        private final AtomicReference<@Nullable Connection> first;

        Primed(DataSource driver, Connection first) {
            super(driver);
            this.first = new AtomicReference<>(first);
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = first.getAndSet(null);
            if (c != null && !c.isClosed()) {
                return c;
            }
            return driver.getConnection();
        }
    }

    /**
     * A data source that forwards to the driver's: connections for another user (not pooled), the log writer, the
     * login timeout, unwrapping, and {@code toString} (without secrets, as without a pool).
     */
    private abstract static class Forwarding implements DataSource {
        final DataSource driver;

        Forwarding(DataSource driver) {
            this.driver = driver;
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return driver.getConnection(user, password);
        }

        @Override
        public @Nullable PrintWriter getLogWriter() throws SQLException {
            return driver.getLogWriter();
        }

        @Override
        public void setLogWriter(@Nullable PrintWriter out) throws SQLException {
            driver.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            driver.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return driver.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return driver.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return driver.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return driver.isWrapperFor(iface);
        }

        @Override
        public String toString() {
            return driver.toString();
        }
    }
}
