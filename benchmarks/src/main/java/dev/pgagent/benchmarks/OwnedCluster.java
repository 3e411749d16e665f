package dev.pgagent.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A throwaway PostgreSQL cluster the benchmark owns, so that it may restart it: {@code initdb} in a temporary
 * directory, started with {@code pg_ctl} on a free loopback port (never the machine's server). Uses the binaries of
 * {@code PGAGENT_BENCH_PG_BIN}, else {@code pg_config --bindir}, else those on the {@code PATH}. PostgreSQL refuses to
 * run as root, so under root the commands run as the {@code postgres} user ({@code runuser}). {@link #close()} stops
 * the cluster and deletes its directory; a shutdown hook does the same if the JVM ends first.
 */
final class OwnedCluster implements AutoCloseable {
    private static final long COMMAND_SECONDS = 120;
    private final Path dir;
    private final Path data;
    private final String bin;
    private final int port;
    private final boolean asPostgres;
    private final Thread hook;
    private boolean closed;

    private OwnedCluster(Path dir, String bin, int port, boolean asPostgres) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.bin = bin;
        this.port = port;
        this.asPostgres = asPostgres;
        this.hook = new Thread(this::stopQuietly, "owned-cluster-cleanup");
    }

    /**
     * Creates and starts a cluster.
     *
     * @throws IOException if no binaries are found, or initdb or the start fails
     */
    static OwnedCluster start() throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("pgagent-load-cluster-");
        OwnedCluster c = new OwnedCluster(dir, binDir(), freePort(), root);
        Runtime.getRuntime().addShutdownHook(c.hook);
        try {
            if (root) {
                c.run(List.of("chown", "postgres", dir.toString()), false);
            }
            c.run(
                    List.of(c.bin + "/initdb", "-D", c.data.toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8"),
                    true);
            Files.writeString(
                    c.data.resolve("postgresql.conf"),
                    "\nlisten_addresses = '127.0.0.1'\nport = " + c.port + "\nunix_socket_directories = '"
                            + dir + "'\nmax_connections = 60\nshared_buffers = 32MB\nfsync = off\n"
                            + "synchronous_commit = off\nfull_page_writes = off\n",
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
            c.pgCtl("start");
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Returns the port the cluster listens on (127.0.0.1). */
    int port() {
        return port;
    }

    /** Returns a data source for {@code database} as user postgres. */
    DataSource dataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(jdbcUrl(database));
        ds.setUser("postgres");
        return ds;
    }

    /** Returns the JDBC URL of {@code database}. */
    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Stops the cluster (fast: open sessions are ended) and starts it again; returns when it accepts connections. */
    void restart() throws IOException, InterruptedException {
        pgCtl("restart");
    }

    /** Stops the cluster (fast shutdown). */
    void stop() throws IOException, InterruptedException {
        run(List.of(bin + "/pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop"), true);
    }

    /** Starts the stopped cluster; returns when it accepts connections. */
    void startAgain() throws IOException, InterruptedException {
        pgCtl("start");
    }

    /** Returns where the cluster runs, for the report. */
    String describe() {
        return "own cluster 127.0.0.1:" + port + " (" + bin + ")";
    }

    private void pgCtl(String action) throws IOException, InterruptedException {
        run(
                List.of(
                        bin + "/pg_ctl",
                        "-D",
                        data.toString(),
                        "-l",
                        dir.resolve("server.log").toString(),
                        "-m",
                        "fast",
                        "-w",
                        "-t",
                        "60",
                        action),
                true);
    }

    private void run(List<String> command, boolean asUser) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asUser && asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process p = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(
                        dir.resolve("commands.log").toFile().exists()
                                ? ProcessBuilder.Redirect.appendTo(
                                        dir.resolve("commands.log").toFile())
                                : ProcessBuilder.Redirect.to(
                                        dir.resolve("commands.log").toFile()))
                .start();
        if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command.get(0) + " did not finish in " + COMMAND_SECONDS + " s");
        }
        if (p.exitValue() != 0) {
            String log = Files.readString(dir.resolve("commands.log"), StandardCharsets.UTF_8);
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                    + log.substring(Math.max(0, log.length() - 2000)));
        }
    }

    private static String binDir() throws IOException, InterruptedException {
        String env = System.getenv("PGAGENT_BENCH_PG_BIN");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isExecutable(Paths.get(out, "pg_ctl"))) {
                return out;
            }
        } catch (IOException e) {
            // no pg_config: look on the PATH
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Paths.get(d, "pg_ctl")) && Files.isExecutable(Paths.get(d, "initdb"))) {
                return d;
            }
        }
        throw new IOException(
                "no PostgreSQL binaries found (pg_config, PATH); set PGAGENT_BENCH_PG_BIN to their directory");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private synchronized void stopQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                stop();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("could not stop the cluster in " + dir + ": " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(OwnedCluster::delete);
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.err.println("could not delete " + file + ": " + e.getMessage());
        }
    }

    /** Stops the cluster and deletes its directory. */
    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) anyway
        }
    }
}
