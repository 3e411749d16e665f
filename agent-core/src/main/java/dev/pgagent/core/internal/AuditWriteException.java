package dev.pgagent.core.internal;

import dev.pgagent.api.PgAgentException;

/** Thrown under the fail-closed audit policy when an audit record could not be written. */
public final class AuditWriteException extends PgAgentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public AuditWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
