package dev.pgagent.cli;

/** A mistake the user can fix (a missing setting, a bad flag value); reported as one line, without a stack trace. */
final class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserException(String message) {
        super(message);
    }
}
