package dev.pgagent.db.postgres;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.history.AskRecord;
import dev.pgagent.api.history.HistoryQuery;
import dev.pgagent.api.history.HistorySearch;
import dev.pgagent.api.history.HistoryStore;
import dev.pgagent.api.history.QueryExample;
import dev.pgagent.api.history.QueryMemory;
import dev.pgagent.api.history.StatementRecord;
import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.sql.StatementOutcome;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the history of asks and the golden (question, SQL) pairs in PostgreSQL, in tables of a schema the host
 * names: {@code asks}, {@code statements} (no result rows), {@code examples}. The tables are created by versioned
 * migration scripts shipped in this jar ({@code dev/pgagent/db/postgres/history/V1__history.sql}, Flyway-style
 * names), which the store applies itself on first use (or when {@link #migrate()} is called), one transaction under
 * an advisory lock, recording each in {@code <schema>.pgagent_history_version} with its checksum; a script changed
 * after it was applied is refused. Times are kept to the microsecond. Similar questions are found with PostgreSQL's
 * full-text search (the {@code simple} configuration, words matched by prefix), ranked by {@code ts_rank}.
 * Thread-safe; every call borrows a connection from the host's data source.
 *
 * <pre>{@code
 * PostgresHistoryStore history = PostgresHistoryStore.builder().dataSource(pool).schema("pgagent").build();
 * PostgresAgent agent = PostgresAgent.builder().llm(llm).dataSource(pool).historyStore(history).build();
 * List<AskRecord> recent = history.search(HistoryQuery.builder().text("revenue").build());
 * }</pre>
 */
public final class PostgresHistoryStore implements HistoryStore, HistorySearch, QueryMemory {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresHistoryStore.class);
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}_]+");
    /** The migration scripts, in order; each named V{version}__{description}.sql. */
    static final List<String> MIGRATIONS = List.of("V1__history.sql");

    private static final Set<String> STOP_WORDS = Set.of(
            "a", "an", "the", "of", "in", "on", "for", "to", "and", "or", "is", "are", "was", "were", "be", "by",
            "with", "what", "which", "who", "how", "many", "much", "me", "my", "our", "we", "us", "show", "list",
            "give", "tell", "all", "each", "per", "from", "at", "do", "does", "did", "it", "its", "this", "that",
            "there", "have", "has", "i", "you", "please");

    private final DataSource dataSource;
    private final String schema;
    private final String quotedSchema;
    private volatile boolean migrated;

    private PostgresHistoryStore(Builder b) {
        this.dataSource = Objects.requireNonNull(b.dataSource, "dataSource");
        this.schema = b.schema;
        this.quotedSchema = '"' + b.schema + '"';
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the schema the tables live in. */
    public String schema() {
        return schema;
    }

    /**
     * Applies the migration scripts not yet applied and returns their versions (empty when the tables are current).
     * Safe to call from several processes at once.
     *
     * @throws DatabaseException if a script fails or an applied script was changed since
     */
    public List<Integer> migrate() {
        // the same versioned-script runner as the session and audit stores: one transaction under an advisory lock,
        // checksums recorded in <schema>.pgagent_history_version
        List<Integer> applied = SchemaMigrations.migrate(dataSource, schema, "history", MIGRATIONS);
        if (!applied.isEmpty()) {
            LOG.info("Applied history migrations {} to schema {}", applied, schema);
        }
        migrated = true;
        return applied;
    }

    private void ensureMigrated() {
        if (!migrated) {
            synchronized (this) {
                if (!migrated) {
                    migrate();
                }
            }
        }
    }

    @Override
    public void record(AskRecord ask) {
        Objects.requireNonNull(ask, "ask == null");
        ensureMigrated();
        Optional<StatementRecord> last = ask.finalStatement();
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + quotedSchema + ".asks (id, session_id,"
                    + " principal, question, answer, status, error, started_at, elapsed_us, steps, input_tokens,"
                    + " output_tokens, final_database, final_sql) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                    + " ON CONFLICT (id) DO UPDATE SET session_id = EXCLUDED.session_id,"
                    + " principal = EXCLUDED.principal, question = EXCLUDED.question, answer = EXCLUDED.answer,"
                    + " status = EXCLUDED.status, error = EXCLUDED.error, started_at = EXCLUDED.started_at,"
                    + " elapsed_us = EXCLUDED.elapsed_us, steps = EXCLUDED.steps,"
                    + " input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens,"
                    + " final_database = EXCLUDED.final_database, final_sql = EXCLUDED.final_sql,"
                    + " recorded_at = now()")) {
                ps.setString(1, ask.id());
                ps.setString(2, ask.sessionId());
                ps.setString(3, ask.principal());
                ps.setString(4, ask.question());
                ps.setString(5, ask.answer());
                ps.setString(6, ask.status());
                ps.setString(7, ask.error().orElse(null));
                ps.setTimestamp(8, Timestamp.from(ask.startedAt()));
                ps.setLong(9, micros(ask.elapsed()));
                ps.setInt(10, ask.steps());
                ps.setLong(11, ask.inputTokens());
                ps.setLong(12, ask.outputTokens());
                ps.setString(13, last.map(StatementRecord::database).orElse(null));
                ps.setString(14, last.map(StatementRecord::sql).orElse(null));
                ps.executeUpdate();
            }
            try (PreparedStatement del =
                    c.prepareStatement("DELETE FROM " + quotedSchema + ".statements WHERE ask_id = ?")) {
                del.setString(1, ask.id());
                del.executeUpdate();
            }
            if (!ask.statements().isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + quotedSchema + ".statements"
                        + " (ask_id, position, database, sql, decision, kind, reason, status, row_count,"
                        + " affected_rows, error, sql_state, elapsed_us) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                    int i = 0;
                    for (StatementRecord s : ask.statements()) {
                        ps.setString(1, ask.id());
                        ps.setInt(2, i++);
                        ps.setString(3, s.database());
                        ps.setString(4, s.sql());
                        ps.setString(5, s.decision().name());
                        ps.setString(6, s.kind().name());
                        ps.setString(7, s.reason());
                        ps.setString(8, s.status().name());
                        ps.setLong(9, s.rows());
                        ps.setLong(10, s.affectedRows());
                        ps.setString(11, s.error());
                        ps.setString(12, s.sqlState());
                        ps.setLong(13, micros(s.elapsed()));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            return null;
        });
    }

    @Override
    public Optional<AskRecord> find(String id) {
        Objects.requireNonNull(id, "id == null");
        ensureMigrated();
        List<AskRecord> found = query("a.id = ?", List.of(id), "a.started_at DESC", 1);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public List<AskRecord> search(HistoryQuery q) {
        Objects.requireNonNull(q, "query == null");
        ensureMigrated();
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        q.sessionId().ifPresent(s -> {
            where.add("a.session_id = ?");
            params.add(s);
        });
        q.principal().ifPresent(p -> {
            where.add("a.principal = ?");
            params.add(p);
        });
        q.text().ifPresent(t -> {
            String needle = t.toLowerCase(Locale.ROOT);
            where.add("(strpos(lower(a.question), ?) > 0 OR strpos(lower(a.answer), ?) > 0 OR EXISTS (SELECT 1"
                    + " FROM " + quotedSchema + ".statements s WHERE s.ask_id = a.id"
                    + " AND strpos(lower(s.sql), ?) > 0))");
            params.add(needle);
            params.add(needle);
            params.add(needle);
        });
        String order =
                q.oldestFirst() ? "a.started_at, a.recorded_at, a.id" : "a.started_at DESC, a.recorded_at DESC, a.id";
        return query(where.isEmpty() ? "true" : String.join(" AND ", where), params, order, q.limit());
    }

    private List<AskRecord> query(String where, List<Object> params, String order, int limit) {
        return inTransaction(c -> {
            Map<String, AskRecord.Builder> asks = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT a.id, a.session_id, a.principal, a.question,"
                    + " a.answer, a.status, a.error, a.started_at, a.elapsed_us, a.steps, a.input_tokens,"
                    + " a.output_tokens FROM " + quotedSchema + ".asks a WHERE " + where + " ORDER BY " + order
                    + " LIMIT " + limit)) {
                for (int i = 0; i < params.size(); i++) {
                    ps.setObject(i + 1, params.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        asks.put(
                                rs.getString(1),
                                AskRecord.builder()
                                        .id(rs.getString(1))
                                        .sessionId(rs.getString(2))
                                        .principal(rs.getString(3))
                                        .question(rs.getString(4))
                                        .answer(rs.getString(5))
                                        .status(rs.getString(6))
                                        .error(rs.getString(7))
                                        .startedAt(rs.getTimestamp(8).toInstant())
                                        .elapsed(Duration.of(rs.getLong(9), ChronoUnit.MICROS))
                                        .steps(rs.getInt(10))
                                        .tokens(rs.getLong(11), rs.getLong(12)));
                    }
                }
            }
            if (asks.isEmpty()) {
                return List.of();
            }
            Array ids = c.createArrayOf("text", asks.keySet().toArray());
            try (PreparedStatement ps = c.prepareStatement("SELECT ask_id, database, sql, decision, kind, reason,"
                    + " status, row_count, affected_rows, error, sql_state, elapsed_us FROM " + quotedSchema
                    + ".statements WHERE ask_id = ANY (?) ORDER BY ask_id, position")) {
                ps.setArray(1, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        asks.get(rs.getString(1))
                                .addStatement(new StatementRecord(
                                        rs.getString(2),
                                        rs.getString(3),
                                        Decision.valueOf(rs.getString(4)),
                                        StatementKind.valueOf(rs.getString(5)),
                                        rs.getString(6),
                                        StatementOutcome.Status.valueOf(rs.getString(7)),
                                        rs.getLong(8),
                                        rs.getLong(9),
                                        rs.getString(10),
                                        rs.getString(11),
                                        Duration.of(rs.getLong(12), ChronoUnit.MICROS)));
                    }
                }
            } finally {
                ids.free();
            }
            return asks.values().stream().map(AskRecord.Builder::build).toList();
        });
    }

    @Override
    public QueryExample addExample(String database, String question, String sql) {
        requireText(database, "database");
        requireText(question, "question");
        requireText(sql, "sql");
        ensureMigrated();
        String id = "example-" + UUID.randomUUID();
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + quotedSchema + ".examples"
                    + " (id, database, question, sql) VALUES (?,?,?,?) RETURNING created_at")) {
                ps.setString(1, id);
                ps.setString(2, database);
                ps.setString(3, question);
                ps.setString(4, sql);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new QueryExample(
                            id,
                            database,
                            question,
                            sql,
                            QueryExample.Source.GOLDEN,
                            rs.getTimestamp(1).toInstant());
                }
            }
        });
    }

    @Override
    public boolean forget(String id) {
        Objects.requireNonNull(id, "id == null");
        ensureMigrated();
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + quotedSchema + ".examples WHERE id = ?")) {
                ps.setString(1, id);
                if (ps.executeUpdate() > 0) {
                    return true;
                }
            }
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE " + quotedSchema + ".asks SET in_memory = false WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<QueryExample> examples(String database) {
        Objects.requireNonNull(database, "database == null");
        ensureMigrated();
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, database, question, sql, created_at FROM "
                    + quotedSchema + ".examples WHERE database = ? ORDER BY created_at DESC, id")) {
                ps.setString(1, database);
                List<QueryExample> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new QueryExample(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                QueryExample.Source.GOLDEN,
                                rs.getTimestamp(5).toInstant()));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<QueryExample> similar(String database, String question, int limit) {
        Objects.requireNonNull(database, "database == null");
        Objects.requireNonNull(question, "question == null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1 but was " + limit);
        }
        List<String> words = words(question);
        if (words.isEmpty()) {
            return List.of();
        }
        ensureMigrated();
        String tsquery = String.join(" | ", words.stream().map(w -> w + ":*").toList());
        return inTransaction(c -> {
            // golden pairs first among equals: a host put them there on purpose
            try (PreparedStatement ps = c.prepareStatement("WITH q AS (SELECT to_tsquery('simple', ?) AS query)"
                    + " SELECT id, database, question, sql, source, created_at FROM ("
                    + " SELECT e.id, e.database, e.question, e.sql, 'GOLDEN' AS source, e.created_at,"
                    + " ts_rank(to_tsvector('simple', e.question), q.query) * 1.1 AS rank"
                    + " FROM " + quotedSchema + ".examples e, q WHERE e.database = ?"
                    + " AND to_tsvector('simple', e.question) @@ q.query"
                    + " UNION ALL"
                    + " SELECT a.id, a.final_database, a.question, a.final_sql, 'HISTORY', a.started_at,"
                    + " ts_rank(to_tsvector('simple', a.question), q.query)"
                    + " FROM " + quotedSchema + ".asks a, q WHERE a.final_database = ? AND a.status = 'COMPLETED'"
                    + " AND a.final_sql IS NOT NULL AND a.in_memory AND to_tsvector('simple', a.question) @@ q.query"
                    + " ) x ORDER BY rank DESC, created_at DESC, id LIMIT ?")) {
                ps.setString(1, tsquery);
                ps.setString(2, database);
                ps.setString(3, database);
                ps.setInt(4, limit);
                List<QueryExample> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new QueryExample(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                QueryExample.Source.valueOf(rs.getString(5)),
                                rs.getTimestamp(6).toInstant()));
                    }
                }
                return out;
            }
        });
    }

    /** Returns the distinct lower-cased words of {@code text} worth matching (no stop words, no single letters). */
    static List<String> words(String text) {
        Set<String> out = new LinkedHashSet<>();
        var m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            String w = m.group();
            if (w.length() > 1 && !STOP_WORDS.contains(w)) {
                out.add(w.length() > 3 && w.endsWith("s") ? w.substring(0, w.length() - 1) : w);
            }
        }
        return List.copyOf(out);
    }

    private static void requireText(@Nullable String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    name + " must not be blank but was " + (value == null ? "null" : "'" + value + "'"));
        }
    }

    private static long micros(Duration d) {
        return d.getSeconds() * 1_000_000L + d.getNano() / 1_000;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            }
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                if (autoCommit) {
                    c.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw new DatabaseException(
                    "history store (schema " + schema + "): " + GuardedExecutor.describe(e), e.getSQLState(), e);
        }
    }

    @Override
    public String toString() {
        return "PostgresHistoryStore{schema=" + schema + '}';
    }

    /** Builds a {@link PostgresHistoryStore}. Not thread-safe. */
    public static final class Builder {
        private @Nullable DataSource dataSource;
        private String schema = "pgagent";

        private Builder() {}

        /** Sets the data source the history lives in (it may be another database than the one asked). Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource == null");
            return this;
        }

        /**
         * Sets the schema of the history tables, created if missing: a plain identifier (letters, digits, '_'), used
         * as written (quoted, so case is kept). Default: {@code pgagent}.
         */
        public Builder schema(String schema) {
            this.schema = SchemaMigrations.checkSchema(Objects.requireNonNull(schema, "schema == null"));
            return this;
        }

        /**
         * Returns the store; it reaches the database on first use.
         *
         * @throws IllegalStateException if no data source was set
         */
        public PostgresHistoryStore build() {
            if (dataSource == null) {
                throw new IllegalStateException("dataSource must be set but was null");
            }
            return new PostgresHistoryStore(this);
        }
    }
}
