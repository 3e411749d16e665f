package dev.pgagent.context.internal;

import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.context.TableRanker;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** The lexical {@link TableRanker}; keeps the index of the last schema it saw. Thread-safe. */
public final class LexicalRanker implements TableRanker {
    /** The shared instance. */
    public static final LexicalRanker INSTANCE = new LexicalRanker();

    private final IndexCache cache = new IndexCache();

    private LexicalRanker() {}

    @Override
    public Map<String, Double> score(String question, SchemaModel schema) {
        Objects.requireNonNull(question, "question == null");
        Objects.requireNonNull(schema, "schema == null");
        SchemaIndex index = cache.get(schema);
        double[] s = index.scoreTables(index.analyze(question));
        Map<String, Double> out = new HashMap<>();
        for (int i = 0; i < s.length; i++) {
            if (s[i] > 0) {
                out.put(index.table(i).qualifiedName(), s[i]);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "TableRanker.lexical()";
    }
}
