package dev.pgagent.api.safety;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The safety layer's decision on one SQL text.
 *
 * @param decision allow, confirm or deny
 * @param kind the statement's classification
 * @param reason why, in one sentence a person and a model can act on
 * @param tables the tables the statement reads or writes, as written in it (schema-qualified where it was),
 *     lower-cased unless quoted; sorted
 * @param confirmation the confirmation needed when {@code decision} is {@link Decision#CONFIRM}, else
 *     {@link ConfirmationKind#NONE}
 */
public record Verdict(
        Decision decision, StatementKind kind, String reason, Set<String> tables, ConfirmationKind confirmation)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Validates and copies the components. */
    public Verdict {
        Objects.requireNonNull(decision, "decision == null");
        Objects.requireNonNull(kind, "kind == null");
        Objects.requireNonNull(reason, "reason == null");
        Objects.requireNonNull(confirmation, "confirmation == null");
        tables = java.util.Collections.unmodifiableSortedSet(
                new TreeSet<>(Objects.requireNonNull(tables, "tables == null")));
        if ((decision == Decision.CONFIRM) != (confirmation != ConfirmationKind.NONE)) {
            throw new IllegalArgumentException("confirmation must be set exactly when decision is CONFIRM but was "
                    + confirmation + " for " + decision);
        }
    }

    /** Returns an allowing verdict. */
    public static Verdict allow(StatementKind kind, String reason, Set<String> tables) {
        return new Verdict(Decision.ALLOW, kind, reason, tables, ConfirmationKind.NONE);
    }

    /** Returns a denying verdict. */
    public static Verdict deny(StatementKind kind, String reason, Set<String> tables) {
        return new Verdict(Decision.DENY, kind, reason, tables, ConfirmationKind.NONE);
    }

    /** Returns a denying verdict with no tables. */
    public static Verdict deny(StatementKind kind, String reason) {
        return deny(kind, reason, Set.of());
    }

    /** Returns a verdict that needs the given confirmation. */
    public static Verdict confirm(
            StatementKind kind, String reason, Set<String> tables, ConfirmationKind confirmation) {
        return new Verdict(Decision.CONFIRM, kind, reason, tables, confirmation);
    }

    /** Returns whether the statement may run without confirmation. */
    public boolean isAllowed() {
        return decision == Decision.ALLOW;
    }

    /** Returns whether the statement was denied. */
    public boolean isDenied() {
        return decision == Decision.DENY;
    }

    /** Returns the tables as a list, sorted. */
    public List<String> tableList() {
        return List.copyOf(tables);
    }
}
