package dev.pgagent.api.history;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What {@link HistorySearch#search} looks for: asks whose question, answer or SQL contains a text (ignoring case),
 * of a session, of a principal; newest first unless {@link Builder#oldestFirst(boolean)}. Immutable.
 *
 * <pre>{@code
 * List<AskRecord> recent = history.search(HistoryQuery.builder().text("revenue").limit(20).build());
 * List<AskRecord> conversation = history.search(HistoryQuery.session(sessionId));
 * }</pre>
 */
public final class HistoryQuery {
    /** The default most asks returned: 50. */
    public static final int DEFAULT_LIMIT = 50;

    /** The most asks one search may return: 10,000. */
    public static final int MAX_LIMIT = 10_000;

    /** The newest {@value #DEFAULT_LIMIT} asks. */
    public static final HistoryQuery RECENT = builder().build();

    private final @Nullable String text;
    private final @Nullable String sessionId;
    private final @Nullable String principal;
    private final int limit;
    private final boolean oldestFirst;

    private HistoryQuery(Builder b) {
        this.text = b.text;
        this.sessionId = b.sessionId;
        this.principal = b.principal;
        this.limit = b.limit;
        this.oldestFirst = b.oldestFirst;
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a query for every ask of one session, oldest first (up to {@link #MAX_LIMIT}). */
    public static HistoryQuery session(String sessionId) {
        return builder().sessionId(sessionId).oldestFirst(true).limit(MAX_LIMIT).build();
    }

    /** Returns the text searched for in questions, answers and SQL, if any. */
    public Optional<String> text() {
        return Optional.ofNullable(text);
    }

    /** Returns the session asked about, if any. */
    public Optional<String> sessionId() {
        return Optional.ofNullable(sessionId);
    }

    /** Returns the principal asked about, if any. */
    public Optional<String> principal() {
        return Optional.ofNullable(principal);
    }

    /** Returns the most asks returned. */
    public int limit() {
        return limit;
    }

    /** Returns whether the oldest asks come first. */
    public boolean oldestFirst() {
        return oldestFirst;
    }

    /** Returns whether {@code ask} matches this query's filters (not its limit or order). */
    public boolean matches(AskRecord ask) {
        Objects.requireNonNull(ask, "ask == null");
        if (sessionId != null && !sessionId.equals(ask.sessionId())) {
            return false;
        }
        if (principal != null && !principal.equals(ask.principal())) {
            return false;
        }
        if (text == null) {
            return true;
        }
        String needle = text.toLowerCase(java.util.Locale.ROOT);
        if (ask.question().toLowerCase(java.util.Locale.ROOT).contains(needle)
                || ask.answer().toLowerCase(java.util.Locale.ROOT).contains(needle)) {
            return true;
        }
        return ask.statements().stream()
                .anyMatch(s -> s.sql().toLowerCase(java.util.Locale.ROOT).contains(needle));
    }

    @Override
    public String toString() {
        return "HistoryQuery{text=" + text + ", sessionId=" + sessionId + ", principal=" + principal + ", limit="
                + limit + ", oldestFirst=" + oldestFirst + '}';
    }

    /** Builds a {@link HistoryQuery}. Not thread-safe. */
    public static final class Builder {
        private @Nullable String text;
        private @Nullable String sessionId;
        private @Nullable String principal;
        private int limit = DEFAULT_LIMIT;
        private boolean oldestFirst;

        private Builder() {}

        /** Sets the text to find (ignoring case) in questions, answers or SQL; null or blank for any. Default: any. */
        public Builder text(@Nullable String text) {
            this.text = text == null || text.isBlank() ? null : text.strip();
            return this;
        }

        /** Keeps the asks of one session; null for any. Default: any. */
        public Builder sessionId(@Nullable String sessionId) {
            this.sessionId = sessionId;
            return this;
        }

        /** Keeps the asks of one principal; null for any. Default: any. */
        public Builder principal(@Nullable String principal) {
            this.principal = principal;
            return this;
        }

        /** Sets the most asks returned, 1 to 10,000. Default: 50. */
        public Builder limit(int limit) {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be in [1, " + MAX_LIMIT + "] but was " + limit);
            }
            this.limit = limit;
            return this;
        }

        /** Sets whether the oldest asks come first. Default: false (newest first). */
        public Builder oldestFirst(boolean oldestFirst) {
            this.oldestFirst = oldestFirst;
            return this;
        }

        /** Returns the query. */
        public HistoryQuery build() {
            return new HistoryQuery(this);
        }
    }
}
