package dev.pgagent.api.safety;

/** The classification of a SQL text. */
public enum StatementKind {
    /** A query that only reads: SELECT, VALUES, TABLE, WITH ... SELECT, SHOW, EXPLAIN without ANALYZE. */
    READ,
    /** INSERT, UPDATE, DELETE, MERGE, or a read that writes (SELECT INTO, data-modifying CTE, FOR UPDATE). */
    WRITE,
    /** CREATE, ALTER, DROP, TRUNCATE, COMMENT and other schema changes. */
    DDL,
    /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION and the like. */
    TRANSACTION,
    /** SET, RESET, DISCARD, LISTEN, NOTIFY, LOAD, and other session state changes. */
    SESSION,
    /** GRANT, REVOKE, CREATE/ALTER/DROP ROLE or USER, ALTER SYSTEM, and server administration. */
    ADMIN,
    /** DO blocks, CALL, and other procedural code. */
    PROCEDURAL,
    /** COPY in either direction. */
    COPY,
    /** Several statements in one text. */
    MULTIPLE,
    /** Text the parser could not read. */
    UNPARSEABLE,
    /** Anything else (VACUUM, ANALYZE, CLUSTER, REINDEX, LOCK, PREPARE, EXECUTE, ...). */
    OTHER
}
