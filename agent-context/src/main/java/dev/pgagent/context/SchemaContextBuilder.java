package dev.pgagent.context;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.ColumnRef;
import dev.pgagent.api.schema.EnumType;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import dev.pgagent.api.schema.ValueSampler;
import dev.pgagent.context.internal.LexicalRanker;
import dev.pgagent.context.internal.Query;
import dev.pgagent.context.internal.Renderer;
import dev.pgagent.context.internal.SchemaIndex;
import dev.pgagent.context.internal.TextAnalyzer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the tables of a big schema that a question needs and renders them within a token budget. Tables are
 * ranked by a {@link TableRanker} (default {@link TableRanker#lexical()}); the best ones are joined by their shortest
 * foreign-key paths (bridge tables included); each is rendered compactly, one line a column, with keys and foreign
 * keys marked and, for columns the question seems to filter on, sample values from the {@link ValueSampler}. Tables
 * are added greedily, first with their key and relevant columns only, then in full while the budget lasts (the best
 * tables in full take at most part of it, so that a tight budget shows more tables); the result never exceeds the
 * budget, counted with a real tokenizer. A last line tells the model how to reach the rest
 * ({@code search_schema}, {@code describe_table}).
 *
 * <p>The index over the schema is built once, when the builder is built; {@link #build(String, int)} is then fast
 * (milliseconds on 10,000 tables). Immutable and thread-safe; build one per schema and share it.
 *
 * <pre>{@code
 * SchemaContextBuilder contexts = SchemaContextBuilder.of(db.schema());
 * SchemaContext ctx = contexts.build("Which customers in Berlin ordered last week?", 2_000);
 * String prompt = ctx.text();   // ctx.tokens() <= 2_000
 * }</pre>
 */
public final class SchemaContextBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaContextBuilder.class);
    private static final double SEED_SHARE = 0.3;
    private static final double EXTRA_SHARE = 0.02;
    private static final int MAX_EXTRAS = 80;
    private static final int IDENTITY_SEEDS = 3;
    private static final int MAX_SAMPLED_COLUMNS = 24;
    private static final double FULL_CORE_SHARE = 0.6;
    /** How many of the best further tables have their values sampled with the core's. */
    private static final int VALUE_PROBE_EXTRAS = 6;

    private final SchemaModel schema;
    private final SchemaIndex index;
    private final TableRanker ranker;
    private final ValueSampler valueSampler;
    private final TokenCounter tokenCounter;
    private final boolean foreignKeyExpansion;
    private final int maxSeeds;
    private final int maxPathLength;

    private SchemaContextBuilder(Builder b) {
        this.schema = Objects.requireNonNull(b.schema, "schema == null");
        this.ranker = b.ranker;
        this.valueSampler = b.valueSampler;
        this.tokenCounter = b.tokenCounter;
        this.foreignKeyExpansion = b.foreignKeyExpansion;
        this.maxSeeds = b.maxSeeds;
        this.maxPathLength = b.maxPathLength;
        long start = System.nanoTime();
        this.index = SchemaIndex.of(schema);
        LOG.debug("Indexed {} tables in {} ms", index.size(), (System.nanoTime() - start) / 1_000_000);
    }

    /** Returns a context builder for {@code schema} with the defaults of {@link Builder}; indexes the schema. */
    public static SchemaContextBuilder of(SchemaModel schema) {
        return builder().schema(schema).build();
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the schema this builder renders. */
    public SchemaModel schema() {
        return schema;
    }

    /** Returns the token counter the budget is measured with. */
    public TokenCounter tokenCounter() {
        return tokenCounter;
    }

    /**
     * Chooses and renders the tables {@code question} needs within {@code tokenBudget} tokens.
     *
     * @param question the user's question, in natural language
     * @param tokenBudget the most tokens the text may have; must be >= 0
     * @return the context; its {@link SchemaContext#tokens()} is at most {@code tokenBudget}
     */
    public SchemaContext build(String question, int tokenBudget) {
        Objects.requireNonNull(question, "question == null");
        if (tokenBudget < 0) {
            throw new IllegalArgumentException("tokenBudget must be >= 0 but was " + tokenBudget);
        }
        Query query = index.analyze(question);
        double[] score = scores(question, query);
        Integer[] ranked = rankedIds(score);
        double top = ranked.length == 0 ? 0 : score[ranked[0]];

        // Core: the best tables and the join paths between them.
        LinkedHashMap<Integer, Boolean> core = new LinkedHashMap<>();
        List<Integer> seeds = new ArrayList<>();
        for (int k = 0; k < ranked.length && seeds.size() < maxSeeds; k++) {
            int id = ranked[k];
            if (score[id] < SEED_SHARE * top) {
                break;
            }
            seeds.add(id);
            core.put(id, false); // a seed reached earlier as a bridge keeps its place but matched on its own
            if (!foreignKeyExpansion) {
                continue;
            }
            for (int other : seeds) {
                if (other == id) {
                    continue;
                }
                List<Integer> path = index.path(id, other, maxPathLength, score);
                if (path != null) {
                    for (int bridge : path) {
                        core.putIfAbsent(bridge, true);
                    }
                }
            }
        }
        Map<Integer, double[]> columnScores = new HashMap<>();
        if (foreignKeyExpansion) {
            expandReferences(seeds, query, core, columnScores);
        }
        // Extras: further matches, and the tables the seeds reference, by a combined key.
        Map<Integer, Double> extraKey = new HashMap<>();
        Map<Integer, Boolean> extraViaFk = new HashMap<>();
        for (int k = 0; k < ranked.length && extraKey.size() < MAX_EXTRAS; k++) {
            int id = ranked[k];
            if (score[id] < EXTRA_SHARE * top) {
                break;
            }
            if (!core.containsKey(id)) {
                extraKey.put(id, score[id]);
                extraViaFk.put(id, false);
            }
        }
        if (foreignKeyExpansion) {
            // Neighbours of the seeds (both directions), then the tables further matches reference.
            boolean dates = query.mentionsTime();
            for (int seed : seeds) {
                for (int nb : index.neighbours(seed)) {
                    offer(nb, score[seed], score, core, extraKey, extraViaFk);
                    if (dates && !index.hasDateColumn(nb) && !core.containsKey(nb)) {
                        // A line table next to a best table has its date on its header: offer that just after it.
                        int header = datedReference(nb);
                        if (header >= 0) {
                            offerAt(header, 0.95 * extraKey.get(nb), score, core, extraKey, extraViaFk);
                        }
                    }
                }
            }
            for (int id : List.copyOf(extraKey.keySet())) {
                if (!extraViaFk.get(id)) {
                    for (ForeignKey fk : index.table(id).foreignKeys()) {
                        int ref = index.id(fk.referencedQualifiedName());
                        if (ref >= 0) {
                            offer(ref, score[id], score, core, extraKey, extraViaFk);
                        }
                    }
                }
            }
        }
        List<Integer> extras = new ArrayList<>(extraKey.keySet());
        extras.sort(
                Comparator.comparingDouble((Integer id) -> -extraKey.get(id)).thenComparing(id -> id));
        if (extras.size() > MAX_EXTRAS) {
            extras = extras.subList(0, MAX_EXTRAS);
        }
        for (int id : core.keySet()) {
            columnScores.computeIfAbsent(id, k -> index.scoreColumns(k, query));
        }
        for (int id : extras) {
            columnScores.computeIfAbsent(id, k -> index.scoreColumns(k, query));
        }
        // Values: the core's, and the best further tables' in the same request; a further table holding a value
        // the question names ("on hold", "Berlin") joins the core.
        List<Integer> probe = new ArrayList<>(core.keySet());
        probe.addAll(extras.subList(0, Math.min(VALUE_PROBE_EXTRAS, extras.size())));
        Set<Integer> valueMatched = new HashSet<>();
        Map<Integer, Map<Integer, List<String>>> values = groundValues(probe, query, columnScores, valueMatched);
        List<Integer> promoted = new ArrayList<>();
        for (int id : probe) {
            if (valueMatched.contains(id) && !core.containsKey(id)) {
                promoted.add(id);
            }
        }
        if (!promoted.isEmpty() && !core.isEmpty()) {
            // Next to the best table: a value the question names is as strong a sign as its words.
            LinkedHashMap<Integer, Boolean> reordered = new LinkedHashMap<>();
            Map.Entry<Integer, Boolean> first = core.entrySet().iterator().next();
            reordered.put(first.getKey(), first.getValue());
            promoted.forEach(id -> reordered.put(id, false));
            reordered.putAll(core);
            core = reordered;
        }
        List<Integer> order = new ArrayList<>(core.keySet());
        for (int id : extras) {
            if (!core.containsKey(id)) {
                order.add(id);
            }
        }
        return assemble(order, core, extraViaFk, score, columnScores, values, tokenBudget);
    }

    /**
     * Adds to the core the tables that seeds reference through a foreign-key column the question names (a
     * question about an order's "buyer" needs the table {@code buyer_id} points to), and, for the best seeds that
     * have no column naming their rows (a support agent with only an {@code employee_id}), the referenced table
     * that has one; likewise a dated referenced table when the question is about a period and the seed has no date.
     */
    private void expandReferences(
            List<Integer> seeds,
            Query query,
            LinkedHashMap<Integer, Boolean> core,
            Map<Integer, double[]> columnScores) {
        for (int k = 0; k < seeds.size(); k++) {
            int seed = seeds.get(k);
            TableInfo t = index.table(seed);
            double[] cs = columnScores.computeIfAbsent(seed, id -> index.scoreColumns(id, query));
            boolean needsName = k < IDENTITY_SEEDS && !index.hasNameColumn(seed);
            // A question about a period needs a date; a line table without one gets its dated header table.
            boolean needsDate = k < IDENTITY_SEEDS && query.mentionsTime() && !index.hasDateColumn(seed);
            for (ForeignKey fk : t.foreignKeys()) {
                int ref = index.id(fk.referencedQualifiedName());
                if (ref < 0 || ref == seed) {
                    continue;
                }
                boolean named = false;
                for (String c : fk.columns()) {
                    int pos = columnIndex(t, c);
                    named |= pos >= 0 && cs[pos] > 0;
                }
                boolean givesName = needsName && index.hasNameColumn(ref);
                boolean givesDate = needsDate && index.hasDateColumn(ref);
                if (named || givesName || givesDate) {
                    core.putIfAbsent(ref, true);
                    needsName &= !index.hasNameColumn(ref);
                    needsDate &= !index.hasDateColumn(ref);
                }
            }
        }
        if (query.namesPerson()) {
            // "Ms. Lee's classes": the person is in a table a best table references, by name.
            outer:
            for (int seed : seeds) {
                for (ForeignKey fk : index.table(seed).foreignKeys()) {
                    int ref = index.id(fk.referencedQualifiedName());
                    if (ref >= 0 && ref != seed && index.isPersonTable(ref)) {
                        core.putIfAbsent(ref, true);
                        break outer;
                    }
                }
            }
        }
        if (query.mentionsTime()) {
            // A bridge joining two best tables is often a line table (journal lines, order items): its date is on
            // the header it references.
            for (Map.Entry<Integer, Boolean> e : List.copyOf(core.entrySet())) {
                if (e.getValue() && !index.hasDateColumn(e.getKey())) {
                    addDatedReference(e.getKey(), core);
                }
            }
        }
    }

    /** Adds to the core the first table {@code id} references that has a date column, if any. */
    private void addDatedReference(int id, LinkedHashMap<Integer, Boolean> core) {
        int ref = datedReference(id);
        if (ref >= 0) {
            core.putIfAbsent(ref, true);
        }
    }

    /** Returns the first table {@code id} references that has a date column, or -1. */
    private int datedReference(int id) {
        for (ForeignKey fk : index.table(id).foreignKeys()) {
            int ref = index.id(fk.referencedQualifiedName());
            if (ref >= 0 && ref != id && index.hasDateColumn(ref)) {
                return ref;
            }
        }
        return -1;
    }

    /** Offers a table linked to a scoring {@code base} as an extra, keyed by the better of its score and a share. */
    private static void offer(
            int id,
            double base,
            double[] score,
            Map<Integer, Boolean> core,
            Map<Integer, Double> extraKey,
            Map<Integer, Boolean> extraViaFk) {
        offerAt(id, 0.25 * base, score, core, extraKey, extraViaFk);
    }

    /** Offers a table as an extra, keyed by the better of its own score and {@code linkKey}. */
    private static void offerAt(
            int id,
            double linkKey,
            double[] score,
            Map<Integer, Boolean> core,
            Map<Integer, Double> extraKey,
            Map<Integer, Boolean> extraViaFk) {
        if (core.containsKey(id)) {
            return;
        }
        double key = Math.max(score[id], linkKey);
        Double prev = extraKey.get(id);
        if (prev == null || key > prev) {
            extraKey.put(id, key);
            extraViaFk.put(id, score[id] < linkKey);
        }
    }

    private static int columnIndex(TableInfo t, String column) {
        for (int i = 0; i < t.columns().size(); i++) {
            if (t.columns().get(i).name().equals(column)) {
                return i;
            }
        }
        return -1;
    }

    private double[] scores(String question, Query query) {
        if (ranker == LexicalRanker.INSTANCE) {
            return index.scoreTables(query);
        }
        double[] score = new double[index.size()];
        for (Map.Entry<String, Double> e : ranker.score(question, schema).entrySet()) {
            int id = index.id(e.getKey());
            if (id >= 0 && e.getValue() != null && e.getValue() > 0) {
                score[id] = e.getValue();
            }
        }
        return score;
    }

    private static Integer[] rankedIds(double[] score) {
        int count = 0;
        for (double s : score) {
            if (s > 0) {
                count++;
            }
        }
        Integer[] ids = new Integer[count];
        int k = 0;
        for (int i = 0; i < score.length; i++) {
            if (score[i] > 0) {
                ids[k++] = i;
            }
        }
        Arrays.sort(ids, (a, b) -> {
            int c = Double.compare(score[b], score[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        return ids;
    }

    /** Picks, for the core tables, the text and enum columns the question seems to filter on, with values. */
    private Map<Integer, Map<Integer, List<String>>> groundValues(
            List<Integer> tables, Query query, Map<Integer, double[]> columnScores, Set<Integer> valueMatched) {
        Map<Integer, Map<Integer, List<String>>> out = new HashMap<>();
        List<ColumnRef> toSample = new ArrayList<>();
        Map<ColumnRef, int[]> positions = new HashMap<>();
        for (int id : tables) {
            TableInfo t = index.table(id);
            double[] cs = columnScores.get(id);
            for (int c = 0; c < t.columns().size(); c++) {
                ColumnInfo col = t.columns().get(c);
                EnumType e = index.enumOf(col);
                if (e != null) {
                    if (cs[c] > 0 || matchesQuestion(e.labels(), query)) {
                        out.computeIfAbsent(id, k -> new HashMap<>()).put(c, e.labels());
                    }
                } else if (valueSampler != ValueSampler.NONE
                        && sampleable(t)
                        && index.isTextLike(id, c)
                        && index.isSampleable(id, c)
                        && (cs[c] > 0 || index.isCategorical(id, c))
                        && toSample.size() < MAX_SAMPLED_COLUMNS) {
                    ColumnRef ref = new ColumnRef(t.schema(), t.name(), col.name());
                    toSample.add(ref);
                    positions.put(ref, new int[] {id, c});
                }
            }
        }
        if (toSample.isEmpty()) {
            return out;
        }
        Map<ColumnRef, List<String>> sampled = valueSampler.sample(toSample);
        for (Map.Entry<ColumnRef, List<String>> e : sampled.entrySet()) {
            int[] pos = positions.get(e.getKey());
            if (pos == null || e.getValue().isEmpty()) {
                continue;
            }
            boolean nameMatches = columnScores.get(pos[0])[pos[1]] > 0;
            boolean valueMatches = matchesQuestion(e.getValue(), query);
            if (valueMatches) {
                valueMatched.add(pos[0]);
            }
            if (nameMatches || valueMatches) {
                out.computeIfAbsent(pos[0], k -> new HashMap<>()).put(pos[1], List.copyOf(e.getValue()));
            }
        }
        return out;
    }

    /** Views (as expensive as their definitions) and foreign tables (remote) are not sampled. */
    private static boolean sampleable(TableInfo t) {
        return t.kind() != TableKind.VIEW && t.kind() != TableKind.FOREIGN_TABLE;
    }

    private static boolean matchesQuestion(List<String> values, Query query) {
        for (String v : values) {
            for (String term : TextAnalyzer.terms(v)) {
                if (query.directTerms().contains(term)) {
                    return true;
                }
            }
        }
        return false;
    }

    private SchemaContext assemble(
            List<Integer> order,
            Map<Integer, Boolean> core,
            Map<Integer, Boolean> extraViaFk,
            double[] score,
            Map<Integer, double[]> columnScores,
            Map<Integer, Map<Integer, List<String>>> values,
            int budget) {
        int n = order.size();
        String[] blocks = new String[n];
        int[] blockTokens = new int[n];
        boolean[] full = new boolean[n];
        List<Integer> added = new ArrayList<>();
        // Reserve room for the last line, written with the widest numbers it can hold.
        String widest = footer(Math.max(0, index.size() - 1), index.size());
        int reserve = tokenCounter.count(widest) + 1;
        int available = budget - reserve;
        int used = 0;
        int coreCount = core.size();
        // Core compact, core in full up to a share of the budget, then further tables compact, then the rest in
        // full: a tight budget shows more tables rather than every column of a few.
        int fullCoreLimit = (int) (FULL_CORE_SHARE * available);
        int[][] passes = {
            {0, coreCount, 1, available},
            {0, coreCount, 0, fullCoreLimit},
            {coreCount, n, 1, available},
            {0, coreCount, 0, available},
            {coreCount, n, 0, available},
        };
        for (int[] pass : passes) {
            boolean compactPass = pass[2] == 1;
            int limit = pass[3];
            for (int k = pass[0]; k < pass[1] && limit - used > 0; k++) {
                int id = order.get(k);
                if (compactPass && blocks[k] != null || !compactPass && (blocks[k] == null || full[k])) {
                    continue;
                }
                Map<Integer, List<String>> v = values.getOrDefault(id, Map.of());
                String text = Renderer.table(index, id, columnScores.get(id), v, compactPass);
                int tokens = tokenCounter.count(text);
                int delta = tokens - (blocks[k] == null ? 0 : blockTokens[k]);
                if (used + delta > limit) {
                    continue;
                }
                if (blocks[k] == null) {
                    added.add(k);
                }
                blocks[k] = text;
                blockTokens[k] = tokens;
                full[k] = !compactPass || !text.contains(" more column");
                used += delta;
            }
        }
        while (true) {
            StringBuilder sb = new StringBuilder();
            List<ScoredTable> shown = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                if (blocks[k] != null) {
                    sb.append(blocks[k]);
                    int id = order.get(k);
                    boolean viaFk = k < coreCount ? core.get(id) : extraViaFk.getOrDefault(id, false);
                    shown.add(new ScoredTable(index.table(id).qualifiedName(), score[id], viaFk));
                }
            }
            String foot = footer(shown.size(), index.size());
            String text = sb.length() == 0 && tokenCounter.count(foot) > budget ? "" : sb + foot;
            int tokens = tokenCounter.count(text);
            if (tokens <= budget || added.isEmpty()) {
                if (tokens > budget) {
                    return new SchemaContext("", 0, List.of());
                }
                return new SchemaContext(text, tokens, shown);
            }
            // Token counts of blocks added separately can differ slightly from the whole; drop the last one.
            blocks[added.remove(added.size() - 1)] = null;
        }
    }

    private static String footer(int shown, int total) {
        if (shown >= total) {
            return "-- All " + total + " tables shown.\n";
        }
        return "-- " + shown + " of " + total + " tables shown (those most relevant to the question). Find others"
                + " with search_schema; see all columns with describe_table.\n";
    }

    @Override
    public String toString() {
        return "SchemaContextBuilder[tables=" + index.size() + ", ranker=" + ranker + ", sampler=" + valueSampler + "]";
    }

    /** Builds a {@link SchemaContextBuilder}. Not thread-safe. */
    public static final class Builder {
        private @Nullable SchemaModel schema;
        private TableRanker ranker = TableRanker.lexical();
        private ValueSampler valueSampler = ValueSampler.NONE;
        private TokenCounter tokenCounter = TokenCounter.defaultCounter();
        private boolean foreignKeyExpansion = true;
        private int maxSeeds = 6;
        private int maxPathLength = 3;

        private Builder() {}

        /** Sets the schema to render. Required. */
        public Builder schema(SchemaModel schema) {
            this.schema = Objects.requireNonNull(schema, "schema == null");
            return this;
        }

        /** Sets how tables are ranked. Default: {@link TableRanker#lexical()}. */
        public Builder ranker(TableRanker ranker) {
            this.ranker = Objects.requireNonNull(ranker, "ranker == null");
            return this;
        }

        /** Sets where sample values of text columns come from. Default: {@link ValueSampler#NONE}. */
        public Builder valueSampler(ValueSampler valueSampler) {
            this.valueSampler = Objects.requireNonNull(valueSampler, "valueSampler == null");
            return this;
        }

        /** Sets the tokenizer the budget is counted with. Default: {@link TokenCounter#defaultCounter()}. */
        public Builder tokenCounter(TokenCounter tokenCounter) {
            this.tokenCounter = Objects.requireNonNull(tokenCounter, "tokenCounter == null");
            return this;
        }

        /**
         * Sets whether tables on the foreign-key paths between the best tables, and the tables those reference, are
         * added. Default: true.
         */
        public Builder foreignKeyExpansion(boolean foreignKeyExpansion) {
            this.foreignKeyExpansion = foreignKeyExpansion;
            return this;
        }

        /** Sets how many best-matching tables are joined by foreign-key paths. Default: 6; must be 1 to 50. */
        public Builder maxSeeds(int maxSeeds) {
            if (maxSeeds < 1 || maxSeeds > 50) {
                throw new IllegalArgumentException("maxSeeds must be 1 to 50 but was " + maxSeeds);
            }
            this.maxSeeds = maxSeeds;
            return this;
        }

        /** Sets the longest foreign-key path (in joins) used to connect two tables. Default: 3; must be 1 to 6. */
        public Builder maxPathLength(int maxPathLength) {
            if (maxPathLength < 1 || maxPathLength > 6) {
                throw new IllegalArgumentException("maxPathLength must be 1 to 6 but was " + maxPathLength);
            }
            this.maxPathLength = maxPathLength;
            return this;
        }

        /**
         * Returns the context builder, indexing the schema.
         *
         * @throws IllegalStateException if no schema was set
         */
        public SchemaContextBuilder build() {
            if (schema == null) {
                throw new IllegalStateException("schema must be set but was null");
            }
            return new SchemaContextBuilder(this);
        }
    }
}
