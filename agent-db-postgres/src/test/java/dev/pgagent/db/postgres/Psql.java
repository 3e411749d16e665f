package dev.pgagent.db.postgres;

import dev.pgagent.testsupport.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/** Runs the machine's psql against a test database, with the session settings pgjdbc uses. */
final class Psql {
    private Psql() {}

    /** Returns the name of the database {@code ds} reaches. */
    static String databaseName(DataSource ds) {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code \copy (query) TO 'file' CSV HEADER [options]} and returns the file's bytes. The time zone is the
     * JVM's (which pgjdbc gives its sessions), the client encoding UTF-8.
     */
    static byte[] copyCsv(DataSource ds, String query, String extraOptions) throws IOException, InterruptedException {
        Path file = Files.createTempFile("psql-copy", ".csv");
        try {
            run(ds, "\\copy (" + query + ") TO '" + file + "' CSV HEADER" + extraOptions);
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Runs one psql command and returns its standard output. */
    static String run(DataSource ds, String command) throws IOException, InterruptedException {
        TestPostgres.Server s = TestPostgres.server();
        List<String> args = new ArrayList<>(List.of(
                "psql",
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                s.host(),
                "-p",
                Integer.toString(s.port()),
                "-U",
                s.user(),
                "-d",
                databaseName(ds),
                "-c",
                command));
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
        pb.environment().put("PGTZ", TimeZone.getDefault().getID());
        pb.environment().put("PGCLIENTENCODING", "UTF8");
        pb.environment().put("PGDATESTYLE", "ISO");
        if (s.password() != null && !s.password().isEmpty()) {
            pb.environment().put("PGPASSWORD", s.password());
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("psql failed: " + new String(out, java.nio.charset.StandardCharsets.UTF_8));
        }
        return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }
}
