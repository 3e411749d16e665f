package dev.pgagent.api.audit;

import dev.pgagent.api.safety.Verdict;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One audited fact. Never holds secrets.
 *
 * @param timestamp when it happened
 * @param type what happened
 * @param sessionId the session, or null outside one
 * @param askId the ask, or null outside one
 * @param sql the statement concerned, or null
 * @param verdict the safety verdict, or null
 * @param outcome a short outcome word (for example {@code executed}, {@code refused}, {@code approved}), or null
 * @param attributes further details (row counts, durations in ms, tool names, error messages); sorted by key
 */
public record AuditEvent(
        Instant timestamp,
        AuditEventType type,
        @Nullable String sessionId,
        @Nullable String askId,
        @Nullable String sql,
        @Nullable Verdict verdict,
        @Nullable String outcome,
        Map<String, String> attributes) {

    /** Validates and copies the components. */
    public AuditEvent {
        Objects.requireNonNull(timestamp, "timestamp == null");
        Objects.requireNonNull(type, "type == null");
        attributes = java.util.Collections.unmodifiableSortedMap(
                new TreeMap<>(Objects.requireNonNull(attributes, "attributes == null")));
    }

    /** Returns a builder for an event of {@code type}, stamped now. */
    public static Builder builder(AuditEventType type) {
        return new Builder(type);
    }

    /** Builds an {@link AuditEvent}. Not thread-safe. */
    public static final class Builder {
        private final AuditEventType type;
        private Instant timestamp = Instant.now();
        private @Nullable String sessionId;
        private @Nullable String askId;
        private @Nullable String sql;
        private @Nullable Verdict verdict;
        private @Nullable String outcome;
        private final Map<String, String> attributes = new TreeMap<>();

        private Builder(AuditEventType type) {
            this.type = Objects.requireNonNull(type, "type == null");
        }

        /** Sets the time. Default: now. */
        public Builder timestamp(Instant timestamp) {
            this.timestamp = Objects.requireNonNull(timestamp, "timestamp == null");
            return this;
        }

        /** Sets the session. Default: none. */
        public Builder sessionId(@Nullable String sessionId) {
            this.sessionId = sessionId;
            return this;
        }

        /** Sets the ask. Default: none. */
        public Builder askId(@Nullable String askId) {
            this.askId = askId;
            return this;
        }

        /** Sets the statement. Default: none. */
        public Builder sql(@Nullable String sql) {
            this.sql = sql;
            return this;
        }

        /** Sets the verdict. Default: none. */
        public Builder verdict(@Nullable Verdict verdict) {
            this.verdict = verdict;
            return this;
        }

        /** Sets the outcome word. Default: none. */
        public Builder outcome(@Nullable String outcome) {
            this.outcome = outcome;
            return this;
        }

        /** Adds an attribute; a null value is ignored. */
        public Builder attribute(String key, @Nullable Object value) {
            Objects.requireNonNull(key, "key == null");
            if (value != null) {
                attributes.put(key, String.valueOf(value));
            }
            return this;
        }

        /** Returns the event. */
        public AuditEvent build() {
            return new AuditEvent(timestamp, type, sessionId, askId, sql, verdict, outcome, attributes);
        }
    }
}
