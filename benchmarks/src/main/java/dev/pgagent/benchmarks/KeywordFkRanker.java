package dev.pgagent.benchmarks;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Baseline c of the context benchmark: the plain keyword ranker a careful engineer writes in an afternoon. A table
 * scores 2 a question word in its name and 1 a word in its columns' names (identifiers split on underscores and
 * camelCase, a trailing {@code s} dropped), plus 1.5 a distinct question word its schema covers anywhere (the
 * sibling boost: tables of the application the question is about come first); in rank order each table is followed
 * by its foreign-key neighbours.
 */
final class KeywordFkRanker {
    private static final Set<String> STOPWORDS = Set.of(
            "a", "an", "the", "of", "in", "on", "at", "for", "with", "by", "and", "or", "to", "from", "how", "many",
            "much", "what", "which", "who", "is", "are", "was", "were", "do", "does", "did", "have", "has", "that",
            "this", "their", "our", "we", "me", "show", "list", "give", "each", "per", "s", "it", "its", "there",
            "than", "more", "most", "all", "find", "return", "id", "name", "number");

    private final SchemaModel schema;
    private final List<Set<String>> nameWords = new ArrayList<>();
    private final List<Set<String>> columnWords = new ArrayList<>();
    private final List<List<Integer>> neighbours = new ArrayList<>();

    KeywordFkRanker(SchemaModel schema) {
        this.schema = schema;
        Map<String, Integer> ids = new HashMap<>();
        for (TableInfo t : schema.tables()) {
            ids.put(t.qualifiedName(), ids.size());
            nameWords.add(words(t.name()));
            Set<String> cols = new HashSet<>();
            t.columns().forEach((ColumnInfo c) -> cols.addAll(words(c.name())));
            columnWords.add(cols);
            neighbours.add(new ArrayList<>());
        }
        for (TableInfo t : schema.tables()) {
            for (ForeignKey fk : t.foreignKeys()) {
                Integer from = ids.get(t.qualifiedName());
                Integer to = ids.get(fk.referencedQualifiedName());
                if (to != null && !to.equals(from)) {
                    neighbours.get(from).add(to);
                    neighbours.get(to).add(from);
                }
            }
        }
    }

    /** Returns table ids, best first, each followed by its foreign-key neighbours. */
    List<Integer> order(String question) {
        Set<String> q = words(question);
        q.removeAll(STOPWORDS);
        int n = schema.tables().size();
        double[] score = new double[n];
        Map<String, Set<String>> schemaWords = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Set<String> covered =
                    schemaWords.computeIfAbsent(schema.tables().get(i).schema(), k -> new HashSet<>());
            for (String w : q) {
                boolean inName = nameWords.get(i).contains(w);
                boolean inColumns = columnWords.get(i).contains(w);
                score[i] += inName ? 2 : inColumns ? 1 : 0;
                if (inName || inColumns) {
                    covered.add(w);
                }
            }
        }
        // Sibling boost: a table counts the question words its schema (application) covers as a whole.
        double[] boosted = new double[n];
        List<Integer> ranked = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boosted[i] = score[i]
                    + 1.5 * schemaWords.get(schema.tables().get(i).schema()).size();
            if (score[i] > 0) {
                ranked.add(i);
            }
        }
        ranked.sort((a, b) -> boosted[a] != boosted[b] ? Double.compare(boosted[b], boosted[a]) : a - b);
        Set<Integer> out = new LinkedHashSet<>();
        for (int id : ranked) {
            out.add(id);
            out.addAll(neighbours.get(id));
        }
        return new ArrayList<>(out);
    }

    private static Set<String> words(String text) {
        Set<String> out = new LinkedHashSet<>();
        String spaced = text.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
        for (String w : spaced.split("[^a-z0-9]+")) {
            if (!w.isEmpty()) {
                out.add(w.length() > 3 && w.endsWith("s") && !w.endsWith("ss") ? w.substring(0, w.length() - 1) : w);
            }
        }
        return out;
    }
}
