package dev.pgagent.db.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.Experimental;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Checks a database's health from the statistics and catalog views ({@code pg_stat_user_indexes},
 * {@code pg_stat_user_tables}, {@code pg_index}, {@code pg_sequences}, {@code pg_stat_activity},
 * {@code pg_stat_database}, {@code pg_stats}, {@code pg_database}, {@code pg_stat_replication}): unused, duplicate and
 * invalid indexes, tables never vacuumed or analyzed or with many dead rows, table and index bloat (an estimate from
 * {@code pg_class} and {@code pg_stats} arithmetic; no extension needed), transaction ID age against wraparound,
 * sequences near exhaustion, connection use against {@code max_connections}, the cache hit ratio, long transactions,
 * sessions idle in a transaction, and replication lag. Each issue has a {@link Severity}, the numbers and a fix. Every
 * query is a read sent through the given {@link SqlGateway}, so it is validated, run READ ONLY with timeouts, and
 * audited; a check whose query is refused or fails is listed in {@link Report#skipped()}. Stateless and thread-safe.
 *
 * <pre>{@code
 * DatabaseHealth.Report r = DatabaseHealth.check(agent.guardedPath("dba"));
 * System.out.println(r.toText());
 * }</pre>
 */
@Experimental
public final class DatabaseHealth {
    /** Tables with at least this many rows are checked for dead rows and missing vacuum or analyze. */
    public static final long MIN_TABLE_ROWS = 1_000;

    private DatabaseHealth() {}

    /** How urgent an issue is, from least to most. */
    public enum Severity {
        /** Worth knowing; nothing breaks if it waits. */
        INFO,
        /** Costs performance or space now, or will become critical if left alone. */
        WARNING,
        /** Needs action soon: an outage or data loss is near (wraparound, an exhausted sequence, no connections). */
        CRITICAL
    }

    /**
     * One problem found.
     *
     * @param check the check that found it, e.g. {@code unused_index}
     * @param subject what it concerns, e.g. {@code public.orders_note_idx}
     * @param message what is wrong, with the numbers
     * @param fix what would fix it
     * @param severity how urgent it is
     */
    public record Issue(String check, String subject, String message, String fix, Severity severity) {
        /** Validates the components. */
        public Issue {
            Objects.requireNonNull(check, "check == null");
            Objects.requireNonNull(subject, "subject == null");
            Objects.requireNonNull(message, "message == null");
            Objects.requireNonNull(fix, "fix == null");
            Objects.requireNonNull(severity, "severity == null");
        }

        /** Creates an issue of severity {@link Severity#WARNING}. */
        public Issue(String check, String subject, String message, String fix) {
            this(check, subject, message, fix, Severity.WARNING);
        }
    }

    /**
     * The result of all checks.
     *
     * @param issues the problems found, grouped by check
     * @param facts measurements that are not problems by themselves, e.g. {@code cache hit ratio 99.2%}
     * @param skipped the checks that could not run, each with the reason
     */
    public record Report(List<Issue> issues, List<String> facts, List<String> skipped) {
        /** Copies the components. */
        public Report {
            issues = List.copyOf(issues);
            facts = List.copyOf(facts);
            skipped = List.copyOf(skipped);
        }

        /** Returns the most severe issue's severity, or empty when there is no issue. */
        public java.util.Optional<Severity> worst() {
            return issues.stream().map(Issue::severity).max(Comparator.naturalOrder());
        }

        /** Returns the number of issues of {@code severity}. */
        public long count(Severity severity) {
            return issues.stream().filter(i -> i.severity() == severity).count();
        }

        /** Returns the report as plain text, one line an issue (most severe first), fact or skipped check. */
        public String toText() {
            StringBuilder sb = new StringBuilder();
            sb.append(issues.isEmpty() ? "No health issues found.\n" : "Health issues (" + issues.size() + "):\n");
            for (Issue i : bySeverity()) {
                sb.append("- ")
                        .append(i.severity())
                        .append(" [")
                        .append(i.check())
                        .append("] ")
                        .append(i.subject())
                        .append(": ")
                        .append(i.message())
                        .append(" Fix: ")
                        .append(i.fix())
                        .append('\n');
            }
            for (String f : facts) {
                sb.append("* ").append(f).append('\n');
            }
            for (String s : skipped) {
                sb.append("! skipped ").append(s).append('\n');
            }
            return sb.toString().stripTrailing();
        }

        /**
         * Returns the report as one JSON object: {@code issues} (most severe first; each with {@code severity} in
         * lower case, {@code check}, {@code subject}, {@code message}, {@code fix}), {@code facts}, {@code skipped},
         * and {@code counts} of issues by severity.
         */
        public String toJson() {
            ObjectNode root = JSON.createObjectNode();
            ArrayNode list = root.putArray("issues");
            for (Issue i : bySeverity()) {
                list.addObject()
                        .put("severity", i.severity().name().toLowerCase(Locale.ROOT))
                        .put("check", i.check())
                        .put("subject", i.subject())
                        .put("message", i.message())
                        .put("fix", i.fix());
            }
            ArrayNode f = root.putArray("facts");
            facts.forEach(f::add);
            ArrayNode sk = root.putArray("skipped");
            skipped.forEach(sk::add);
            ObjectNode counts = root.putObject("counts");
            for (Severity s : Severity.values()) {
                counts.put(s.name().toLowerCase(Locale.ROOT), count(s));
            }
            try {
                return JSON.writeValueAsString(root);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write the report as JSON", e);
            }
        }

        private List<Issue> bySeverity() {
            List<Issue> sorted = new ArrayList<>(issues);
            sorted.sort(Comparator.comparing(Issue::severity).reversed()); // stable: check order within a severity
            return sorted;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String UNUSED = """
            SELECT s.schemaname || '.' || s.indexrelname, s.relname, pg_relation_size(s.indexrelid)
            FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
            WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.indexrelid)
            ORDER BY pg_relation_size(s.indexrelid) DESC, 1 LIMIT 50""";

    private static final String DUPLICATE = """
            SELECT string_agg(i.indexrelid::regclass::text, ', ' ORDER BY i.indexrelid::regclass::text),
                   min(i.indrelid::regclass::text)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            GROUP BY i.indrelid, i.indkey::text, i.indclass::text, coalesce(i.indexprs::text, ''),
                     coalesce(i.indpred::text, '')
            HAVING count(*) > 1 ORDER BY 1 LIMIT 50""";

    private static final String INVALID = """
            SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text
            FROM pg_index i WHERE NOT i.indisvalid ORDER BY 1 LIMIT 50""";

    private static final String TABLES = """
            SELECT schemaname || '.' || relname, n_live_tup, n_dead_tup,
                   (last_vacuum IS NULL AND last_autovacuum IS NULL),
                   (last_analyze IS NULL AND last_autoanalyze IS NULL)
            FROM pg_stat_user_tables
            WHERE n_live_tup + n_dead_tup >= %d
              AND (n_dead_tup > 0.2 * (n_live_tup + 1)
                   OR (last_vacuum IS NULL AND last_autovacuum IS NULL)
                   OR (last_analyze IS NULL AND last_autoanalyze IS NULL))
            ORDER BY n_dead_tup DESC, 1 LIMIT 50""";

    private static final String SEQUENCES = """
            SELECT schemaname || '.' || sequencename, last_value, max_value, min_value, increment_by
            FROM pg_sequences WHERE last_value IS NOT NULL
              AND CASE WHEN increment_by > 0 THEN last_value::numeric / max_value
                       ELSE last_value::numeric / min_value END > 0.75
            ORDER BY 1 LIMIT 50""";

    private static final String CONNECTIONS = """
            SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
                   current_setting('max_connections')::int,
                   current_setting('superuser_reserved_connections')::int""";

    private static final String CACHE = """
            SELECT blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database()""";

    // Rows are 24 bytes of header (23 rounded up to 8, null bitmap included for up to 8 columns), the data rounded up
    // to 8, and a 4-byte line pointer; a page has a 24-byte header, and holds fillfactor percent of its space.
    private static final String TABLE_BLOAT = """
            SELECT n.nspname || '.' || c.relname, c.relpages::bigint, c.reltuples::bigint,
                   current_setting('block_size')::bigint,
                   ceil(c.reltuples * (24 + 8 * ceil(w.width / 8) + 4)
                        / ((current_setting('block_size')::int - 24)
                           * coalesce(substring(array_to_string(c.reloptions, ',') FROM 'fillfactor=([0-9]+)')::int,
                                      100) / 100.0))::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN LATERAL (SELECT sum((1 - s.null_frac) * s.avg_width) AS width FROM pg_stats s
                          WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND NOT s.inherited) w
              ON w.width IS NOT NULL
            WHERE c.relkind IN ('r', 'm') AND c.reltuples >= 0
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
              AND c.relpages::bigint * current_setting('block_size')::bigint >= %d
            ORDER BY c.relpages DESC, 1 LIMIT 200""";

    // B-tree leaf entries: an 8-byte tuple header plus the key, rounded up to 8, and a 4-byte line pointer; a page has
    // 24 bytes of header and 16 of special space, and leaves are filled to 90%; one more page is the metapage.
    private static final String INDEX_BLOAT = """
            SELECT ic.oid::regclass::text, c.oid::regclass::text, ic.relpages::bigint, ic.reltuples::bigint,
                   current_setting('block_size')::bigint,
                   1 + ceil(ic.reltuples * (4 + 8 * ceil((8 + w.width) / 8))
                            / ((current_setting('block_size')::int - 40) * 0.9))::bigint
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
            JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN LATERAL (SELECT sum(s.avg_width) AS width, count(*) AS cols
                          FROM pg_attribute a JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname
                            AND s.attname = a.attname AND NOT s.inherited
                          WHERE a.attrelid = c.oid AND a.attnum = ANY (i.indkey::int2[])) w
              ON w.cols = i.indnkeyatts
            WHERE i.indexprs IS NULL AND i.indpred IS NULL AND i.indisvalid AND ic.reltuples >= 0
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
              AND ic.relpages::bigint * current_setting('block_size')::bigint >= %d
            ORDER BY ic.relpages DESC, 1 LIMIT 200""";

    private static final String XID_AGE = """
            SELECT datname, age(datfrozenxid), current_setting('autovacuum_freeze_max_age')::bigint
            FROM pg_database WHERE datallowconn ORDER BY 2 DESC, 1 LIMIT 1""";

    private static final String TRANSACTIONS = """
            SELECT pid, coalesce(usename, '?'), coalesce(datname, '?'), coalesce(application_name, ''), state,
                   (extract(epoch FROM now() - xact_start) * 1000)::bigint,
                   (extract(epoch FROM now() - state_change) * 1000)::bigint
            FROM pg_stat_activity
            WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()
              AND backend_type = 'client backend'
              AND (now() - xact_start >= interval '%d milliseconds'
                   OR (state LIKE 'idle in transaction%%' AND now() - state_change >= interval '%d milliseconds'))
            ORDER BY xact_start, pid LIMIT 50""";

    private static final String REPLICATION = """
            SELECT coalesce(application_name, ''), coalesce(client_addr::text, 'local'), coalesce(state, '?'),
                   (extract(epoch FROM replay_lag) * 1000)::bigint,
                   CASE WHEN pg_is_in_recovery() THEN NULL
                        ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint END
            FROM pg_stat_replication ORDER BY 1, 2 LIMIT 50""";

    /** The wraparound horizon: PostgreSQL refuses new transaction IDs when the oldest is this old. */
    static final long WRAPAROUND = 2_147_483_647L;

    /**
     * The limits above which the time- and size-based checks report an issue. Immutable and thread-safe.
     *
     * <pre>{@code
     * DatabaseHealth.Thresholds t = DatabaseHealth.Thresholds.builder().longTransaction(Duration.ofMinutes(1)).build();
     * }</pre>
     */
    public static final class Thresholds {
        /** The defaults: see each builder method. */
        public static final Thresholds DEFAULTS = builder().build();

        private final Duration longTransaction;
        private final Duration idleInTransaction;
        private final long minBloatBytes;
        private final double bloatRatio;
        private final Duration replicationLag;

        private Thresholds(Builder b) {
            this.longTransaction = b.longTransaction;
            this.idleInTransaction = b.idleInTransaction;
            this.minBloatBytes = b.minBloatBytes;
            this.bloatRatio = b.bloatRatio;
            this.replicationLag = b.replicationLag;
        }

        /** Returns a builder with the defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** Returns how old a transaction must be to be reported. */
        public Duration longTransaction() {
            return longTransaction;
        }

        /** Returns how long a session must have been idle in a transaction to be reported. */
        public Duration idleInTransaction() {
            return idleInTransaction;
        }

        /** Returns the smallest table or index, in bytes, checked for bloat. */
        public long minBloatBytes() {
            return minBloatBytes;
        }

        /** Returns the share of a table or index that must be waste to be reported, in (0, 1). */
        public double bloatRatio() {
            return bloatRatio;
        }

        /** Returns how far a replica may lag behind before it is reported. */
        public Duration replicationLag() {
            return replicationLag;
        }

        @Override
        public String toString() {
            return "Thresholds{longTransaction=" + longTransaction + ", idleInTransaction=" + idleInTransaction
                    + ", minBloatBytes=" + minBloatBytes + ", bloatRatio=" + bloatRatio + ", replicationLag="
                    + replicationLag + '}';
        }

        /** Builds {@link Thresholds}. Not thread-safe. */
        public static final class Builder {
            private Duration longTransaction = Duration.ofMinutes(5);
            private Duration idleInTransaction = Duration.ofMinutes(1);
            private long minBloatBytes = 10L << 20;
            private double bloatRatio = 0.3;
            private Duration replicationLag = Duration.ofMinutes(1);

            private Builder() {}

            /** Sets how old a transaction must be to be reported. Default: 5 minutes; must not be negative. */
            public Builder longTransaction(Duration age) {
                this.longTransaction = nonNegative(age, "longTransaction");
                return this;
            }

            /** Sets how long a session must be idle in a transaction to be reported. Default: 1 minute. */
            public Builder idleInTransaction(Duration idle) {
                this.idleInTransaction = nonNegative(idle, "idleInTransaction");
                return this;
            }

            /** Sets the smallest table or index checked for bloat, in bytes. Default: 10 MiB; must be >= 0. */
            public Builder minBloatBytes(long bytes) {
                if (bytes < 0) {
                    throw new IllegalArgumentException("minBloatBytes must be >= 0 but was " + bytes);
                }
                this.minBloatBytes = bytes;
                return this;
            }

            /** Sets the share of waste that makes bloat an issue. Default: 0.3; must be in (0, 1). */
            public Builder bloatRatio(double ratio) {
                if (!(ratio > 0 && ratio < 1)) {
                    throw new IllegalArgumentException("bloatRatio must be in (0, 1) but was " + ratio);
                }
                this.bloatRatio = ratio;
                return this;
            }

            /** Sets how far a replica may lag before it is reported. Default: 1 minute; must not be negative. */
            public Builder replicationLag(Duration lag) {
                this.replicationLag = nonNegative(lag, "replicationLag");
                return this;
            }

            /** Returns the thresholds. */
            public Thresholds build() {
                return new Thresholds(this);
            }

            private static Duration nonNegative(Duration d, String name) {
                Objects.requireNonNull(d, name + " == null");
                if (d.isNegative()) {
                    throw new IllegalArgumentException(name + " must not be negative but was " + d);
                }
                return d;
            }
        }
    }

    /**
     * Runs every check through {@code sql} with the {@linkplain Thresholds#DEFAULTS default thresholds}.
     *
     * @throws dev.pgagent.api.CancelledException if the ask or call was cancelled
     */
    public static Report check(SqlGateway sql) {
        return check(sql, Thresholds.DEFAULTS);
    }

    /**
     * Runs every check through {@code sql}.
     *
     * @throws dev.pgagent.api.CancelledException if the ask or call was cancelled
     */
    public static Report check(SqlGateway sql, Thresholds thresholds) {
        Objects.requireNonNull(sql, "sql == null");
        Objects.requireNonNull(thresholds, "thresholds == null");
        List<Issue> issues = new ArrayList<>();
        List<String> facts = new ArrayList<>();
        List<String> skipped = new ArrayList<>();

        QueryResult r = run(sql, "unused_index", UNUSED, skipped);
        if (r != null) {
            for (List<@Nullable String> row : r.rows()) {
                issues.add(new Issue(
                        "unused_index",
                        str(row, 0),
                        "never scanned since the statistics were reset (" + bytes(num(row, 2)) + " on " + str(row, 1)
                                + "); it still slows every write.",
                        "DROP INDEX CONCURRENTLY " + str(row, 0) + " if no query (on replicas too) needs it.",
                        Severity.INFO));
            }
        }
        r = run(sql, "duplicate_index", DUPLICATE, skipped);
        if (r != null) {
            for (List<@Nullable String> row : r.rows()) {
                issues.add(new Issue(
                        "duplicate_index",
                        str(row, 1),
                        "indexes " + str(row, 0)
                                + " have the same columns, operator classes, expressions and predicate.",
                        "keep one of them and DROP INDEX CONCURRENTLY the others."));
            }
        }
        r = run(sql, "invalid_index", INVALID, skipped);
        if (r != null) {
            for (List<@Nullable String> row : r.rows()) {
                issues.add(new Issue(
                        "invalid_index",
                        str(row, 0),
                        "is invalid (a failed CREATE INDEX CONCURRENTLY " + "or REINDEX) on " + str(row, 1)
                                + ": it is maintained on writes but never used.",
                        "REINDEX INDEX CONCURRENTLY " + str(row, 0) + ", or drop it."));
            }
        }
        r = run(sql, "table_maintenance", String.format(Locale.ROOT, TABLES, MIN_TABLE_ROWS), skipped);
        if (r != null) {
            for (List<@Nullable String> row : r.rows()) {
                long live = num(row, 1);
                long dead = num(row, 2);
                String table = str(row, 0);
                if (dead * 5 > live + 1) {
                    issues.add(new Issue(
                            "dead_rows",
                            table,
                            String.format(
                                    Locale.ROOT,
                                    "%d dead rows against %d live (%.0f%%).",
                                    dead,
                                    live,
                                    100.0 * dead / Math.max(1, live)),
                            "VACUUM (ANALYZE) " + table + "; if it keeps coming back, lower the table's "
                                    + "autovacuum_vacuum_scale_factor or look for long-running transactions."));
                }
                if ("t".equals(row.get(3)) || "true".equals(row.get(3))) {
                    issues.add(new Issue(
                            "never_vacuumed",
                            table,
                            "has never been vacuumed (" + live + " live rows).",
                            "VACUUM " + table + ", and check that autovacuum is on.",
                            Severity.INFO));
                }
                if ("t".equals(row.get(4)) || "true".equals(row.get(4))) {
                    issues.add(new Issue(
                            "never_analyzed",
                            table,
                            "has never been analyzed (" + live + " live rows), so the planner guesses its statistics.",
                            "ANALYZE " + table + "."));
                }
            }
        }
        r = run(sql, "sequence_exhaustion", SEQUENCES, skipped);
        if (r != null) {
            for (List<@Nullable String> row : r.rows()) {
                boolean up = num(row, 4) > 0;
                double used = ratio(row.get(1), up ? row.get(2) : row.get(3));
                issues.add(new Issue(
                        "sequence_exhaustion",
                        str(row, 0),
                        String.format(
                                Locale.ROOT,
                                "is at %s of %s (%.1f%% used).",
                                str(row, 1),
                                (up ? "max " + str(row, 2) : "min " + str(row, 3)),
                                100 * used),
                        "ALTER SEQUENCE " + str(row, 0) + " AS bigint (and the column to bigint) before it runs "
                                + "out.",
                        used >= 0.9 ? Severity.CRITICAL : Severity.WARNING));
            }
        }
        r = run(sql, "connections", CONNECTIONS, skipped);
        if (r != null && r.rowCount() == 1) {
            long used = num(r.rows().get(0), 0);
            long max = num(r.rows().get(0), 1);
            long reserved = num(r.rows().get(0), 2);
            long usable = Math.max(1, max - reserved);
            facts.add(String.format(
                    Locale.ROOT,
                    "connections: %d client backends of %d usable (max_connections %d)",
                    used,
                    usable,
                    max));
            if (used * 100 >= usable * 80) {
                issues.add(new Issue(
                        "connections",
                        "max_connections",
                        String.format(
                                Locale.ROOT,
                                "%d of %d usable connections are in use (%d%%).",
                                used,
                                usable,
                                used * 100 / usable),
                        "use a connection pool (PgBouncer, or size the application pools down) rather than "
                                + "raising max_connections.",
                        used * 100 >= usable * 95 ? Severity.CRITICAL : Severity.WARNING));
            }
        }
        r = run(sql, "cache_hit_ratio", CACHE, skipped);
        if (r != null && r.rowCount() == 1) {
            long hit = num(r.rows().get(0), 0);
            long read = num(r.rows().get(0), 1);
            if (hit + read > 0) {
                double ratio = 100.0 * hit / (hit + read);
                facts.add(String.format(Locale.ROOT, "cache hit ratio: %.2f%% (%d hits, %d reads)", ratio, hit, read));
                if (ratio < 95.0 && hit + read >= 10_000) {
                    issues.add(new Issue(
                            "cache_hit_ratio",
                            "shared_buffers",
                            String.format(
                                    Locale.ROOT, "only %.2f%% of block reads were served from shared buffers.", ratio),
                            "raise shared_buffers (often 25% of RAM), or find the queries that read most with "
                                    + "pg_stat_statements."));
                }
            }
        }
        bloat(sql, thresholds, issues, skipped);
        transactionIdAge(sql, issues, facts, skipped);
        transactions(sql, thresholds, issues, skipped);
        replication(sql, thresholds, issues, facts, skipped);
        return new Report(issues, facts, skipped);
    }

    private static void bloat(SqlGateway sql, Thresholds t, List<Issue> issues, List<String> skipped) {
        QueryResult r = run(sql, "table_bloat", String.format(Locale.ROOT, TABLE_BLOAT, t.minBloatBytes()), skipped);
        if (r != null) {
            for (List<@Nullable String> row : r.rows()) {
                Issue i = bloatIssue(
                        "table_bloat",
                        str(row, 0),
                        "",
                        num(row, 1),
                        num(row, 4),
                        num(row, 3),
                        num(row, 2),
                        t,
                        "VACUUM FULL " + str(row, 0) + " or pg_repack (VACUUM FULL locks the table "
                                + "for its whole run); then let autovacuum keep up (lower autovacuum_vacuum_scale_"
                                + "factor for this table).");
                if (i != null) {
                    issues.add(i);
                }
            }
        }
        r = run(sql, "index_bloat", String.format(Locale.ROOT, INDEX_BLOAT, t.minBloatBytes()), skipped);
        if (r != null) {
            for (List<@Nullable String> row : r.rows()) {
                Issue i = bloatIssue(
                        "index_bloat",
                        str(row, 0),
                        " on " + str(row, 1),
                        num(row, 2),
                        num(row, 5),
                        num(row, 4),
                        num(row, 3),
                        t,
                        "REINDEX INDEX CONCURRENTLY " + str(row, 0) + ".");
                if (i != null) {
                    issues.add(i);
                }
            }
        }
    }

    /** Returns the bloat issue for a relation of {@code pages} against {@code expected}, or null when it is small. */
    static @Nullable Issue bloatIssue(
            String check,
            String subject,
            String on,
            long pages,
            long expected,
            long blockSize,
            long rows,
            Thresholds t,
            String fix) {
        if (pages <= 0 || expected >= pages) {
            return null;
        }
        long wasted = (pages - expected) * blockSize;
        double share = (double) (pages - expected) / pages;
        if (share < t.bloatRatio() || wasted < t.minBloatBytes()) {
            return null;
        }
        return new Issue(
                check,
                subject,
                String.format(
                        Locale.ROOT,
                        "is %s%s, about %s of it (%.0f%%) waste: %d rows "
                                + "would fit in about %s (an estimate from pg_class and pg_stats; ANALYZE first for a better one).",
                        bytes(pages * blockSize),
                        on,
                        bytes(wasted),
                        100 * share,
                        rows,
                        bytes(expected * blockSize)),
                fix,
                share >= 0.5 ? Severity.WARNING : Severity.INFO);
    }

    private static void transactionIdAge(SqlGateway sql, List<Issue> issues, List<String> facts, List<String> skipped) {
        QueryResult r = run(sql, "xid_wraparound", XID_AGE, skipped);
        if (r == null || r.rowCount() != 1) {
            return;
        }
        List<@Nullable String> row = r.rows().get(0);
        long age = num(row, 1);
        double share = (double) age / WRAPAROUND;
        facts.add(String.format(
                Locale.ROOT,
                "transaction ID age: %d in %s, %.2f%% of the way to wraparound " + "(autovacuum_freeze_max_age %d)",
                age,
                str(row, 0),
                100 * share,
                num(row, 2)));
        Severity s = wraparoundSeverity(age);
        if (s != null) {
            issues.add(new Issue(
                    "xid_wraparound",
                    str(row, 0),
                    String.format(
                            Locale.ROOT,
                            "its oldest unfrozen "
                                    + "transaction ID is %d transactions old, %.1f%% of the way to wraparound, where PostgreSQL stops "
                                    + "accepting writes.",
                            age,
                            100 * share),
                    "VACUUM (FREEZE) the tables with the oldest relfrozenxid in " + str(row, 0)
                            + " (ORDER BY age(relfrozenxid) DESC in pg_class), and end long transactions and stale "
                            + "replication slots or prepared transactions that hold the horizon back.",
                    s));
        }
    }

    /** Returns the severity of a transaction ID age, or null when it is no issue: 50% and 75% of wraparound. */
    static @Nullable Severity wraparoundSeverity(long age) {
        if (age >= WRAPAROUND / 4 * 3) {
            return Severity.CRITICAL;
        }
        return age >= WRAPAROUND / 2 ? Severity.WARNING : null;
    }

    private static void transactions(SqlGateway sql, Thresholds t, List<Issue> issues, List<String> skipped) {
        String query = String.format(
                Locale.ROOT,
                TRANSACTIONS,
                t.longTransaction().toMillis(),
                t.idleInTransaction().toMillis());
        QueryResult r = run(sql, "long_transaction", query, skipped);
        if (r == null) {
            return;
        }
        for (List<@Nullable String> row : r.rows()) {
            String pid = str(row, 0);
            String app = str(row, 3);
            String subject =
                    "pid " + pid + " (" + str(row, 1) + "@" + str(row, 2) + (app.isEmpty() ? "" : ", " + app) + ")";
            String state = str(row, 4);
            long open = num(row, 5);
            long inState = num(row, 6);
            if (open >= t.longTransaction().toMillis()) {
                issues.add(new Issue(
                        "long_transaction",
                        subject,
                        "has had a transaction open for " + duration(open) + " (now " + state
                                + "); it holds back vacuum everywhere and may hold locks.",
                        "find out why " + (app.isEmpty() ? "the session" : app) + " keeps it open; end it with "
                                + "COMMIT or ROLLBACK, or SELECT pg_cancel_backend(" + pid + ") (pg_terminate_backend "
                                + "for an idle one).",
                        open >= Math.max(t.longTransaction().toMillis(), 1) * 12L
                                ? Severity.CRITICAL
                                : Severity.WARNING));
            }
            if (state.startsWith("idle in transaction")
                    && inState >= t.idleInTransaction().toMillis()) {
                issues.add(new Issue(
                        "idle_in_transaction",
                        subject,
                        "has been " + state + " for " + duration(inState)
                                + ", holding its locks and snapshot while doing nothing.",
                        "fix the application to commit or roll back promptly; set idle_in_transaction_session_timeout "
                                + "(e.g. 5min) so such sessions end; SELECT pg_terminate_backend(" + pid + ") now.",
                        Severity.WARNING));
            }
        }
    }

    private static void replication(
            SqlGateway sql, Thresholds t, List<Issue> issues, List<String> facts, List<String> skipped) {
        QueryResult r = run(sql, "replication_lag", REPLICATION, skipped);
        if (r == null) {
            return;
        }
        if (r.rowCount() == 0) {
            facts.add("replication: no replicas connected (pg_stat_replication is empty)");
            return;
        }
        facts.add("replication: " + r.rowCount() + " replica" + (r.rowCount() == 1 ? "" : "s") + " connected");
        for (List<@Nullable String> row : r.rows()) {
            String subject = (str(row, 0).isEmpty() ? "replica" : str(row, 0)) + " at " + str(row, 1);
            long lagMs = num(row, 3);
            long lagBytes = num(row, 4);
            boolean streaming = "streaming".equals(row.get(2));
            if (!streaming || lagMs >= Math.max(1, t.replicationLag().toMillis())) {
                issues.add(new Issue(
                        "replication_lag",
                        subject,
                        "is " + str(row, 2) + ", replaying " + duration(lagMs) + " (" + bytes(lagBytes)
                                + " of WAL) behind the primary.",
                        "check the replica's disk and network, and long queries on it that conflict with replay "
                                + "(max_standby_streaming_delay); reads there are that stale.",
                        lagMs >= Math.max(1, t.replicationLag().toMillis()) * 10
                                ? Severity.CRITICAL
                                : Severity.WARNING));
            }
        }
    }

    private static double ratio(@Nullable String value, @Nullable String limit) {
        try {
            double v = Double.parseDouble(String.valueOf(value));
            double l = Double.parseDouble(String.valueOf(limit));
            return l == 0 ? 0 : v / l;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String duration(long millis) {
        long s = millis / 1000;
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    private static @Nullable QueryResult run(SqlGateway sql, String check, String query, List<String> skipped) {
        StatementOutcome o = sql.execute(query);
        if (o.isExecuted() && o.result() != null) {
            return o.result();
        }
        skipped.add(check + ": " + o.status().name().toLowerCase(Locale.ROOT)
                + (o.error() == null ? "" : " (" + o.error() + ")"));
        return null;
    }

    private static String str(List<@Nullable String> row, int i) {
        String v = row.get(i);
        return v == null ? "?" : v;
    }

    private static long num(List<@Nullable String> row, int i) {
        String v = row.get(i);
        try {
            return v == null ? 0 : Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String bytes(long n) {
        return n >= 1L << 30
                ? (n >> 30) + " GB"
                : n >= 1 << 20 ? (n >> 20) + " MB" : n >= 1024 ? (n >> 10) + " kB" : n + " bytes";
    }
}
