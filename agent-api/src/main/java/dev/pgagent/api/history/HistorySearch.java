package dev.pgagent.api.history;

import java.util.List;
import java.util.Optional;

/** Reads recorded asks back. Implementations must be safe for concurrent use. */
public interface HistorySearch {
    /** Returns the ask recorded under {@code id}, if any. */
    Optional<AskRecord> find(String id);

    /**
     * Returns the asks matching {@code query}: newest first, or oldest first when
     * {@link HistoryQuery#oldestFirst()}; at most {@link HistoryQuery#limit()}.
     */
    List<AskRecord> search(HistoryQuery query);
}
