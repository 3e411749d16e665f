package dev.pgagent.api.history;

import java.util.List;

/**
 * Pairs of a question and the SQL that answered it, for showing a model as examples: the successful asks of the
 * history (completed, with a statement that ran) and "golden" pairs a host adds by hand. Retrieval is per database:
 * pairs of one database are never returned for another. Pairs hold no result rows. Implementations must be safe for
 * concurrent use.
 */
public interface QueryMemory {
    /**
     * Adds a golden pair for {@code database}.
     *
     * @return the pair with its id
     * @throws IllegalArgumentException if a value is blank
     */
    QueryExample addExample(String database, String question, String sql);

    /**
     * Forgets a pair: deletes a golden pair, or keeps a recorded ask (by its id) out of the memory from now on (the
     * ask stays in the history).
     *
     * @return whether a pair of that id was known
     */
    boolean forget(String id);

    /** Returns the golden pairs of {@code database}, newest first. */
    List<QueryExample> examples(String database);

    /**
     * Returns up to {@code limit} pairs of {@code database} whose questions are most like {@code question}, best
     * first; pairs sharing no word with it are left out.
     */
    List<QueryExample> similar(String database, String question, int limit);
}
