package dev.pgagent.core.migration;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.DryRun;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.GuardedPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns proposed changes into versioned migrations in Flyway's layout and applies them through the agent's guarded
 * path, so a team keeps using Flyway (or any tool that reads its files and history table).
 *
 * <ul>
 *   <li>{@link #plan} writes {@code V<version>__<description>.sql} into the directory (default
 *       {@value #DEFAULT_DIRECTORY}), the version the next integer after the highest {@code V} file (or a
 *       {@code yyyyMMddHHmmss} timestamp when the directory already uses them), with {@code U<version>__...sql} undo
 *       script when every statement has an inverse (CREATE INDEX, ADD COLUMN, ADD CONSTRAINT).
 *   <li>{@link #status} compares the files with Flyway's history table {@value #DEFAULT_TABLE}: pending, applied,
 *       failed, checksum mismatch (the file changed after it was applied), missing (applied, file gone).
 *   <li>{@link #apply} applies the pending migrations in version order. Each statement is checked under the policy
 *       first (a denied one stops the migration before anything runs); the migration is dry-run in a transaction
 *       that is rolled back when none of its statements uses CONCURRENTLY; the {@link Listener} is shown the
 *       statements, the lock and duration warnings (table rewrites, CREATE INDEX without CONCURRENTLY on a big
 *       table, VACUUM FULL, CLUSTER) and the dry run; then each statement runs through {@link GuardedPath#execute}
 *       (validation, the agent's confirmation handler with its typed confirmation for DDL, audit). Statements with
 *       CONCURRENTLY, which PostgreSQL refuses inside a transaction block, are confirmed through
 *       {@link Builder#confirmationHandler} and run outside a transaction. Each applied migration is recorded in the
 *       history table the way Flyway records it (Flyway's checksum, type {@code SQL}), created when absent, so
 *       {@code flyway info} and {@code flyway validate} agree. A migration declined or refused before its first
 *       statement ran changes nothing and records nothing; one that stopped part-way is recorded as failed.
 * </ul>
 *
 * <pre>{@code
 * Migrations m = Migrations.builder().path(agent.guardedPath("dba")).dataSource(dataSource).build();
 * m.plan(new Migrations.Change("CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id)",
 *         "add index orders customer_id"), true);
 * Migrations.ApplyReport r = m.apply();
 * }</pre>
 *
 * <p>Immutable and thread-safe; two {@link #apply} calls at once on one database are not serialized against each
 * other.
 */
@Experimental
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    /** Flyway's default location of SQL migrations. */
    public static final String DEFAULT_DIRECTORY = "db/migration";

    /** Flyway's history table. */
    public static final String DEFAULT_TABLE = "flyway_schema_history";

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final @Nullable GuardedPath path;
    private final @Nullable DataSource dataSource;
    private final Path directory;
    private final @Nullable String schema;
    private final String table;
    private final @Nullable String installedBy;
    private final ConfirmationHandler confirmations;
    private final Listener listener;
    private final boolean timestampVersions;
    private final long bigTableRows;
    private final Duration timeout;
    private final Duration lockTimeout;
    private final Clock clock;

    private Migrations(Builder b) {
        this.path = b.path;
        this.dataSource = b.dataSource;
        this.directory = b.directory;
        this.schema = b.schema;
        this.table = b.table;
        this.installedBy = b.installedBy;
        this.confirmations = b.confirmations;
        this.listener = b.listener;
        this.timestampVersions = b.timestampVersions;
        this.bigTableRows = b.bigTableRows;
        this.timeout = b.timeout;
        this.lockTimeout = b.lockTimeout;
        this.clock = b.clock;
    }

    /** Returns a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the directory migrations are written to and read from. */
    public Path directory() {
        return directory;
    }

    /**
     * A proposed change: one or more SQL statements (separated by semicolons) and what they do.
     *
     * @param sql the statements
     * @param description what the change does, e.g. {@code add index orders customer_id}; blank to derive one from
     *     the SQL
     */
    public record Change(String sql, String description) {
        /** Validates the components. */
        public Change {
            Objects.requireNonNull(sql, "sql == null");
            Objects.requireNonNull(description, "description == null");
            if (Scripts.split(sql).isEmpty()) {
                throw new IllegalArgumentException("sql must hold at least one statement but was '" + sql + "'");
            }
        }
    }

    /**
     * A planned migration.
     *
     * @param version its version, e.g. {@code 3}
     * @param file the migration file
     * @param script the file's content
     * @param undoFile the undo file, or null when some statement has no known inverse
     * @param undoScript the undo file's content, or null
     * @param warnings the lock and duration warnings for its statements
     * @param written whether the files were written (false for a dry run)
     */
    public record Planned(
            String version,
            Path file,
            String script,
            @Nullable Path undoFile,
            @Nullable String undoScript,
            List<String> warnings,
            boolean written) {
        /** Copies the warnings. */
        public Planned {
            warnings = List.copyOf(warnings);
        }
    }

    /** Where a migration file stands against the history table. */
    public enum State {
        /** Not applied yet. */
        PENDING,
        /** Applied, and the file still has the checksum recorded then. */
        APPLIED,
        /** Recorded as failed: it stopped part-way; fix the database and the history by hand (or flyway repair). */
        FAILED,
        /** Applied, but the file changed since: its checksum differs from the recorded one. */
        CHECKSUM_MISMATCH,
        /** At or below the history's baseline version: not to be applied. */
        BELOW_BASELINE,
        /** Recorded as applied, but no file has its version. */
        MISSING
    }

    /**
     * One migration's state.
     *
     * @param version the version
     * @param description the description as Flyway records it (underscores as spaces)
     * @param script the file name
     * @param state where it stands
     * @param checksum the file's checksum (Flyway's), or null when the file is missing
     * @param appliedChecksum the checksum recorded when it was applied, or null
     * @param installedOn when it was applied, or null
     * @param installedBy who applied it, or null
     */
    public record Entry(
            String version,
            String description,
            String script,
            State state,
            @Nullable Integer checksum,
            @Nullable Integer appliedChecksum,
            @Nullable Instant installedOn,
            @Nullable String installedBy) {}

    /**
     * What a host is shown before a migration's statements run.
     *
     * @param migration the migration
     * @param statements its statements, in order
     * @param warnings the lock and duration warnings
     * @param dryRun what the dry run found: {@code "ok"}, {@code "failed: ..."} or why there was none
     */
    public record Preview(Entry migration, List<String> statements, List<String> warnings, String dryRun) {
        /** Copies the lists. */
        public Preview {
            statements = List.copyOf(statements);
            warnings = List.copyOf(warnings);
        }
    }

    /** Is shown each migration before it is applied; the confirmations come after. */
    @FunctionalInterface
    public interface Listener {
        /** Shows nothing. */
        Listener NONE = preview -> {};

        /** Called before the statements of {@code preview}'s migration run. */
        void beforeApply(Preview preview);
    }

    /** What happened to a migration in {@link #apply}. */
    public enum Result {
        /** Every statement ran; recorded as a success. */
        APPLIED,
        /** A person declined its first statement; nothing changed, nothing recorded. */
        DECLINED,
        /** The policy refused it, or the history forbids applying (failed or changed migrations); nothing ran. */
        REFUSED,
        /** Its dry run or a statement failed; recorded as failed only when some statement had already run. */
        FAILED,
        /** The confirmation handler deferred its first statement; decide it on the guarded path, then apply again. */
        PENDING_CONFIRMATION
    }

    /**
     * One migration's outcome.
     *
     * @param version the version
     * @param script the file name
     * @param result what happened
     * @param message the details: the error, the refusal's reason, or what ran
     * @param warnings the lock and duration warnings shown
     * @param elapsed the time its statements took
     */
    public record Applied(
            String version, String script, Result result, String message, List<String> warnings, Duration elapsed) {
        /** Copies the warnings. */
        public Applied {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * The outcome of {@link #apply}: one entry a migration tried, in order; it stops at the first that was not
     * applied.
     *
     * @param migrations the migrations tried
     */
    public record ApplyReport(List<Applied> migrations) {
        /** Copies the list. */
        public ApplyReport {
            migrations = List.copyOf(migrations);
        }

        /** Returns whether every migration tried was applied (true when none was pending). */
        public boolean succeeded() {
            return migrations.stream().allMatch(m -> m.result() == Result.APPLIED);
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // plan

    /**
     * Plans {@code change} as the next migration; with {@code write} the files are written (never over an existing
     * file), else only returned.
     *
     * @throws UncheckedIOException if the directory cannot be read or the files written
     */
    public Planned plan(Change change, boolean write) {
        Objects.requireNonNull(change, "change == null");
        List<String> statements = Scripts.split(change.sql());
        String description = Scripts.slug(
                change.description().isBlank() ? Scripts.describe(statements.get(0)) : change.description());
        String version = nextVersion();
        List<String> warnings = warnings(statements);
        StringBuilder script = new StringBuilder();
        script.append("-- ")
                .append(change.description().isBlank() ? description.replace('_', ' ') : oneLine(change.description()))
                .append('\n');
        for (String w : warnings) {
            script.append("-- Warning: ").append(oneLine(w)).append('\n');
        }
        for (String s : statements) {
            script.append(s).append(";\n");
        }
        Path file = directory.resolve("V" + version + "__" + description + ".sql");
        Optional<List<String>> undo = Scripts.undo(statements);
        Path undoFile = undo.isPresent() ? directory.resolve("U" + version + "__" + description + ".sql") : null;
        String undoScript = undo.map(u -> "-- undo " + file.getFileName() + "\n" + String.join(";\n", u) + ";\n")
                .orElse(null);
        if (write) {
            try {
                Files.createDirectories(directory);
                Files.writeString(file, script, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
                if (undoFile != null && undoScript != null) {
                    Files.writeString(undoFile, undoScript, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e, e);
            }
        }
        return new Planned(version, file, script.toString(), undoFile, undoScript, warnings, write);
    }

    private String nextVersion() {
        String highest = null;
        for (Scripts.FileName f : files().keySet()) {
            if (highest == null || Scripts.compareVersions(f.version(), highest) > 0) {
                highest = f.version();
            }
        }
        String major = highest == null ? "0" : highest.split("\\.")[0];
        boolean timestamps = timestampVersions || major.length() >= 12;
        if (!timestamps) {
            return new java.math.BigInteger(major).add(java.math.BigInteger.ONE).toString();
        }
        String now = TIMESTAMP.format(clock.instant());
        if (highest != null && Scripts.compareVersions(now, highest) <= 0) {
            return new java.math.BigInteger(major).add(java.math.BigInteger.ONE).toString();
        }
        return now;
    }

    /** Returns the V files of the directory by parsed name; empty when the directory does not exist. */
    private Map<Scripts.FileName, Path> files() {
        Map<Scripts.FileName, Path> out = new HashMap<>();
        if (!Files.isDirectory(directory)) {
            return out;
        }
        try (Stream<Path> s = Files.list(directory)) {
            s.filter(Files::isRegularFile)
                    .forEach(p -> Scripts.parse(p.getFileName().toString())
                            .filter(f -> f.prefix() == 'V')
                            .ifPresent(f -> out.put(f, p)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory + ": " + e, e);
        }
        return out;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    // -------------------------------------------------------------------------------------------------------------
    // warnings

    private List<String> warnings(List<String> statements) {
        List<String> out = new ArrayList<>();
        for (String s : statements) {
            for (Scripts.Rewrite r : Scripts.rewrites(s)) {
                long[] size = r.table().isEmpty() ? null : size(r.table());
                boolean big = size != null && size[0] >= bigTableRows;
                if (r.onlyIfBig() && !big) {
                    continue;
                }
                String on = r.table().isEmpty() ? "every table" : r.table();
                String sized =
                        size == null ? "" : String.format(Locale.ROOT, " (about %d rows, %s)", size[0], bytes(size[1]));
                out.add(on + sized + ": " + r.what() + ".");
            }
        }
        return out;
    }

    /** Returns the table's estimated rows and total bytes, or null when it is unknown (no database, not there). */
    private long @Nullable [] size(String tableName) {
        if (path == null) {
            return null;
        }
        String literal = "'" + tableName.replace("'", "''") + "'";
        try {
            QueryResult r = path.query("SELECT greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid) "
                    + "FROM pg_class c WHERE c.oid = to_regclass(" + literal + ")");
            if (r.rowCount() != 1 || r.rows().get(0).get(0) == null) {
                return null;
            }
            return new long[] {
                Long.parseLong(r.rows().get(0).get(0)),
                Long.parseLong(r.rows().get(0).get(1))
            };
        } catch (RuntimeException e) {
            LOG.debug("No size for {}: {}", tableName, e.toString());
            return null;
        }
    }

    private static String bytes(long n) {
        return n >= 1L << 30
                ? (n >> 30) + " GB"
                : n >= 1 << 20 ? (n >> 20) + " MB" : n >= 1024 ? (n >> 10) + " kB" : n + " bytes";
    }

    // -------------------------------------------------------------------------------------------------------------
    // status

    private record HistoryRow(
            int rank,
            @Nullable String version,
            String description,
            String type,
            String script,
            @Nullable Integer checksum,
            String installedBy,
            Instant installedOn,
            boolean success) {}

    /**
     * Returns every migration file and every recorded migration, in version order, with where it stands.
     *
     * @throws IllegalStateException if no data source was given
     * @throws dev.pgagent.api.DatabaseException if the history table cannot be read
     */
    public List<Entry> status() {
        DataSource ds = requireDataSource();
        try (Connection c = ds.getConnection()) {
            return status(history(c));
        } catch (SQLException e) {
            throw new dev.pgagent.api.DatabaseException(
                    "cannot read the migration history: " + e.getMessage(), e.getSQLState(), e);
        }
    }

    private List<Entry> status(List<HistoryRow> history) {
        Map<String, HistoryRow> latest = new HashMap<>();
        String baseline = null;
        for (HistoryRow h : history) {
            if (h.version() == null) {
                continue;
            }
            if (h.type().equals("BASELINE")) {
                baseline = h.version();
                continue;
            }
            latest.merge(normal(h.version()), h, (a, b) -> a.rank() > b.rank() ? a : b);
        }
        List<Entry> out = new ArrayList<>();
        Map<String, Boolean> seen = new HashMap<>();
        for (Map.Entry<Scripts.FileName, Path> f : files().entrySet()) {
            String version = f.getKey().version();
            String script = f.getValue().getFileName().toString();
            int checksum = Scripts.checksum(read(f.getValue()));
            HistoryRow h = latest.get(normal(version));
            seen.put(normal(version), true);
            String description = Scripts.historyDescription(f.getKey().description());
            State state;
            if (h == null) {
                state = baseline != null && Scripts.compareVersions(version, baseline) <= 0
                        ? State.BELOW_BASELINE
                        : State.PENDING;
            } else if (!h.success()) {
                state = State.FAILED;
            } else if (h.checksum() != null && h.checksum() != checksum) {
                state = State.CHECKSUM_MISMATCH;
            } else {
                state = State.APPLIED;
            }
            out.add(new Entry(
                    version,
                    description,
                    script,
                    state,
                    checksum,
                    h == null ? null : h.checksum(),
                    h == null ? null : h.installedOn(),
                    h == null ? null : h.installedBy()));
        }
        for (HistoryRow h : latest.values()) {
            if (!seen.containsKey(normal(Objects.requireNonNull(h.version())))) {
                out.add(new Entry(
                        h.version(),
                        h.description(),
                        h.script(),
                        h.success() ? State.MISSING : State.FAILED,
                        null,
                        h.checksum(),
                        h.installedOn(),
                        h.installedBy()));
            }
        }
        out.sort(Comparator.comparing(Entry::version, Scripts::compareVersions));
        return out;
    }

    /** Returns the version without trailing ".0" parts, so that "1" and "1.0" are one version as in Flyway. */
    private static String normal(String version) {
        String v = version.replace('_', '.');
        while (v.endsWith(".0")) {
            v = v.substring(0, v.length() - 2);
        }
        return v;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e, e);
        }
    }

    private String qualifiedTable(Connection c) throws SQLException {
        return quote(schema(c)) + "." + quote(table);
    }

    private String schema(Connection c) throws SQLException {
        if (schema != null) {
            return schema;
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_schema()")) {
            String s = rs.next() ? rs.getString(1) : null;
            if (s == null) {
                throw new dev.pgagent.api.ConfigurationException("the connection has no current schema (search_path"
                        + " names none that exists); name the history table's schema");
            }
            return s;
        }
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private boolean historyExists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, qualifiedTable(c));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private List<HistoryRow> history(Connection c) throws SQLException {
        List<HistoryRow> out = new ArrayList<>();
        if (!historyExists(c)) {
            return out;
        }
        String sql = "SELECT installed_rank, version, description, type, script, checksum, installed_by, installed_on,"
                + " success FROM " + qualifiedTable(c) + " ORDER BY installed_rank";
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                int checksum = rs.getInt(6);
                Integer cs = rs.wasNull() ? null : checksum;
                Timestamp on = rs.getTimestamp(8);
                out.add(new HistoryRow(
                        rs.getInt(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        cs,
                        rs.getString(7),
                        on == null ? Instant.EPOCH : on.toInstant(),
                        rs.getBoolean(9)));
            }
        }
        return out;
    }

    // -------------------------------------------------------------------------------------------------------------
    // apply

    /**
     * Applies the pending migrations in version order, stopping at the first that is not applied; see the class
     * description for the steps. Refuses to start while a migration is recorded as failed or a file changed after
     * it was applied (as Flyway's validation does).
     *
     * @throws IllegalStateException if no guarded path or data source was given
     * @throws dev.pgagent.api.DatabaseException if the history table cannot be read or written
     */
    public ApplyReport apply() {
        GuardedPath p = requirePath();
        requireDataSource();
        List<Entry> entries = status();
        List<Applied> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.state() == State.FAILED || e.state() == State.CHECKSUM_MISMATCH) {
                out.add(new Applied(
                        e.version(),
                        e.script(),
                        Result.REFUSED,
                        e.script() + " is "
                                + e.state().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                                + " in the history; fix the "
                                + "database and the history (flyway repair) before applying more",
                        List.of(),
                        Duration.ZERO));
                return new ApplyReport(out);
            }
        }
        Map<String, Path> byScript = new HashMap<>();
        files().values().forEach(f -> byScript.put(f.getFileName().toString(), f));
        for (Entry e : entries) {
            if (e.state() != State.PENDING) {
                continue;
            }
            Applied a = applyOne(p, e, read(byScript.get(e.script())));
            out.add(a);
            if (a.result() != Result.APPLIED) {
                break;
            }
        }
        return new ApplyReport(out);
    }

    private Applied applyOne(GuardedPath p, Entry e, String content) {
        List<String> statements = Scripts.split(content);
        if (statements.isEmpty()) {
            record(e, 0, true);
            return new Applied(e.version(), e.script(), Result.APPLIED, "no statements", List.of(), Duration.ZERO);
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (String s : statements) {
            Verdict v = p.check(s);
            if (v.decision() == Decision.DENY) {
                return new Applied(
                        e.version(),
                        e.script(),
                        Result.REFUSED,
                        "the policy refuses " + abbreviate(s) + ": " + v.reason(),
                        List.of(),
                        Duration.ZERO);
            }
            verdicts.add(v);
        }
        List<String> warnings = warnings(statements);
        boolean anyConcurrently = statements.stream().anyMatch(Scripts::concurrently);
        String dryRun = anyConcurrently
                ? "none: CONCURRENTLY cannot run inside the transaction a dry run rolls back"
                : dryRun(statements);
        listener.beforeApply(new Preview(e, statements, warnings, dryRun));
        if (dryRun.startsWith("failed")) {
            return new Applied(
                    e.version(),
                    e.script(),
                    Result.FAILED,
                    "the dry run " + dryRun + "; nothing ran",
                    warnings,
                    Duration.ZERO);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < statements.size(); i++) {
            String s = statements.get(i);
            StatementOutcome o = Scripts.concurrently(s) ? outsideTransaction(p, s, verdicts.get(i)) : p.execute(s);
            if (o.status() != StatementOutcome.Status.EXECUTED) {
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                String why = String.valueOf(o.error());
                if (i == 0) {
                    Result r = switch (o.status()) {
                        case DECLINED -> Result.DECLINED;
                        case REFUSED -> Result.REFUSED;
                        case PENDING_CONFIRMATION -> Result.PENDING_CONFIRMATION;
                        default -> Result.FAILED;
                    };
                    return new Applied(e.version(), e.script(), r, why + "; nothing ran", warnings, took);
                }
                record(e, (int) took.toMillis(), false);
                return new Applied(
                        e.version(),
                        e.script(),
                        Result.FAILED,
                        "statement " + (i + 1) + " of "
                                + statements.size() + " was "
                                + o.status().name().toLowerCase(Locale.ROOT) + " (" + why
                                + ") after " + i + " ran; recorded as failed",
                        warnings,
                        took);
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        record(e, (int) Math.min(Integer.MAX_VALUE, took.toMillis()), true);
        return new Applied(
                e.version(),
                e.script(),
                Result.APPLIED,
                statements.size() + " statement" + (statements.size() == 1 ? "" : "s") + " ran",
                warnings,
                took);
    }

    /** Runs the statements in one transaction that is rolled back; returns "ok" or "failed: ...". */
    private String dryRun(List<String> statements) {
        DataSource ds = requireDataSource();
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = " + lockTimeout.toMillis());
                st.execute("SET LOCAL statement_timeout = " + timeout.toMillis());
                for (String s : statements) {
                    st.execute(s);
                }
                return "ok";
            } catch (SQLException e) {
                return "failed: " + oneLine(String.valueOf(e.getMessage()));
            } finally {
                c.rollback();
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            return "failed: " + oneLine(String.valueOf(e.getMessage()));
        }
    }

    /** Confirms a CONCURRENTLY statement through the handler, then runs it on its own, outside a transaction. */
    private StatementOutcome outsideTransaction(GuardedPath p, String sql, Verdict v) {
        long t0 = System.nanoTime();
        if (v.decision() == Decision.CONFIRM) {
            ConfirmationRequest request = new ConfirmationRequest(
                    UUID.randomUUID().toString(), p.caller(), sql, v, DryRun.NOT_APPLICABLE, clock.instant());
            ConfirmationDecision d;
            try {
                d = confirmations.confirm(request);
            } catch (RuntimeException e) {
                LOG.warn("Confirmation handler failed; the statement is declined: {}", e.toString());
                d = ConfirmationDecision.decline("handler-error", "the confirmation handler failed");
            }
            if (d == null || d.status() == ConfirmationDecision.Status.DEFERRED) {
                return outcome(
                        sql,
                        v,
                        StatementOutcome.Status.DECLINED,
                        "a statement outside a transaction cannot " + "wait for a deferred confirmation; declined",
                        null,
                        t0);
            }
            if (d.status() != ConfirmationDecision.Status.APPROVED) {
                return outcome(
                        sql,
                        v,
                        StatementOutcome.Status.DECLINED,
                        "declined by " + d.decidedBy() + (d.comment().isBlank() ? "" : ": " + d.comment()),
                        null,
                        t0);
            }
            if (request.kind() == ConfirmationKind.TYPED
                    && (d.typedText() == null
                            || !d.typedText().strip().equalsIgnoreCase(request.expectedTypedText()))) {
                return outcome(
                        sql,
                        v,
                        StatementOutcome.Status.REFUSED,
                        "the typed confirmation did not match '" + request.expectedTypedText() + "'",
                        null,
                        t0);
            }
        }
        try (Connection c = requireDataSource().getConnection()) {
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute("SET lock_timeout = " + lockTimeout.toMillis());
                st.execute("SET statement_timeout = " + timeout.toMillis());
                try {
                    st.execute(sql);
                } finally {
                    st.execute("RESET lock_timeout");
                    st.execute("RESET statement_timeout");
                }
            }
            return outcome(sql, v, StatementOutcome.Status.EXECUTED, null, null, t0);
        } catch (SQLException e) {
            return outcome(sql, v, StatementOutcome.Status.FAILED, e.getMessage(), e.getSQLState(), t0);
        }
    }

    private static StatementOutcome outcome(
            String sql,
            Verdict v,
            StatementOutcome.Status status,
            @Nullable String error,
            @Nullable String sqlState,
            long t0) {
        return new StatementOutcome(
                sql, v, status, null, -1, error, sqlState, Duration.ofNanos(System.nanoTime() - t0));
    }

    /** Records {@code e} in the history table, creating the table (and its schema) first when absent. */
    private void record(Entry e, int millis, boolean success) {
        try (Connection c = requireDataSource().getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                String t = qualifiedTable(c);
                if (!historyExists(c)) {
                    create(c);
                }
                try (Statement st = c.createStatement()) {
                    st.execute("LOCK TABLE " + t + " IN SHARE ROW EXCLUSIVE MODE");
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + " (installed_rank, version,"
                        + " description, type, script, checksum, installed_by, execution_time, success) VALUES ("
                        + "(SELECT coalesce(max(installed_rank), 0) + 1 FROM " + t + "), ?, ?, 'SQL', ?, ?,"
                        + " coalesce(?, current_user), ?, ?)")) {
                    ps.setString(1, e.version());
                    ps.setString(2, e.description());
                    ps.setString(3, e.script());
                    if (e.checksum() == null) {
                        ps.setNull(4, java.sql.Types.INTEGER);
                    } else {
                        ps.setInt(4, e.checksum());
                    }
                    ps.setString(5, installedBy);
                    ps.setInt(6, millis);
                    ps.setBoolean(7, success);
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException ex) {
                c.rollback();
                throw ex;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException ex) {
            throw new dev.pgagent.api.DatabaseException(
                    "cannot record " + e.script() + " in the history table: " + ex.getMessage(), ex.getSQLState(), ex);
        }
    }

    /** Creates the history table exactly as Flyway does on PostgreSQL. */
    private void create(Connection c) throws SQLException {
        String s = quote(schema(c));
        String t = qualifiedTable(c);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + s);
            st.execute("CREATE TABLE " + t + " (\n"
                    + "    \"installed_rank\" INT NOT NULL,\n"
                    + "    \"version\" VARCHAR(50),\n"
                    + "    \"description\" VARCHAR(200) NOT NULL,\n"
                    + "    \"type\" VARCHAR(20) NOT NULL,\n"
                    + "    \"script\" VARCHAR(1000) NOT NULL,\n"
                    + "    \"checksum\" INTEGER,\n"
                    + "    \"installed_by\" VARCHAR(100) NOT NULL,\n"
                    + "    \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),\n"
                    + "    \"execution_time\" INTEGER NOT NULL,\n"
                    + "    \"success\" BOOLEAN NOT NULL\n"
                    + ")");
            st.execute("ALTER TABLE " + t + " ADD CONSTRAINT " + quote(table + "_pk") + " PRIMARY KEY"
                    + " (\"installed_rank\")");
            st.execute("CREATE INDEX " + quote(table + "_s_idx") + " ON " + t + " (\"success\")");
        }
    }

    private static String abbreviate(String sql) {
        String s = oneLine(sql);
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    private GuardedPath requirePath() {
        if (path == null) {
            throw new IllegalStateException("applying migrations needs a guarded path; set Builder.path");
        }
        return path;
    }

    private DataSource requireDataSource() {
        if (dataSource == null) {
            throw new IllegalStateException(
                    "reading the migration history needs a data source; set " + "Builder.dataSource");
        }
        return dataSource;
    }

    @Override
    public String toString() {
        return "Migrations{directory=" + directory + ", table=" + (schema == null ? "" : schema + ".") + table + '}';
    }

    /** Builds {@link Migrations}. Not thread-safe. */
    public static final class Builder {
        private @Nullable GuardedPath path;
        private @Nullable DataSource dataSource;
        private Path directory = Path.of(DEFAULT_DIRECTORY);
        private @Nullable String schema;
        private String table = DEFAULT_TABLE;
        private @Nullable String installedBy;
        private ConfirmationHandler confirmations = ConfirmationHandler.DECLINE_ALL;
        private Listener listener = Listener.NONE;
        private boolean timestampVersions;
        private long bigTableRows = 100_000;
        private Duration timeout = Duration.ofHours(1);
        private Duration lockTimeout = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /**
         * Sets the guarded path statements run through (and table sizes are read through, for the warnings).
         * Required by {@link #apply}; without it {@link #plan} warns without table sizes.
         */
        public Builder path(GuardedPath path) {
            this.path = Objects.requireNonNull(path, "path == null");
            return this;
        }

        /**
         * Sets the database of the history table, the dry runs and the statements run outside a transaction; the
         * same database as the path's default. Required by {@link #status} and {@link #apply}.
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource == null");
            return this;
        }

        /** Sets the migrations directory. Default: {@value #DEFAULT_DIRECTORY_TEXT}, relative to the working one. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory == null");
            return this;
        }

        /** Sets the schema of the history table. Default: the connection's current schema. */
        public Builder schema(String schema) {
            this.schema = nonBlank(schema, "schema");
            return this;
        }

        /** Sets the history table's name. Default: {@value Migrations#DEFAULT_TABLE}. */
        public Builder table(String table) {
            this.table = nonBlank(table, "table");
            return this;
        }

        /** Sets who the history records as having applied migrations. Default: the database user. */
        public Builder installedBy(String installedBy) {
            this.installedBy = nonBlank(installedBy, "installedBy");
            return this;
        }

        /**
         * Sets who confirms statements that must run outside a transaction (CONCURRENTLY); give the agent's own
         * handler. Default: {@link ConfirmationHandler#DECLINE_ALL}.
         */
        public Builder confirmationHandler(ConfirmationHandler handler) {
            this.confirmations = Objects.requireNonNull(handler, "handler == null");
            return this;
        }

        /** Sets what is shown each migration before it is applied. Default: {@link Listener#NONE}. */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener == null");
            return this;
        }

        /**
         * Sets whether new versions are UTC timestamps ({@code yyyyMMddHHmmss}) rather than the next integer.
         * Default: false, unless the directory's highest version already is one.
         */
        public Builder timestampVersions(boolean timestampVersions) {
            this.timestampVersions = timestampVersions;
            return this;
        }

        /**
         * Sets the estimated row count from which a table is big: locks that are short on a small table (CREATE
         * INDEX without CONCURRENTLY, SET NOT NULL, validating a constraint) are warned about from there. Default:
         * 100,000; must be >= 0.
         */
        public Builder bigTableRows(long rows) {
            if (rows < 0) {
                throw new IllegalArgumentException("bigTableRows must be >= 0 but was " + rows);
            }
            this.bigTableRows = rows;
            return this;
        }

        /**
         * Sets the statement timeout of dry runs and of statements run outside a transaction (the guarded path's
         * statements have the policy's). Default: 1 hour; must be positive.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /** Sets the lock timeout of dry runs and statements run outside a transaction. Default: 10 s. */
        public Builder lockTimeout(Duration lockTimeout) {
            this.lockTimeout = positive(lockTimeout, "lockTimeout");
            return this;
        }

        /** Sets the clock for timestamp versions. Default: the system's UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock == null");
            return this;
        }

        /** Returns the migrations facility. */
        public Migrations build() {
            return new Migrations(this);
        }

        private static final String DEFAULT_DIRECTORY_TEXT = DEFAULT_DIRECTORY;

        private static String nonBlank(String value, String name) {
            Objects.requireNonNull(value, name + " == null");
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank but was '" + value + "'");
            }
            return value;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name + " == null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive but was " + d);
            }
            return d;
        }
    }
}
