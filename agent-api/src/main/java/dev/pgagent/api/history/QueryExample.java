package dev.pgagent.api.history;

import java.time.Instant;
import java.util.Objects;

/**
 * A question and the SQL that answered it.
 *
 * @param id the id: a golden pair's own, or the id of the ask it comes from
 * @param database the name of the database the SQL runs on
 * @param question the question
 * @param sql the SQL
 * @param source where the pair comes from
 * @param createdAt when it was added or asked
 */
public record QueryExample(String id, String database, String question, String sql, Source source, Instant createdAt) {

    /** Where a pair comes from. */
    public enum Source {
        /** Added by hand by the host. */
        GOLDEN,
        /** A successful ask of the history. */
        HISTORY
    }

    /** Validates the components. */
    public QueryExample {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(database, "database == null");
        Objects.requireNonNull(question, "question == null");
        Objects.requireNonNull(sql, "sql == null");
        Objects.requireNonNull(source, "source == null");
        Objects.requireNonNull(createdAt, "createdAt == null");
    }
}
