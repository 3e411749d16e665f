package dev.pgagent.api.history;

/**
 * Receives the record of each ask an agent ran: who asked, in which session, the question, the statements with
 * their verdicts and outcomes, row counts, durations, tokens and how it ended. An ask that waited for confirmations
 * is recorded when it parks and again, under the same id, when it ends: a store replaces the record of an id it
 * already holds. Implementations must be safe for concurrent use; a failure is logged by the agent and never fails
 * the ask.
 *
 * <pre>{@code
 * PostgresAgent agent = PostgresAgent.builder()
 *     ...
 *     .historyStore(PostgresHistoryStore.builder().dataSource(pool).schema("pgagent").build())
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface HistoryStore {
    /** A store that keeps nothing. */
    HistoryStore NONE = ask -> {};

    /**
     * Records {@code ask}, replacing any record with the same {@link AskRecord#id()}.
     *
     * @throws dev.pgagent.api.DatabaseException or another {@link RuntimeException} if it cannot be written
     */
    void record(AskRecord ask);
}
