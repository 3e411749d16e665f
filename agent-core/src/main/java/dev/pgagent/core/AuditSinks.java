package dev.pgagent.core;

import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.core.internal.JsonLinesAuditSink;
import dev.pgagent.core.internal.Slf4jAuditSink;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Returns the audit sinks that ship with the library. Attach them with
 * {@link PostgresAgent.Builder#addAuditSink(AuditSink)}; what happens when one fails is the builder's
 * {@link PostgresAgent.Builder#auditFailurePolicy(AuditFailurePolicy)}.
 *
 * <pre>{@code
 * PostgresAgent agent = PostgresAgent.builder()
 *     .llm(llm).dataSource(ds)
 *     .addAuditSink(AuditSinks.jsonLines(Path.of("/var/log/app/pgagent-audit.jsonl")))
 *     .addAuditSink(AuditSinks.slf4j())
 *     .build();
 * }</pre>
 */
public final class AuditSinks {
    private AuditSinks() {}

    /**
     * Returns a sink that appends each event to {@code file} as one JSON object per line, creating the file (not its
     * directory) if needed, and flushing each event before returning. Fields: {@code timestamp} (ISO-8601),
     * {@code type}, {@code sessionId}, {@code askId}, {@code sql}, {@code verdict} (decision, kind, reason, tables,
     * confirmation), {@code outcome}, {@code attributes}; absent values are omitted. Thread-safe, also across sinks
     * of one JVM writing the same file. A failure to write throws {@link java.io.UncheckedIOException}.
     */
    public static AuditSink jsonLines(Path file) {
        Objects.requireNonNull(file, "file == null");
        return new JsonLinesAuditSink(file);
    }

    /**
     * Returns a sink that appends each event to {@code file} as one line of tamper-evident JSON: the event's canonical
     * JSON ({@link dev.pgagent.api.audit.AuditChain#canonicalJson}, keys sorted) followed by {@code prevHash} and
     * {@code hash}, the SHA-256 link to the line before ({@link dev.pgagent.api.audit.AuditChain}). An existing file
     * is continued from its last line, which must be a chained record (give the chain a file of its own; an
     * unchained last line throws {@link IllegalStateException} on the first record). Check the file with
     * {@code pg-agent audit verify FILE}. Creates the file (not its directory), flushes each event before returning,
     * thread-safe also across sinks of one JVM writing the same file. A failure to write throws
     * {@link java.io.UncheckedIOException}.
     */
    public static AuditSink chainedJsonLines(Path file) {
        Objects.requireNonNull(file, "file == null");
        return new JsonLinesAuditSink(file, true);
    }

    /**
     * Returns a sink that logs each event at INFO on the SLF4J logger {@code dev.pgagent.audit}, as
     * {@code type key=value ...}. Thread-safe.
     */
    public static AuditSink slf4j() {
        return new Slf4jAuditSink("dev.pgagent.audit");
    }
}
