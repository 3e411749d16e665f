package dev.pgagent.core.eval;

import dev.pgagent.api.Experimental;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Aggregates of a set of {@link EvalResult}s: counts by status, accuracy, steps, tokens, the cost estimate and
 * latency. Immutable and thread-safe.
 */
@Experimental
public final class EvalSummary {
    private final int questions;
    private final Map<EvalStatus, Integer> counts;
    private final long steps;
    private final long inputTokens;
    private final long outputTokens;
    private final long contextTokens;
    private final List<Duration> latencies;
    private final @Nullable Pricing pricing;

    private EvalSummary(Collection<EvalResult> results, @Nullable Pricing pricing) {
        Map<EvalStatus, Integer> c = new EnumMap<>(EvalStatus.class);
        for (EvalStatus s : EvalStatus.values()) {
            c.put(s, 0);
        }
        long st = 0;
        long in = 0;
        long out = 0;
        long ctx = 0;
        List<Duration> lat = new ArrayList<>();
        for (EvalResult r : results) {
            c.merge(r.status(), 1, Integer::sum);
            st += r.steps();
            in += r.inputTokens();
            out += r.outputTokens();
            ctx += Math.max(0, r.contextTokens());
            lat.add(r.latency());
        }
        lat.sort(null);
        this.questions = results.size();
        this.counts = Map.copyOf(c);
        this.steps = st;
        this.inputTokens = in;
        this.outputTokens = out;
        this.contextTokens = ctx;
        this.latencies = List.copyOf(lat);
        this.pricing = pricing;
    }

    /** Returns the summary of {@code results}, with a cost estimate when {@code pricing} is given. */
    public static EvalSummary of(Collection<EvalResult> results, @Nullable Pricing pricing) {
        Objects.requireNonNull(results, "results == null");
        return new EvalSummary(results, pricing);
    }

    /** Returns the number of questions. */
    public int questions() {
        return questions;
    }

    /** Returns the number of questions that ended with {@code status}. */
    public int count(EvalStatus status) {
        return counts.get(Objects.requireNonNull(status, "status == null"));
    }

    /** Returns the number of questions scored: all but those whose gold SQL could not run. */
    public int scored() {
        return questions - count(EvalStatus.GOLD_ERROR);
    }

    /**
     * Returns the share of scored questions that were {@link EvalStatus#CORRECT}, from 0 to 1 (execution accuracy,
     * or context recall in a context-only run); 0 when none was scored.
     */
    public double accuracy() {
        return scored() == 0 ? 0 : (double) count(EvalStatus.CORRECT) / scored();
    }

    /** Returns the mean steps an ask took; 0 without questions. */
    public double meanSteps() {
        return questions == 0 ? 0 : (double) steps / questions;
    }

    /** Returns the input tokens of all asks. */
    public long inputTokens() {
        return inputTokens;
    }

    /** Returns the output tokens of all asks. */
    public long outputTokens() {
        return outputTokens;
    }

    /** Returns the mean context size in tokens of a context-only run; 0 otherwise. */
    public double meanContextTokens() {
        return questions == 0 ? 0 : (double) contextTokens / questions;
    }

    /** Returns the estimated cost of the tokens, when a price was given. */
    public Optional<Double> estimatedCost() {
        return pricing == null ? Optional.empty() : Optional.of(pricing.cost(inputTokens, outputTokens));
    }

    /** Returns the mean latency; zero without questions. */
    public Duration meanLatency() {
        if (latencies.isEmpty()) {
            return Duration.ZERO;
        }
        Duration sum = Duration.ZERO;
        for (Duration d : latencies) {
            sum = sum.plus(d);
        }
        return sum.dividedBy(latencies.size());
    }

    /**
     * Returns the latency below which {@code percent} of the questions finished (nearest rank); zero without
     * questions.
     *
     * @throws IllegalArgumentException if {@code percent} is not in 1..100
     */
    public Duration latencyPercentile(int percent) {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("percent must be in 1..100 but was " + percent);
        }
        if (latencies.isEmpty()) {
            return Duration.ZERO;
        }
        int rank = (int) Math.ceil(percent / 100.0 * latencies.size());
        return latencies.get(Math.max(0, rank - 1));
    }

    @Override
    public String toString() {
        return "EvalSummary{questions=" + questions + ", correct=" + count(EvalStatus.CORRECT) + ", accuracy="
                + accuracy() + '}';
    }
}
