package dev.pgagent.db.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cheap signals that the catalog changed, for the schema cache's freshness check. Two levels:
 *
 * <ul>
 *   <li>{@link #snapshot(Connection)}: the current transaction snapshot ({@code txid_current_snapshot()}, well
 *       under a millisecond). Every DDL runs in a transaction with an ID; while the snapshot text is the same, no
 *       transaction has started writing or finished, so nothing can have changed.
 *   <li>{@link #aggregate(Connection)}: one query over the catalogs that hold what the model shows: row count and
 *       newest {@code xmin} of {@code pg_class} (relations, indexes, column counts, rewrites), {@code pg_description}
 *       (comments), {@code pg_constraint} and {@code pg_enum}, plus the cumulative insert/update/delete counters of
 *       {@code pg_attribute}, {@code pg_attrdef}, {@code pg_type} and {@code pg_inherits} (renamed, dropped or
 *       retyped columns, defaults), which are too large to scan in the time budget. Those counters reach the
 *       statistics system up to about a second after the changing transaction ends, which the caller allows for.
 * </ul>
 *
 * Stateless and thread-safe.
 */
public final class CatalogSignature {
    /** How long after a commit its cumulative statistics are safely visible to other sessions. */
    public static final long STATS_SETTLE_NANOS = 2_000_000_000L;

    // Ages outside 1..2^31-2 belong to frozen rows (bootstrap, or wrapped raw xmin); they are left out.
    private static final String NEWEST =
            "count(*) || '/' || coalesce(min(a) FILTER (WHERE a > 0 AND a < 2147483647), 0)"
                    + " FROM (SELECT pg_catalog.age(xmin) a FROM pg_catalog.%s) s";

    private static final String AGGREGATE_SQL = "SELECT pg_catalog.age('3'::xid)"
            + ", (SELECT " + NEWEST.replace("%s", "pg_class") + ")"
            + ", (SELECT " + NEWEST.replace("%s", "pg_description") + ")"
            + ", (SELECT " + NEWEST.replace("%s", "pg_constraint") + ")"
            + ", (SELECT " + NEWEST.replace("%s", "pg_enum") + ")"
            + ", (SELECT string_agg((pg_catalog.pg_stat_get_tuples_inserted(o)"
            + " + pg_catalog.pg_stat_get_tuples_updated(o) + pg_catalog.pg_stat_get_tuples_deleted(o))::text, ','"
            + " ORDER BY o) FROM unnest('{pg_catalog.pg_attribute,pg_catalog.pg_attrdef,pg_catalog.pg_type,"
            + "pg_catalog.pg_inherits}'::pg_catalog.regclass[]) o)";

    private CatalogSignature() {}

    /**
     * A transaction snapshot as 64-bit transaction IDs (with epoch): the transactions it sees as ended are those
     * before {@code xmax} and not in {@code inProgress}.
     *
     * @param xmin the oldest transaction still running when it was taken
     * @param xmax the first transaction ID not yet assigned then
     * @param inProgress the transactions running then, between {@code xmin} and {@code xmax}
     */
    public record Snapshot(long xmin, long xmax, List<Long> inProgress) {
        /** Copies the list. */
        public Snapshot {
            inProgress = List.copyOf(inProgress);
        }
    }

    /** Returns the current transaction's snapshot. */
    public static Snapshot transactionSnapshot(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.txid_snapshot_xmin(s)::text,"
                        + " pg_catalog.txid_snapshot_xmax(s)::text,"
                        + " (SELECT pg_catalog.string_agg(x::text, ',') FROM pg_catalog.txid_snapshot_xip(s) x)"
                        + " FROM pg_catalog.txid_current_snapshot() s");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            List<Long> running = new ArrayList<>();
            String xip = rs.getString(3);
            if (xip != null && !xip.isEmpty()) {
                for (String x : xip.split(",")) {
                    running.add(Long.parseLong(x));
                }
            }
            return new Snapshot(Long.parseLong(rs.getString(1)), Long.parseLong(rs.getString(2)), running);
        }
    }

    /** Returns the current transaction snapshot as text ({@code xmin:xmax:xip,...}). */
    public static String snapshot(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.txid_current_snapshot()::text");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Returns a text that changes when a relation, comment, constraint, enum label, column or default changes
     * (the last two with the statistics delay described above).
     */
    public static String aggregate(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(AGGREGATE_SQL);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            // age(xmin) counts back from the latest transaction ID, which moves; "age of xid 3" minus the smallest
            // age is the newest xmin relative to xid 3, which does not.
            long base = rs.getLong(1);
            StringBuilder sb = new StringBuilder();
            for (int i = 2; i <= 5; i++) {
                String v = rs.getString(i);
                int slash = v.indexOf('/');
                long minAge = Long.parseLong(v.substring(slash + 1));
                sb.append(v, 0, slash)
                        .append('/')
                        .append(minAge == 0 ? 0 : base - minAge)
                        .append(';');
            }
            return sb.append(rs.getString(6)).toString();
        }
    }
}
