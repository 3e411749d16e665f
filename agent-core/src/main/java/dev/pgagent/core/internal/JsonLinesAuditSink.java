package dev.pgagent.core.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.audit.AuditChain;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.safety.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
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
    private static final Map<Path, FileState> LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final FileState lock;
    private final boolean chained;

    /** Creates a sink appending to {@code file}. */
    public JsonLinesAuditSink(Path file) {
        this(file, false);
    }

    /** Creates a sink appending to {@code file}, each line carrying the hash chain when {@code chained}. */
    public JsonLinesAuditSink(Path file, boolean chained) {
        this.file = file.toAbsolutePath().normalize();
        this.lock = LOCKS.computeIfAbsent(this.file, p -> new FileState());
        this.chained = chained;
    }

    @Override
    public void record(AuditEvent event) {
        synchronized (lock) {
            String text;
            String hash = null;
            if (chained) {
                String json = AuditChain.canonicalJson(event);
                String prev = lock.lastHash != null ? lock.lastHash : lastHashIn(file);
                hash = AuditChain.hash(prev, json);
                text = AuditChain.chainedLine(json, prev, hash);
            } else {
                text = toJson(event);
            }
            byte[] line = (text + "\n").getBytes(StandardCharsets.UTF_8);
            try (OutputStream out = Files.newOutputStream(
                    file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
                out.write(line);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append the audit event to " + file, e);
            }
            if (chained) {
                lock.lastHash = hash;
            }
        }
    }

    /** Returns the hash the last line of {@code file} ends with, or the chain's start for a missing or empty file. */
    private static String lastHashIn(Path file) {
        if (!Files.exists(file)) {
            return AuditChain.GENESIS;
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long end = in.length();
            while (end > 0) {
                in.seek(end - 1);
                if (in.read() != '\n') {
                    break;
                }
                end--;
            }
            if (end == 0) {
                return AuditChain.GENESIS;
            }
            long start = end;
            byte[] buf = new byte[8192];
            outer:
            while (start > 0) {
                int n = (int) Math.min(buf.length, start);
                in.seek(start - n);
                in.readFully(buf, 0, n);
                for (int i = n - 1; i >= 0; i--) {
                    if (buf[i] == '\n') {
                        start = start - n + i + 1;
                        break outer;
                    }
                }
                start -= n;
            }
            byte[] last = new byte[(int) (end - start)];
            in.seek(start);
            in.readFully(last);
            String hash = AuditChain.hashOfLine(new String(last, StandardCharsets.UTF_8));
            if (hash == null) {
                throw new IllegalStateException("the last line of " + file + " is not a chained audit record; a hash"
                        + " chain needs a file of its own");
            }
            return hash;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the last audit record of " + file, e);
        }
    }

    /** The lock of one file and the hash of its last chained line. */
    private static final class FileState {
        @org.jspecify.annotations.Nullable
        String lastHash;
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
