package dev.pgagent.core.eval;

import dev.pgagent.api.PgAgentException;
import org.jspecify.annotations.Nullable;

/**
 * Reports a question file or results file that cannot be read or written: missing, not JSON, or an entry without
 * a question or gold SQL. The message names the file and, where there is one, the line or entry.
 */
public final class EvalFileException extends PgAgentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public EvalFileException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /** Creates the exception without a cause. */
    public EvalFileException(String message) {
        super(message);
    }
}
