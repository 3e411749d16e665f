package dev.pgagent.api.audit;

import dev.pgagent.api.safety.Verdict;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The tamper evidence of audit records: each record carries the hash of the one before it, so that a record changed,
 * inserted or removed after it was written breaks the chain at that point.
 *
 * <p>A record is the event's canonical JSON ({@link #canonicalJson(AuditEvent)}: keys sorted, no spaces, absent values
 * omitted); its hash is the SHA-256 (lower-case hex) of the previous record's hash, a newline and the canonical JSON;
 * the first record of a chain follows {@link #GENESIS}. A chained JSON-lines file holds one record per line with the
 * two hashes appended as the last keys: {@code {...,"prevHash":"<64 hex>","hash":"<64 hex>"}}. A chain shows records
 * changed, inserted, reordered or removed, not records cut off at its end. Stateless and thread-safe;
 * {@link Verifier} is not thread-safe.
 */
public final class AuditChain {
    /** The previous hash of the first record of a chain: 64 zeros. */
    public static final String GENESIS = "0".repeat(64);

    private static final Pattern CHAINED_LINE =
            Pattern.compile("^(\\{.*),\"prevHash\":\"([0-9a-f]{64})\",\"hash\":\"([0-9a-f]{64})\"}$");

    private AuditChain() {}

    /** Returns the canonical JSON of {@code event}: keys sorted, no spaces, absent values omitted. */
    public static String canonicalJson(AuditEvent event) {
        Objects.requireNonNull(event, "event == null");
        StringBuilder b = new StringBuilder(256).append('{');
        // keys in sorted order: askId, attributes, outcome, sessionId, sql, timestamp, type, verdict
        String askId = event.askId();
        if (askId != null) {
            b.append("\"askId\":");
            string(b, askId).append(',');
        }
        b.append("\"attributes\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : event.attributes().entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            string(b, e.getKey()).append(':');
            string(b, e.getValue());
        }
        b.append('}');
        optional(b, "outcome", event.outcome());
        optional(b, "sessionId", event.sessionId());
        optional(b, "sql", event.sql());
        optional(b, "timestamp", event.timestamp().toString());
        optional(b, "type", event.type().name());
        Verdict v = event.verdict();
        if (v != null) {
            b.append(",\"verdict\":{\"confirmation\":");
            string(b, v.confirmation().name()).append(",\"decision\":");
            string(b, v.decision().name()).append(",\"kind\":");
            string(b, v.kind().name()).append(",\"reason\":");
            string(b, v.reason()).append(",\"tables\":[");
            boolean firstTable = true;
            for (String t : new java.util.TreeSet<>(v.tables())) {
                if (!firstTable) {
                    b.append(',');
                }
                firstTable = false;
                string(b, t);
            }
            b.append("]}");
        }
        return b.append('}').toString();
    }

    /** Returns the hash of the record {@code canonicalJson} following the record whose hash is {@code prevHash}. */
    public static String hash(String prevHash, String canonicalJson) {
        Objects.requireNonNull(prevHash, "prevHash == null");
        Objects.requireNonNull(canonicalJson, "canonicalJson == null");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prevHash.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            return HexFormat.of().formatHex(sha.digest(canonicalJson.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Returns the line of a chained JSON-lines file for the record {@code canonicalJson} (no line break). */
    public static String chainedLine(String canonicalJson, String prevHash, String hash) {
        if (!canonicalJson.startsWith("{") || !canonicalJson.endsWith("}")) {
            throw new IllegalArgumentException(
                    "canonicalJson must be a JSON object but was '" + abbreviate(canonicalJson) + "'");
        }
        return canonicalJson.substring(0, canonicalJson.length() - 1) + ",\"prevHash\":\"" + prevHash + "\",\"hash\":\""
                + hash + "\"}";
    }

    /** Returns the hash a chained line ends with, or null if {@code line} is not a chained line. */
    public static @Nullable String hashOfLine(String line) {
        Matcher m = CHAINED_LINE.matcher(line);
        return m.matches() ? m.group(3) : null;
    }

    /** Returns a verifier of one chain, expecting its first record to follow {@link #GENESIS}. */
    public static Verifier verifier() {
        return new Verifier();
    }

    private static void optional(StringBuilder b, String key, @Nullable String value) {
        if (value != null) {
            b.append(",\"").append(key).append("\":");
            string(b, value);
        }
    }

    private static StringBuilder string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /**
     * What a verification found.
     *
     * @param records how many records were checked up to the first broken link (all of them if none)
     * @param brokenAt where the first broken link is (a line number, a row id), or null if the chain holds
     * @param reason why that link is broken, or null if the chain holds
     */
    public record Verification(
            long records,
            @Nullable String brokenAt,
            @Nullable String reason) {
        /** Returns whether every link held. */
        public boolean intact() {
            return brokenAt == null;
        }
    }

    /** Checks the records of one chain in order, remembering the first broken link. Not thread-safe. */
    public static final class Verifier {
        private String expectedPrev = GENESIS;
        private long records;
        private @Nullable String brokenAt;
        private @Nullable String reason;

        private Verifier() {}

        /**
         * Checks the next record; does nothing once a link is broken.
         *
         * @param location where the record is, reported if its link is broken
         * @return whether the chain still holds
         */
        public boolean accept(String location, String canonicalJson, @Nullable String prevHash, @Nullable String hash) {
            if (brokenAt != null) {
                return false;
            }
            if (prevHash == null || hash == null) {
                return broken(location, "the record carries no hash");
            }
            if (!prevHash.equals(expectedPrev)) {
                return broken(
                        location,
                        "the previous hash is " + prevHash + " but the record before ends in " + expectedPrev
                                + " (a record was removed, inserted or reordered)");
            }
            String actual = hash(prevHash, canonicalJson);
            if (!actual.equals(hash)) {
                return broken(
                        location,
                        "the record hashes to " + actual + " but carries " + hash + " (the record was changed)");
            }
            expectedPrev = hash;
            records++;
            return true;
        }

        /** Checks the next line of a chained JSON-lines file, as {@link #accept} does. */
        public boolean acceptLine(String location, String line) {
            Matcher m = CHAINED_LINE.matcher(line);
            if (!m.matches()) {
                if (brokenAt != null) {
                    return false;
                }
                return broken(location, "the line is not a chained audit record");
            }
            return accept(location, m.group(1) + "}", m.group(2), m.group(3));
        }

        /** Returns what was found so far. */
        public Verification result() {
            return new Verification(records, brokenAt, reason);
        }

        private boolean broken(String location, String why) {
            brokenAt = location;
            reason = why;
            return false;
        }
    }
}
