package dev.pgagent.core;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.history.AskRecord;
import dev.pgagent.api.history.HistoryQuery;
import dev.pgagent.api.history.HistorySearch;
import dev.pgagent.api.history.HistoryStore;
import dev.pgagent.api.history.QueryExample;
import dev.pgagent.api.history.QueryMemory;
import dev.pgagent.api.history.StatementRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the history of asks and the golden (question, SQL) pairs in memory, for tests, demos and single-process
 * hosts: at most a given number of asks (the oldest recorded are dropped first), lost when the JVM ends. Similar
 * questions are found by the words they share (cosine of the word sets, words matched without a plural 's').
 * Thread-safe.
 *
 * <pre>{@code
 * InMemoryHistoryStore history = InMemoryHistoryStore.create();
 * PostgresAgent agent = PostgresAgent.builder().llm(llm).dataSource(ds).historyStore(history).build();
 * }</pre>
 */
@Experimental
public final class InMemoryHistoryStore implements HistoryStore, HistorySearch, QueryMemory {
    /** The default most asks kept: 10,000. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}_]+");
    private static final Set<String> STOP_WORDS = Set.of(
            "a", "an", "the", "of", "in", "on", "for", "to", "and", "or", "is", "are", "was", "were", "be", "by",
            "with", "what", "which", "who", "how", "many", "much", "me", "my", "our", "we", "us", "show", "list",
            "give", "tell", "all", "each", "per", "from", "at", "do", "does", "did", "it", "its", "this", "that",
            "there", "have", "has", "i", "you", "please");

    private final int capacity;
    private final Map<String, AskRecord> asks = new LinkedHashMap<>();
    private final Set<String> forgotten = new HashSet<>();
    private final Map<String, QueryExample> examples = new LinkedHashMap<>();

    private InMemoryHistoryStore(int capacity) {
        this.capacity = capacity;
    }

    /** Returns an empty store keeping at most {@value #DEFAULT_CAPACITY} asks. */
    public static InMemoryHistoryStore create() {
        return new InMemoryHistoryStore(DEFAULT_CAPACITY);
    }

    /**
     * Returns an empty store keeping at most {@code capacity} asks.
     *
     * @throws IllegalArgumentException if {@code capacity} is below 1
     */
    public static InMemoryHistoryStore withCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1 but was " + capacity);
        }
        return new InMemoryHistoryStore(capacity);
    }

    @Override
    public synchronized void record(AskRecord ask) {
        Objects.requireNonNull(ask, "ask == null");
        asks.remove(ask.id());
        asks.put(ask.id(), ask);
        Iterator<String> oldest = asks.keySet().iterator();
        while (asks.size() > capacity) {
            forgotten.remove(oldest.next());
            oldest.remove();
        }
    }

    /** Returns the number of asks kept. */
    public synchronized int size() {
        return asks.size();
    }

    @Override
    public synchronized Optional<AskRecord> find(String id) {
        return Optional.ofNullable(asks.get(Objects.requireNonNull(id, "id == null")));
    }

    @Override
    public List<AskRecord> search(HistoryQuery query) {
        Objects.requireNonNull(query, "query == null");
        List<AskRecord> all;
        synchronized (this) {
            all = new ArrayList<>(asks.values());
        }
        Comparator<AskRecord> order = Comparator.comparing(AskRecord::startedAt);
        return all.stream()
                .filter(query::matches)
                .sorted(query.oldestFirst() ? order : order.reversed())
                .limit(query.limit())
                .toList();
    }

    @Override
    public synchronized QueryExample addExample(String database, String question, String sql) {
        requireText(database, "database");
        requireText(question, "question");
        requireText(sql, "sql");
        QueryExample e = new QueryExample(
                "example-" + UUID.randomUUID(), database, question, sql, QueryExample.Source.GOLDEN, Instant.now());
        examples.put(e.id(), e);
        return e;
    }

    @Override
    public synchronized boolean forget(String id) {
        Objects.requireNonNull(id, "id == null");
        if (examples.remove(id) != null) {
            return true;
        }
        if (asks.containsKey(id)) {
            forgotten.add(id);
            return true;
        }
        return false;
    }

    @Override
    public synchronized List<QueryExample> examples(String database) {
        Objects.requireNonNull(database, "database == null");
        List<QueryExample> out = new ArrayList<>();
        for (QueryExample e : examples.values()) {
            if (e.database().equals(database)) {
                out.add(0, e);
            }
        }
        return out;
    }

    @Override
    public List<QueryExample> similar(String database, String question, int limit) {
        Objects.requireNonNull(database, "database == null");
        Objects.requireNonNull(question, "question == null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1 but was " + limit);
        }
        Set<String> words = words(question);
        if (words.isEmpty()) {
            return List.of();
        }
        record Scored(QueryExample example, double score) {}
        List<Scored> scored = new ArrayList<>();
        synchronized (this) {
            for (QueryExample e : examples.values()) {
                if (e.database().equals(database)) {
                    scored.add(new Scored(e, 1.1 * score(words, words(e.question()))));
                }
            }
            for (AskRecord a : asks.values()) {
                Optional<StatementRecord> last = a.finalStatement();
                if (a.isCompleted()
                        && last.isPresent()
                        && last.get().database().equals(database)
                        && !forgotten.contains(a.id())) {
                    scored.add(new Scored(
                            new QueryExample(
                                    a.id(),
                                    database,
                                    a.question(),
                                    last.get().sql(),
                                    QueryExample.Source.HISTORY,
                                    a.startedAt()),
                            score(words, words(a.question()))));
                }
            }
        }
        return scored.stream()
                .filter(s -> s.score() > 0)
                .sorted(Comparator.comparingDouble(Scored::score)
                        .reversed()
                        .thenComparing(s -> s.example().createdAt(), Comparator.reverseOrder()))
                .limit(limit)
                .map(Scored::example)
                .toList();
    }

    private static double score(Set<String> a, Set<String> b) {
        if (b.isEmpty()) {
            return 0;
        }
        int shared = 0;
        for (String w : a) {
            if (b.contains(w)) {
                shared++;
            }
        }
        return shared / Math.sqrt((double) a.size() * b.size());
    }

    private static Set<String> words(String text) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            String w = m.group();
            if (w.length() > 1 && !STOP_WORDS.contains(w)) {
                out.add(w.length() > 3 && w.endsWith("s") ? w.substring(0, w.length() - 1) : w);
            }
        }
        return out;
    }

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name + " == null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank but was '" + value + "'");
        }
    }

    @Override
    public synchronized String toString() {
        return "InMemoryHistoryStore{asks=" + asks.size() + ", examples=" + examples.size() + '}';
    }
}
