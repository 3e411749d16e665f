package dev.pgagent.api.safety;

/** What to do with SQL the parser cannot read. */
public enum UnparseableSqlMode {
    /** Deny it (fail closed). The default. */
    REFUSE,
    /**
     * Run it, as a read only, under the runtime guards alone: a READ ONLY transaction that is rolled back, one
     * statement per round trip, timeouts and caps. Audited as such. Never applies to writes.
     */
    GUARDED_READ
}
