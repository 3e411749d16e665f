package dev.pgagent.config;

import dev.pgagent.api.Experimental;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@code audit} section: which audit sinks to attach and what happens when one fails. A host maps
 * {@link #jsonl()} to {@code AuditSinks.jsonLines(path)} (or {@code AuditSinks.chainedJsonLines(path)} when
 * {@link #chained()}), {@link #slf4j()} to {@code AuditSinks.slf4j()}, and
 * {@link #failurePolicy()} to {@code AuditFailurePolicy} by name. Immutable and thread-safe.
 */
@Experimental
public final class AuditConfig {
    /** What happens when an audit sink fails; the constants are named as agent-core's {@code AuditFailurePolicy}. */
    public enum FailurePolicy {
        /** Log the failure and go on. The default. */
        LOG_AND_CONTINUE,
        /** Nothing runs, or is shown to the model, without its audit record. */
        FAIL_CLOSED
    }

    private final @Nullable Path jsonl;
    private final boolean chained;
    private final boolean slf4j;
    private final FailurePolicy failurePolicy;
    private final @Nullable String postgresDatabase;
    private final String postgresSchema;
    private final @Nullable URI httpUrl;
    private final @Nullable Secret httpToken;

    AuditConfig(
            @Nullable Path jsonl,
            boolean chained,
            boolean slf4j,
            FailurePolicy failurePolicy,
            @Nullable String postgresDatabase,
            String postgresSchema,
            @Nullable URI httpUrl,
            @Nullable Secret httpToken) {
        this.jsonl = jsonl;
        this.chained = chained;
        this.postgresDatabase = postgresDatabase;
        this.postgresSchema = postgresSchema;
        this.httpUrl = httpUrl;
        this.httpToken = httpToken;
        this.slf4j = slf4j;
        this.failurePolicy = failurePolicy;
    }

    /** Returns the JSON-lines file the audit trail is appended to. Default: none. */
    public Optional<Path> jsonl() {
        return Optional.ofNullable(jsonl);
    }

    /**
     * Returns whether the {@link #jsonl()} file is written as a hash chain ({@code AuditSinks.chainedJsonLines}),
     * checked by {@code pg-agent audit verify}. Default: false.
     */
    public boolean chained() {
        return chained;
    }

    /** Returns whether audit events are also logged on {@code dev.pgagent.audit}. Default: false. */
    public boolean slf4j() {
        return slf4j;
    }

    /**
     * Returns the profile whose database also receives the audit trail, in {@code <schema>.audit_events}
     * ({@code PostgresAuditSink}). Default: none.
     */
    public Optional<String> postgresDatabase() {
        return Optional.ofNullable(postgresDatabase);
    }

    /** Returns the schema of the PostgreSQL audit table. Default: {@code pgagent_audit}. */
    public String postgresSchema() {
        return postgresSchema;
    }

    /** Returns the collector the audit trail is also POSTed to ({@code HttpAuditSink}). Default: none. */
    public Optional<URI> httpUrl() {
        return Optional.ofNullable(httpUrl);
    }

    /** Returns the collector's bearer token, from the variable {@code audit.http.tokenEnv} names. Default: none. */
    public Optional<Secret> httpToken() {
        return Optional.ofNullable(httpToken);
    }

    /** Returns what happens when a sink fails. Default: {@link FailurePolicy#LOG_AND_CONTINUE}. */
    public FailurePolicy failurePolicy() {
        return failurePolicy;
    }

    @Override
    public String toString() {
        return "AuditConfig[jsonl=" + jsonl + ", chained=" + chained + ", slf4j=" + slf4j + ", failurePolicy="
                + failurePolicy + "]";
    }
}
