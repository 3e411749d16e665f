package dev.pgagent.core.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.safety.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Appends events to a file, one JSON object per line. Thread-safe. */
public final class JsonLinesAuditSink implements AuditSink {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final Object lock;

    /** Creates a sink appending to {@code file}. */
    public JsonLinesAuditSink(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.lock = LOCKS.computeIfAbsent(this.file, p -> new Object());
    }

    @Override
    public void record(AuditEvent event) {
        byte[] line = (toJson(event) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (lock) {
            try (OutputStream out = Files.newOutputStream(
                    file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
                out.write(line);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append the audit event to " + file, e);
            }
        }
    }

    /** Returns the event as one line of JSON. */
    public static String toJson(AuditEvent event) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("timestamp", event.timestamp().toString());
        o.put("type", event.type().name());
        putIfPresent(o, "sessionId", event.sessionId());
        putIfPresent(o, "askId", event.askId());
        putIfPresent(o, "sql", event.sql());
        Verdict v = event.verdict();
        if (v != null) {
            ObjectNode vn = o.putObject("verdict");
            vn.put("decision", v.decision().name());
            vn.put("kind", v.kind().name());
            vn.put("reason", v.reason());
            ArrayNode tables = vn.putArray("tables");
            v.tables().forEach(tables::add);
            vn.put("confirmation", v.confirmation().name());
        }
        putIfPresent(o, "outcome", event.outcome());
        ObjectNode attrs = o.putObject("attributes");
        event.attributes().forEach(attrs::put);
        try {
            return MAPPER.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void putIfPresent(ObjectNode o, String key, @org.jspecify.annotations.Nullable String value) {
        if (value != null) {
            o.put(key, value);
        }
    }

    @Override
    public String toString() {
        return "JsonLinesAuditSink[" + file + "]";
    }
}
