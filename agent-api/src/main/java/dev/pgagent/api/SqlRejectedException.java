package dev.pgagent.api;

import dev.pgagent.api.safety.Verdict;
import java.util.Objects;

/**
 * Reports that a SQL statement was refused by the safety layer. Refusals are normally values ({@link Verdict});
 * this exception is thrown only where a caller asked for a refusal to be fatal.
 */
public class SqlRejectedException extends PgAgentException {
    private static final long serialVersionUID = 1L;

    private final Verdict verdict;

    /** Creates a rejection carrying the verdict that refused the statement. */
    public SqlRejectedException(Verdict verdict) {
        super("SQL rejected (" + verdict.kind() + "): " + verdict.reason());
        this.verdict = Objects.requireNonNull(verdict, "verdict == null");
    }

    /**
     * Creates a rejection carrying the verdict and the reason it was refused (which may differ from the verdict's
     * when a later check refused it: the plan check, a budget, a person who declined).
     */
    public SqlRejectedException(Verdict verdict, String reason) {
        super("SQL rejected (" + verdict.kind() + "): " + Objects.requireNonNull(reason, "reason == null"));
        this.verdict = Objects.requireNonNull(verdict, "verdict == null");
    }

    /** Returns the verdict that refused the statement. */
    public Verdict verdict() {
        return verdict;
    }
}
