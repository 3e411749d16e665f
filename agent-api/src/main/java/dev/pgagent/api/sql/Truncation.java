package dev.pgagent.api.sql;

/** Whether, and why, a result holds fewer rows than the query produced. */
public enum Truncation {
    /** The result is complete. */
    NONE,
    /** The row cap was reached. */
    ROW_LIMIT,
    /** The byte cap was reached. */
    BYTE_LIMIT
}
