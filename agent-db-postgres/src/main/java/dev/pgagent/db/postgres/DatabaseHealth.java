package dev.pgagent.db.postgres;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Checks a database's health from the statistics and catalog views ({@code pg_stat_user_indexes},
 * {@code pg_stat_user_tables}, {@code pg_index}, {@code pg_sequences}, {@code pg_stat_activity},
 * {@code pg_stat_database}): unused, duplicate and invalid indexes, tables never vacuumed or analyzed or with many
 * dead rows, sequences near exhaustion, connection use against {@code max_connections}, and the cache hit ratio. Every
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

    /**
     * One problem found.
     *
     * @param check the check that found it, e.g. {@code unused_index}
     * @param subject what it concerns, e.g. {@code public.orders_note_idx}
     * @param message what is wrong, with the numbers
     * @param fix what would fix it
     */
    public record Issue(String check, String subject, String message, String fix) {
        /** Validates the components. */
        public Issue {
            Objects.requireNonNull(check, "check == null");
            Objects.requireNonNull(subject, "subject == null");
            Objects.requireNonNull(message, "message == null");
            Objects.requireNonNull(fix, "fix == null");
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

        /** Returns the report as plain text, one line an issue, fact or skipped check. */
        public String toText() {
            StringBuilder sb = new StringBuilder();
            sb.append(issues.isEmpty() ? "No health issues found.\n" : "Health issues (" + issues.size() + "):\n");
            for (Issue i : issues) {
                sb.append("- [").append(i.check()).append("] ").append(i.subject()).append(": ").append(i.message())
                        .append(" Fix: ").append(i.fix()).append('\n');
            }
            for (String f : facts) {
                sb.append("* ").append(f).append('\n');
            }
            for (String s : skipped) {
                sb.append("! skipped ").append(s).append('\n');
            }
            return sb.toString().stripTrailing();
        }
    }

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

    /**
     * Runs every check through {@code sql}.
     *
     * @throws dev.pgagent.api.CancelledException if the ask or call was cancelled
     */
    public static Report check(SqlGateway sql) {
        Objects.requireNonNull(sql, "sql == null");
        List<Issue> issues = new ArrayList<>();
        List<String> facts = new ArrayList<>();
        List<String> skipped = new ArrayList<>();

        QueryResult r = run(sql, "unused_index", UNUSED, skipped);
        if (r != null) {
            for (List<@Nullable String> row : r.rows()) {
                issues.add(new Issue("unused_index", str(row, 0), "never scanned since the statistics were reset ("
                        + bytes(num(row, 2)) + " on " + str(row, 1) + "); it still slows every write.",
                        "DROP INDEX CONCURRENTLY " + str(row, 0) + " if no query (on replicas too) needs it."));
            }
        }
        r = run(sql, "duplicate_index", DUPLICATE, skipped);
        if (r != null) {
            for (List<@Nullable String> row : r.rows()) {
                issues.add(new Issue("duplicate_index", str(row, 1), "indexes " + str(row, 0)
                        + " have the same columns, operator classes, expressions and predicate.",
                        "keep one of them and DROP INDEX CONCURRENTLY the others."));
            }
        }
        r = run(sql, "invalid_index", INVALID, skipped);
        if (r != null) {
            for (List<@Nullable String> row : r.rows()) {
                issues.add(new Issue("invalid_index", str(row, 0), "is invalid (a failed CREATE INDEX CONCURRENTLY "
                        + "or REINDEX) on " + str(row, 1) + ": it is maintained on writes but never used.",
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
                    issues.add(new Issue("dead_rows", table, String.format(Locale.ROOT,
                            "%d dead rows against %d live (%.0f%%).", dead, live, 100.0 * dead / Math.max(1, live)),
                            "VACUUM (ANALYZE) " + table + "; if it keeps coming back, lower the table's "
                                    + "autovacuum_vacuum_scale_factor or look for long-running transactions."));
                }
                if ("t".equals(row.get(3)) || "true".equals(row.get(3))) {
                    issues.add(new Issue("never_vacuumed", table, "has never been vacuumed (" + live + " live rows).",
                            "VACUUM " + table + ", and check that autovacuum is on."));
                }
                if ("t".equals(row.get(4)) || "true".equals(row.get(4))) {
                    issues.add(new Issue("never_analyzed", table, "has never been analyzed (" + live
                            + " live rows), so the planner guesses its statistics.",
                            "ANALYZE " + table + "."));
                }
            }
        }
        r = run(sql, "sequence_exhaustion", SEQUENCES, skipped);
        if (r != null) {
            for (List<@Nullable String> row : r.rows()) {
                issues.add(new Issue("sequence_exhaustion", str(row, 0), "is at " + str(row, 1) + " of "
                        + (num(row, 4) > 0 ? "max " + str(row, 2) : "min " + str(row, 3)) + ".",
                        "ALTER SEQUENCE " + str(row, 0) + " AS bigint (and the column to bigint) before it runs "
                                + "out."));
            }
        }
        r = run(sql, "connections", CONNECTIONS, skipped);
        if (r != null && r.rowCount() == 1) {
            long used = num(r.rows().get(0), 0);
            long max = num(r.rows().get(0), 1);
            long reserved = num(r.rows().get(0), 2);
            long usable = Math.max(1, max - reserved);
            facts.add(String.format(Locale.ROOT, "connections: %d client backends of %d usable (max_connections %d)",
                    used, usable, max));
            if (used * 100 >= usable * 80) {
                issues.add(new Issue("connections", "max_connections", String.format(Locale.ROOT,
                        "%d of %d usable connections are in use (%d%%).", used, usable, used * 100 / usable),
                        "use a connection pool (PgBouncer, or size the application pools down) rather than "
                                + "raising max_connections."));
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
                    issues.add(new Issue("cache_hit_ratio", "shared_buffers", String.format(Locale.ROOT,
                            "only %.2f%% of block reads were served from shared buffers.", ratio),
                            "raise shared_buffers (often 25% of RAM), or find the queries that read most with "
                                    + "pg_stat_statements."));
                }
            }
        }
        return new Report(issues, facts, skipped);
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

    private static String bytes(long n) {
        return n >= 1 << 20 ? (n >> 20) + " MB" : n >= 1024 ? (n >> 10) + " kB" : n + " bytes";
    }
}
