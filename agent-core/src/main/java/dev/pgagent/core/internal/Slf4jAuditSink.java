package dev.pgagent.core.internal;

import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs events at INFO. Thread-safe. */
public final class Slf4jAuditSink implements AuditSink {
    private final Logger log;

    /** Creates a sink logging to {@code loggerName}. */
    public Slf4jAuditSink(String loggerName) {
        this.log = LoggerFactory.getLogger(loggerName);
    }

    @Override
    public void record(AuditEvent event) {
        if (!log.isInfoEnabled()) {
            return;
        }
        StringBuilder sb = new StringBuilder(event.type().name());
        append(sb, "session", event.sessionId());
        append(sb, "ask", event.askId());
        append(sb, "outcome", event.outcome());
        if (event.verdict() != null) {
            append(sb, "decision", event.verdict().decision().name());
            append(sb, "kind", event.verdict().kind().name());
        }
        event.attributes().forEach((k, v) -> append(sb, k, v));
        append(sb, "sql", event.sql() == null ? null : PgAgentException.abbreviate(event.sql(), 500));
        log.info("{}", sb);
    }

    private static void append(StringBuilder sb, String key, @org.jspecify.annotations.Nullable String value) {
        if (value != null) {
            sb.append(' ').append(key).append('=');
            if (value.indexOf(' ') >= 0 || value.indexOf('"') >= 0) {
                sb.append('"').append(value.replace("\"", "\\\"")).append('"');
            } else {
                sb.append(value);
            }
        }
    }

    @Override
    public String toString() {
        return "Slf4jAuditSink[" + log.getName() + "]";
    }
}
