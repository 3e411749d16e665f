package dev.pgagent.context;

import dev.pgagent.api.schema.SchemaModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Mixes several rankers: each one's scores are scaled so its best table scores 1, then summed with weights.
 * Immutable and thread-safe when its rankers are.
 *
 * <pre>{@code
 * TableRanker ranker = HybridRanker.builder()
 *     .add(TableRanker.lexical(), 0.5)
 *     .add(myEmbeddingRanker, 0.5)
 *     .build();
 * }</pre>
 */
public final class HybridRanker implements TableRanker {
    private final List<TableRanker> rankers;
    private final double[] weights;

    private HybridRanker(Builder b) {
        this.rankers = List.copyOf(b.rankers);
        this.weights = b.weights.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Map<String, Double> score(String question, SchemaModel schema) {
        Objects.requireNonNull(question, "question == null");
        Objects.requireNonNull(schema, "schema == null");
        Map<String, Double> out = new HashMap<>();
        for (int i = 0; i < rankers.size(); i++) {
            Map<String, Double> s = rankers.get(i).score(question, schema);
            double max = 0;
            for (double v : s.values()) {
                max = Math.max(max, v);
            }
            if (max <= 0) {
                continue;
            }
            double w = weights[i] / max;
            for (Map.Entry<String, Double> e : s.entrySet()) {
                if (e.getValue() > 0) {
                    out.merge(e.getKey(), e.getValue() * w, Double::sum);
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "HybridRanker" + rankers;
    }

    /** Builds a {@link HybridRanker}. Not thread-safe. */
    public static final class Builder {
        private final List<TableRanker> rankers = new ArrayList<>();
        private final List<Double> weights = new ArrayList<>();

        private Builder() {}

        /**
         * Adds a ranker with a weight. No default: at least one ranker is required.
         *
         * @param weight a positive, finite weight; weights are relative to each other
         */
        public Builder add(TableRanker ranker, double weight) {
            Objects.requireNonNull(ranker, "ranker == null");
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight must be positive and finite but was " + weight);
            }
            rankers.add(ranker);
            weights.add(weight);
            return this;
        }

        /**
         * Returns the ranker.
         *
         * @throws IllegalStateException if no ranker was added
         */
        public HybridRanker build() {
            if (rankers.isEmpty()) {
                throw new IllegalStateException("rankers must not be empty but was []");
            }
            return new HybridRanker(this);
        }
    }
}
