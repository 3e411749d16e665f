package dev.pgagent.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;

/**
 * Creates the introspection benchmark's database: {@value #TABLES} tables of 10 columns spread over 10 schemas, with
 * a primary key on each, a foreign key on a quarter, a secondary index on a third, a unique constraint on a tenth, a
 * check constraint on a seventh, an enum type per schema, a comment on every table and on a fifth of the columns
 * {@code name}. DDL is sent in batches of 100 tables (one multi-statement text per batch, benchmark code only).
 * A marker table records a finished generation, so a later run reuses the database.
 */
final class SchemaGenerator {
    static final int TABLES = 10_000;
    static final int SCHEMAS = 10;
    private static final int BATCH = 100;

    private SchemaGenerator() {}

    /** Connection settings of one server. */
    record Target(String host, int port, String user, String password) {
        String url(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        Connection connect(String database) throws SQLException {
            Properties p = new Properties();
            p.setProperty("user", user);
            if (!password.isEmpty()) {
                p.setProperty("password", password);
            }
            return DriverManager.getConnection(url(database), p);
        }
    }

    /** Returns the number of tables the generator would produce (10 a schema x schemas). */
    static String tableName(int i) {
        return String.format(Locale.ROOT, "bench_s%d.t%05d", i / (TABLES / SCHEMAS), i);
    }

    /** Creates {@code database} on {@code target} unless a finished generation is there; returns true if it built. */
    static boolean ensure(Target target, String adminDatabase, String database, java.io.PrintStream log)
            throws SQLException {
        try (Connection admin = target.connect(adminDatabase)) {
            boolean exists;
            try (var ps = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (exists && finished(target, database)) {
                return false;
            }
            try (Statement st = admin.createStatement()) {
                if (exists) {
                    log.println("Dropping incomplete " + database);
                    st.execute("DROP DATABASE " + database);
                }
                st.execute("CREATE DATABASE " + database);
            }
        }
        long start = System.nanoTime();
        try (Connection c = target.connect(database);
                Statement st = c.createStatement()) {
            StringBuilder sql = new StringBuilder();
            for (int s = 0; s < SCHEMAS; s++) {
                sql.append("CREATE SCHEMA bench_s").append(s).append(";\n");
                sql.append("CREATE TYPE bench_s")
                        .append(s)
                        .append(".status AS ENUM ('new', 'active', 'suspended', 'closed');\n");
            }
            st.execute(sql.toString());
            for (int from = 0; from < TABLES; from += BATCH) {
                sql.setLength(0);
                for (int i = from; i < Math.min(TABLES, from + BATCH); i++) {
                    appendTable(sql, i);
                }
                st.execute(sql.toString());
                if ((from + BATCH) % 2000 == 0) {
                    log.printf(Locale.ROOT, "  %d tables created%n", from + BATCH);
                }
            }
            st.execute("ANALYZE");
            st.execute("CREATE TABLE public.pgagent_bench_info (tables int NOT NULL, generated_at timestamptz"
                    + " NOT NULL DEFAULT now()); INSERT INTO public.pgagent_bench_info (tables) VALUES ("
                    + TABLES + ")");
        }
        log.printf(
                Locale.ROOT,
                "Generated %s (%d tables) in %.1f s%n",
                database,
                TABLES,
                (System.nanoTime() - start) / 1e9);
        return true;
    }

    private static boolean finished(Target target, String database) throws SQLException {
        try (Connection c = target.connect(database);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_catalog.pg_class"
                        + " WHERE relname = 'pgagent_bench_info' AND relnamespace = 'public'::regnamespace")) {
            rs.next();
            if (rs.getInt(1) == 0) {
                return false;
            }
        }
        try (Connection c = target.connect(database);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT max(tables) FROM public.pgagent_bench_info")) {
            return rs.next() && rs.getInt(1) == TABLES;
        }
    }

    private static void appendTable(StringBuilder sql, int i) {
        String t = tableName(i);
        String schema = t.substring(0, t.indexOf('.'));
        sql.append("CREATE TABLE ")
                .append(t)
                .append(" (\n")
                .append("  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n")
                .append("  code varchar(32) NOT NULL,\n")
                .append("  name text,\n")
                .append("  amount numeric(12,2) DEFAULT 0")
                .append(i % 7 == 0 ? " CHECK (amount >= 0)" : "")
                .append(",\n")
                .append("  created_at timestamptz NOT NULL DEFAULT now(),\n")
                .append("  active boolean NOT NULL DEFAULT true,\n")
                .append("  status ")
                .append(schema)
                .append(".status NOT NULL DEFAULT 'new',\n")
                .append("  payload jsonb,\n")
                .append("  day date,\n")
                .append("  parent_id bigint");
        if (i % 4 == 1) {
            sql.append(" REFERENCES ").append(tableName(i - 1)).append(" (id)");
        }
        if (i % 10 == 0) {
            sql.append(",\n  UNIQUE (code, day)");
        }
        sql.append("\n);\n");
        if (i % 3 == 0) {
            sql.append("CREATE INDEX ON ").append(t).append(" (code);\n");
        }
        sql.append("COMMENT ON TABLE ")
                .append(t)
                .append(" IS 'Benchmark table number ")
                .append(i)
                .append(", holds generated rows';\n");
        if (i % 5 == 0) {
            sql.append("COMMENT ON COLUMN ").append(t).append(".name IS 'Display name of the row';\n");
        }
    }
}
