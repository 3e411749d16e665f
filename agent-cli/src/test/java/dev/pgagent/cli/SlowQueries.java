package dev.pgagent.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;

/**
 * A read the validator allows that runs until it is cancelled (or its 30 s statement timeout strikes), marked so
 * that {@code pg_stat_activity} finds it and nothing else.
 */
final class SlowQueries {
    /**
     * How soon a cancelled statement must stop on the server: well inside its 30 s statement timeout, so that a
     * statement left running there (the defect) fails the test.
     */
    static final Duration CANCELLED_WITHIN = Duration.ofSeconds(10);

    private SlowQueries() {}

    /** Returns a new marker, a column alias no other statement uses. */
    static String marker() {
        return "pgagent_slow_" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Returns the slow read, marked. */
    static String sql(String marker) {
        return "SELECT count(*) AS " + marker + " FROM generate_series(1, 100000) a CROSS JOIN generate_series(1,"
                + " 100000) b";
    }

    /** Returns whether a statement with {@code marker} is running on the server. */
    static boolean running(String marker) throws Exception {
        try (Connection c = DemoData.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE state ="
                        + " 'active' AND query LIKE ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, "%AS " + marker + " %");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    /** Returns what pg_stat_activity says about the statement, for failure messages. */
    static String activity(String marker) throws Exception {
        try (Connection c = DemoData.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT pid, state, backend_start, query_start, now(),"
                        + " backend_type, wait_event FROM pg_stat_activity WHERE query LIKE ? AND pid <>"
                        + " pg_backend_pid()")) {
            ps.setString(1, "%AS " + marker + " %");
            StringBuilder sb = new StringBuilder("pg_stat_activity:");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sb.append(" [pid ")
                            .append(rs.getInt(1))
                            .append(' ')
                            .append(rs.getString(2))
                            .append(", backend ")
                            .append(rs.getString(3))
                            .append(", query ")
                            .append(rs.getString(4))
                            .append(", now ")
                            .append(rs.getString(5))
                            .append(", ")
                            .append(rs.getString(6))
                            .append(", wait ")
                            .append(rs.getString(7))
                            .append(']');
                }
            }
            return sb.toString();
        }
    }

    /** Waits until a statement with {@code marker} runs (true) or stops running (false) on the server. */
    static void await(String marker, boolean running, Duration deadline) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (running(marker) != running) {
            if (System.nanoTime() > end) {
                throw new AssertionError("waited " + deadline.toSeconds() + " s for the statement " + marker + " to "
                        + (running ? "start" : "stop") + " running on the server; " + activity(marker));
            }
            Thread.sleep(50); // poll the server; the deadline bounds the wait
        }
    }
}
