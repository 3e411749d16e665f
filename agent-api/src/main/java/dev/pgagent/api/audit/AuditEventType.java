package dev.pgagent.api.audit;

/** What an {@link AuditEvent} records. */
public enum AuditEventType {
    /** An ask started. */
    ASK_STARTED,
    /** An ask ended (attributes say how). */
    ASK_FINISHED,
    /** A call to the language model. */
    LLM_CALL,
    /** A tool call. */
    TOOL_CALL,
    /** A statement ran. */
    QUERY_EXECUTED,
    /** A statement was refused by the safety layer. */
    QUERY_REFUSED,
    /** A statement failed in the database or was cancelled. */
    QUERY_FAILED,
    /** A confirmation was asked for. */
    CONFIRMATION_REQUESTED,
    /** A confirmation was answered. */
    CONFIRMATION_ANSWERED,
    /** The cached schema was refreshed. */
    SCHEMA_REFRESHED,
    /** Anything else that went wrong. */
    ERROR
}
