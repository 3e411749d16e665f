package dev.pgagent.db.postgres;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.session.SessionConflictException;
import dev.pgagent.api.session.SessionStore;
import dev.pgagent.api.session.StoredSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Keeps session states in PostgreSQL, in the table {@code sessions} (id, version, state bytea, created_at,
 * updated_at) of a schema the host names, created by the versioned script
 * {@code dev/pgagent/db/postgres/sessions/V1__sessions.sql} (applied on first use or by {@link #migrate()}, recorded in
 * {@code <schema>.pgagent_sessions_version}). A save is a compare-and-set on the version: an insert that finds the
 * row, or an update that finds another version, fails with {@link SessionConflictException}. Thread-safe; every call
 * borrows a connection from the host's data source.
 *
 * <pre>{@code
 * PostgresSessionStore sessions = PostgresSessionStore.builder().dataSource(pool).schema("pgagent").build();
 * PostgresAgent agent = PostgresAgent.builder().llm(llm).dataSource(pool).sessionStore(sessions).build();
 * }</pre>
 */
public final class PostgresSessionStore implements SessionStore {
    static final List<String> MIGRATIONS = List.of("V1__sessions.sql");

    private final DataSource dataSource;
    private final String schema;
    private final String table;
    private volatile boolean migrated;

    private PostgresSessionStore(Builder b, DataSource dataSource) {
        this.dataSource = dataSource;
        this.schema = b.schema;
        this.table = '"' + b.schema + "\".sessions";
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the schema of the table. */
    public String schema() {
        return schema;
    }

    /**
     * Applies the migration scripts not yet applied and returns their versions. Safe from several processes at once.
     *
     * @throws DatabaseException if a script fails or an applied script was changed since
     */
    public List<Integer> migrate() {
        List<Integer> applied = SchemaMigrations.migrate(dataSource, schema, "sessions", MIGRATIONS);
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
    public Optional<StoredSession> load(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId == null");
        ensureMigrated();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT version, state, updated_at FROM " + table + " WHERE id = ?")) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredSession(
                        sessionId,
                        rs.getLong(1),
                        rs.getBytes(2),
                        rs.getTimestamp(3).toInstant()));
            }
        } catch (SQLException e) {
            throw failure("load session " + sessionId, e);
        }
    }

    @Override
    public long save(String sessionId, long expectedVersion, byte[] state) {
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(state, "state == null");
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion must be >= 0 but was " + expectedVersion);
        }
        ensureMigrated();
        String sql = expectedVersion == 0
                ? "INSERT INTO " + table + " (id, version, state) VALUES (?, 1, ?) ON CONFLICT (id) DO NOTHING"
                : "UPDATE " + table + " SET version = version + 1, state = ?, updated_at = now()"
                        + " WHERE id = ? AND version = ?";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            if (expectedVersion == 0) {
                ps.setString(1, sessionId);
                ps.setBytes(2, state);
            } else {
                ps.setBytes(1, state);
                ps.setString(2, sessionId);
                ps.setLong(3, expectedVersion);
            }
            if (ps.executeUpdate() != 1) {
                throw new SessionConflictException(sessionId, expectedVersion);
            }
            return expectedVersion + 1;
        } catch (SQLException e) {
            throw failure("save session " + sessionId, e);
        }
    }

    @Override
    public boolean delete(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId == null");
        ensureMigrated();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
            ps.setString(1, sessionId);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("delete session " + sessionId, e);
        }
    }

    @Override
    public int expireOlderThan(Duration age) {
        Objects.requireNonNull(age, "age == null");
        if (age.isNegative()) {
            throw new IllegalArgumentException("age must not be negative but was " + age);
        }
        ensureMigrated();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM " + table + " WHERE updated_at < now() - make_interval(secs => ?)")) {
            ps.setDouble(1, age.toNanos() / 1e9);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("expire sessions", e);
        }
    }

    private DatabaseException failure(String what, SQLException e) {
        return new DatabaseException(
                "cannot " + what + " in " + schema + ".sessions: " + GuardedExecutor.describe(e), e.getSQLState(), e);
    }

    @Override
    public String toString() {
        return "PostgresSessionStore[" + schema + ".sessions]";
    }

    /** Builds a {@link PostgresSessionStore}. Not thread-safe. */
    public static final class Builder {
        private @Nullable DataSource dataSource;
        private String schema = "pgagent";

        private Builder() {}

        /** Sets the data source the table lives in (it may be another database than the one asked). Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource == null");
            return this;
        }

        /**
         * Sets the schema of the table, created if missing: a plain identifier, used as written. Default:
         * {@code pgagent}.
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
        public PostgresSessionStore build() {
            if (dataSource == null) {
                throw new IllegalStateException("dataSource must be set but was null");
            }
            return new PostgresSessionStore(this, dataSource);
        }
    }
}
