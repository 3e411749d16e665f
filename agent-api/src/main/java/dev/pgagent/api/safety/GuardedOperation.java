package dev.pgagent.api.safety;

/**
 * Operations denied at every {@link PolicyLevel} unless the host opts in to each explicitly with
 * {@link SafetyPolicy.Builder#allowGuarded(GuardedOperation...)}. Even then they need a typed confirmation.
 */
public enum GuardedOperation {
    /** DROP DATABASE, and DROP SCHEMA/TABLE/... with CASCADE. */
    DROP_CASCADE,
    /** DROP DATABASE itself. */
    DROP_DATABASE,
    /** TRUNCATE. */
    TRUNCATE,
    /** DELETE or UPDATE without a WHERE clause. */
    UNFILTERED_WRITE,
    /** ALTER SYSTEM. */
    ALTER_SYSTEM,
    /** CREATE/ALTER/DROP ROLE or USER, GRANT, REVOKE, SET ROLE, SET SESSION AUTHORIZATION. */
    ROLE_CHANGE,
    /** COPY ... PROGRAM, and COPY to or from a server-side file. */
    COPY_PROGRAM,
    /** Server-side file access: pg_read_file, pg_ls_dir, lo_import, lo_export, and the like. */
    FILE_ACCESS
}
