package dev.pgagent.cli;

/**
 * A mistake the user can fix (a missing setting, a bad flag value); reported as one line, without a stack trace,
 * with exit status 2 (usage or configuration error) unless made with {@link #failed(String)} (status 1: the work
 * asked for could not be done, such as a table that does not exist).
 */
final class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    /** A usage or configuration error: exit status 2. */
    UserException(String message) {
        this(message, PgAgentCli.USAGE);
    }

    private UserException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** Returns an error about the work, not its settings: exit status 1. */
    static UserException failed(String message) {
        return new UserException(message, 1);
    }

    /** Returns the exit status. */
    int status() {
        return status;
    }
}
