package dev.pgagent.api.safety;

/** A safety decision. */
public enum Decision {
    /** The statement may run. */
    ALLOW,
    /** The statement may run only after a person confirms it. */
    CONFIRM,
    /** The statement must not run. */
    DENY
}
