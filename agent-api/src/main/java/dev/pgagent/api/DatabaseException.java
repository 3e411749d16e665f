package dev.pgagent.api;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reports a failure of the database: a connection that could not be made, a statement PostgreSQL refused, a
 * catalog read that failed. Wraps the driver's {@code SQLException} as its cause.
 */
public class DatabaseException extends PgAgentException {
    private static final long serialVersionUID = 1L;

    private final @Nullable String sqlState;

    /**
     * Creates a database failure.
     *
     * @param message a description without passwords
     * @param sqlState the five-character SQLSTATE PostgreSQL reported, or null
     * @param cause the driver's exception, or null
     */
    public DatabaseException(String message, @Nullable String sqlState, @Nullable Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /** Returns the SQLSTATE PostgreSQL reported, if any (for example {@code 42P01} for an unknown table). */
    public Optional<String> sqlState() {
        return Optional.ofNullable(sqlState);
    }
}
