package dev.pgagent.api.safety;

/** How strong a confirmation a statement needs. */
public enum ConfirmationKind {
    /** No confirmation (the statement is allowed or denied outright). */
    NONE,
    /** A simple yes or no. */
    SIMPLE,
    /** The person types the name of the table the statement changes. Used for destructive statements and DDL. */
    TYPED,
    /** A second party approves, for what the host marks as needing it. */
    SECOND_PARTY
}
