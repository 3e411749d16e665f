package dev.pgagent.db.postgres;

import dev.pgagent.api.DatabaseException;

/**
 * Reports a statement refused before it ran because PostgreSQL's plan of it reads data of a denied table or column
 * (see {@link DeniedData}): through a view, an inheritance child or partition, or a materialized view. Nothing ran.
 */
public final class DeniedDataException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    /** Creates the refusal; {@code reason} says which table or column the plan reads and through what. */
    public DeniedDataException(String reason) {
        super("refused: " + reason, null, null);
        this.reason = reason;
    }

    /** Returns why the statement was refused, without the {@code "refused: "} prefix. */
    public String reason() {
        return reason;
    }
}
