package dev.pgagent.api.safety;

/** How much the model may change. */
public enum PolicyLevel {
    /** Reads only; everything else is denied. The default. */
    READ_ONLY,
    /** Reads; INSERT, UPDATE, DELETE and MERGE after a confirmation; no DDL. */
    BALANCED,
    /** Also DDL, after a typed confirmation. */
    PERMISSIVE
}
