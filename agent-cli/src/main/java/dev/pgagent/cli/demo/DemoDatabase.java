package dev.pgagent.cli.demo;

import dev.pgagent.api.ConfigurationException;
import dev.pgagent.api.DatabaseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Loads the demo database: a small online shop in the schema {@value #SCHEMA} (categories, suppliers, products,
 * customers, employees, orders, order lines, payments, shipments, reviews; three enum types; two views), with some
 * twenty thousand rows generated deterministically by SQL ({@code generate_series} and a fixed {@code setseed}), and
 * a comment on every table, view and type.
 *
 * <p>The script runs in one transaction. A schema {@value #SCHEMA} left by an earlier load is replaced; a schema of
 * that name that this class did not create is never touched. Thread-safe (stateless).
 *
 * <pre>{@code
 * DemoDatabase.Report report = DemoDatabase.load(dataSource);
 * System.out.println(report.tables() + " tables, " + report.rows() + " rows");
 * }</pre>
 */
public final class DemoDatabase {
    /** The schema the demo tables live in. */
    public static final String SCHEMA = "shop";

    private static final String RESOURCE = "/dev/pgagent/cli/demo/shop.sql";
    private static final String MARKER = "pg-agent demo";

    private DemoDatabase() {}

    /**
     * What a load did.
     *
     * @param rowsByTable the number of rows of each base table, in creation order
     * @param elapsed how long the load took
     */
    public record Report(Map<String, Long> rowsByTable, Duration elapsed) {
        /** Copies the map, keeping its order. */
        public Report {
            rowsByTable = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rowsByTable));
            Objects.requireNonNull(elapsed, "elapsed == null");
        }

        /** Returns the number of base tables. */
        public int tables() {
            return rowsByTable.size();
        }

        /** Returns the number of rows over all base tables. */
        public long rows() {
            return rowsByTable.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Returns the SQL script that creates and fills the schema. */
    public static String script() {
        try (InputStream in = DemoDatabase.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * Returns whether {@code dataSource}'s database holds a schema {@value #SCHEMA} created by this class.
     *
     * @throws DatabaseException if the database cannot be reached
     */
    public static boolean isLoaded(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return isOurs(c);
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the schemas: " + e.getMessage(), e.getSQLState(), e);
        }
    }

    /**
     * Creates the schema {@value #SCHEMA} and its data, replacing an earlier demo load.
     *
     * @throws ConfigurationException if a schema {@value #SCHEMA} exists that this class did not create
     * @throws DatabaseException if the database cannot be reached or refuses the script
     */
    public static Report load(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource == null");
        long start = System.nanoTime();
        String script = script();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                if (schemaExists(c)) {
                    if (!isOurs(c)) {
                        throw new ConfigurationException("the database already has a schema '" + SCHEMA
                                + "' that pg-agent did not create; refusing to replace it");
                    }
                    st.execute("DROP SCHEMA " + SCHEMA + " CASCADE");
                }
                st.execute(script);
                Map<String, Long> rows = countRows(c);
                c.commit();
                return new Report(rows, Duration.ofNanos(System.nanoTime() - start));
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot load the demo database: " + e.getMessage(), e.getSQLState(), e);
        }
    }

    private static boolean schemaExists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, SCHEMA);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean isOurs(Connection c) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, SCHEMA);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                String comment = rs.getString(1);
                return comment != null && comment.startsWith(MARKER);
            }
        }
    }

    private static Map<String, Long> countRows(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.relname FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind = 'r' ORDER BY c.oid")) {
            ps.setString(1, SCHEMA);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Statement st = c.createStatement()) {
            for (String table : tables) {
                // names come from the catalog of our own schema; quoted anyway
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + SCHEMA + ".\"" + table + "\"")) {
                    rs.next();
                    rows.put(table, rs.getLong(1));
                }
            }
        }
        return rows;
    }
}
