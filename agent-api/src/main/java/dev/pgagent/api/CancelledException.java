package dev.pgagent.api;

/** Reports that an ask or a statement was cancelled by the host or because its thread was interrupted. */
public class CancelledException extends PgAgentException {
    private static final long serialVersionUID = 1L;

    /** Creates a cancellation with a message. */
    public CancelledException(String message) {
        super(message);
    }
}
