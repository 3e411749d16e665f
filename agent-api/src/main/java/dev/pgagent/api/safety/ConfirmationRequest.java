package dev.pgagent.api.safety;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * Asks a person to approve one statement: what will run, how it was classified, the tables it touches, and for DML
 * what its dry run did. Serializable, so a host that does not block a thread on a person can store pending requests
 * and resume the session later with the decisions.
 *
 * @param id a unique identifier; the decision for this request is keyed by it when resuming
 * @param sessionId the session the statement belongs to
 * @param sql the statement, exactly as it will run
 * @param verdict the safety verdict (classification, tables, reason, kind of confirmation)
 * @param dryRun what the statement did in a rolled-back transaction
 * @param requestedAt when the request was made
 */
public record ConfirmationRequest(
        String id, String sessionId, String sql, Verdict verdict, DryRun dryRun, Instant requestedAt)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Validates the components. */
    public ConfirmationRequest {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(sql, "sql == null");
        Objects.requireNonNull(verdict, "verdict == null");
        Objects.requireNonNull(dryRun, "dryRun == null");
        Objects.requireNonNull(requestedAt, "requestedAt == null");
        if (verdict.decision() != Decision.CONFIRM) {
            throw new IllegalArgumentException("verdict must need confirmation but was " + verdict.decision());
        }
    }

    /** Returns the kind of confirmation needed. */
    public ConfirmationKind kind() {
        return verdict.confirmation();
    }

    /**
     * Returns the text a person must type for a {@link ConfirmationKind#TYPED} confirmation: the first table the
     * statement touches, or the statement's kind when it names none.
     */
    public String expectedTypedText() {
        return verdict.tables().isEmpty()
                ? verdict.kind().name().toLowerCase(java.util.Locale.ROOT)
                : verdict.tables().iterator().next();
    }
}
