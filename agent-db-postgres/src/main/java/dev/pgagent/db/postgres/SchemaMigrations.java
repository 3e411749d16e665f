package dev.pgagent.db.postgres;

import dev.pgagent.api.DatabaseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Applies the versioned scripts of one store ({@code <area>/V<n>__<description>.sql} next to this class) to a schema
 * the host names, in one transaction under an advisory lock, recording each in {@code <schema>.pgagent_<area>_version}
 * with its checksum; a script changed after it was applied is refused.
 */
final class SchemaMigrations {
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private SchemaMigrations() {}

    static String checkSchema(String schema) {
        if (!IDENTIFIER.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be a plain identifier (letters, digits, '_', at most"
                    + " 63) but was '" + schema + "'");
        }
        return schema;
    }

    /** Applies the scripts of {@code area} not yet applied and returns their versions. */
    static List<Integer> migrate(DataSource dataSource, String schema, String area, List<String> scripts) {
        String q = '"' + schema + '"';
        String versions = q + ".pgagent_" + area + "_version";
        List<Integer> applied = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "pgagent_" + area + ":" + schema);
                    lock.executeQuery().close();
                }
                st.execute("CREATE SCHEMA IF NOT EXISTS " + q);
                st.execute("CREATE TABLE IF NOT EXISTS " + versions + " (version integer PRIMARY KEY,"
                        + " description text NOT NULL, script text NOT NULL, checksum text NOT NULL,"
                        + " installed_at timestamptz NOT NULL DEFAULT now())");
                Map<Integer, String> done = new HashMap<>();
                try (ResultSet rs = st.executeQuery("SELECT version, checksum FROM " + versions)) {
                    while (rs.next()) {
                        done.put(rs.getInt(1), rs.getString(2));
                    }
                }
                for (String script : scripts) {
                    int version = Integer.parseInt(script.substring(1, script.indexOf("__")));
                    String text = resource(area + "/" + script);
                    String checksum = sha256(text);
                    String before = done.get(version);
                    if (before != null) {
                        if (!before.equals(checksum)) {
                            throw new DatabaseException(
                                    "the " + area + " migration " + script + " was changed after"
                                            + " it was applied to schema " + schema + " (checksum " + before + ", now "
                                            + checksum + ")",
                                    null,
                                    null);
                        }
                        continue;
                    }
                    st.execute(text.replace("${schema}", q));
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO " + versions + " (version, description, script, checksum) VALUES (?,?,?,?)")) {
                        ps.setInt(1, version);
                        ps.setString(2, script.substring(script.indexOf("__") + 2, script.length() - 4));
                        ps.setString(3, script);
                        ps.setString(4, checksum);
                        ps.executeUpdate();
                    }
                    applied.add(version);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new DatabaseException(
                    "cannot migrate the " + area + " tables in schema " + schema + ": " + GuardedExecutor.describe(e),
                    e.getSQLState(),
                    e);
        }
        return applied;
    }

    private static String resource(String path) {
        try (InputStream in = SchemaMigrations.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the migration script " + path + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
