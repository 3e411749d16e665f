package dev.pgagent.core.eval;

import dev.pgagent.api.Experimental;
import dev.pgagent.core.eval.internal.ResultJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of an evaluation: one {@link EvalResult} per question, in the order given, and their aggregates,
 * overall and by difficulty; rendered as a text table ({@link #toTable()}) or JSON ({@link #toJson()}). Immutable
 * and thread-safe.
 */
@Experimental
public final class EvalReport {
    /** Difficulty labels of Spider and BIRD, easiest first; others follow in alphabetical order. */
    private static final List<String> KNOWN_DIFFICULTIES =
            List.of("easy", "simple", "medium", "moderate", "hard", "challenging", "extra");

    private final EvalMode mode;
    private final List<EvalResult> results;
    private final @Nullable Pricing pricing;
    private final int contextBudget;

    /**
     * Creates a report.
     *
     * @param mode what was scored
     * @param results the results, in question order
     * @param pricing the price for the cost estimate, or null for none
     * @param contextBudget the token budget of a context-only run; 0 otherwise
     */
    public EvalReport(EvalMode mode, List<EvalResult> results, @Nullable Pricing pricing, int contextBudget) {
        this.mode = Objects.requireNonNull(mode, "mode == null");
        this.results = List.copyOf(Objects.requireNonNull(results, "results == null"));
        this.pricing = pricing;
        this.contextBudget = contextBudget;
    }

    /** Returns what was scored. */
    public EvalMode mode() {
        return mode;
    }

    /** Returns the results, in the order of the questions. */
    public List<EvalResult> results() {
        return results;
    }

    /** Returns the price used for the cost estimate, if one was given. */
    public Optional<Pricing> pricing() {
        return Optional.ofNullable(pricing);
    }

    /** Returns the token budget of a context-only run; 0 otherwise. */
    public int contextBudget() {
        return contextBudget;
    }

    /** Returns the aggregates of all results. */
    public EvalSummary summary() {
        return EvalSummary.of(results, pricing);
    }

    /** Returns the aggregates by difficulty: Spider's and BIRD's labels easiest first, then others by name. */
    public Map<String, EvalSummary> byDifficulty() {
        Map<String, List<EvalResult>> groups =
                new TreeMap<>(Comparator.comparingInt(EvalReport::rank).thenComparing(Comparator.naturalOrder()));
        for (EvalResult r : results) {
            groups.computeIfAbsent(r.difficulty(), d -> new ArrayList<>()).add(r);
        }
        Map<String, EvalSummary> out = new LinkedHashMap<>();
        groups.forEach((d, rs) -> out.put(d, EvalSummary.of(rs, pricing)));
        return out;
    }

    private static int rank(String difficulty) {
        int i = KNOWN_DIFFICULTIES.indexOf(difficulty.toLowerCase(Locale.ROOT));
        if (i >= 0) {
            return i;
        }
        return difficulty.equals(EvalQuestion.UNKNOWN_DIFFICULTY) ? Integer.MAX_VALUE : KNOWN_DIFFICULTIES.size();
    }

    /** Returns the report as one JSON document: mode, summary, byDifficulty, results. */
    public String toJson() {
        return ResultJson.report(this);
    }

    /** Returns the report as a text table, one row a difficulty and one for all, with a headline. */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        EvalSummary all = summary();
        boolean context = mode == EvalMode.CONTEXT;
        out.append(String.format(
                Locale.ROOT,
                "%s: %.1f%% (%d of %d questions%s)%n",
                context ? "Schema-context recall at " + contextBudget + " tokens" : "Execution accuracy",
                100 * all.accuracy(),
                all.count(EvalStatus.CORRECT),
                all.scored(),
                all.count(EvalStatus.GOLD_ERROR) == 0
                        ? ""
                        : "; " + all.count(EvalStatus.GOLD_ERROR) + " left out: gold SQL "
                                + (context ? "unreadable" : "failed")));
        List<String[]> rows = new ArrayList<>();
        if (context) {
            rows.add(new String[] {
                "difficulty", "questions", "recall", "found", "missed", "gold errors", "mean tokens", "p50 ms", "p95 ms"
            });
        } else {
            rows.add(new String[] {
                "difficulty",
                "questions",
                "accuracy",
                "correct",
                "wrong",
                "failed",
                "refused",
                "gold errors",
                "mean steps",
                "tokens in",
                "tokens out",
                "cost",
                "p50 ms",
                "p95 ms"
            });
        }
        Map<String, EvalSummary> groups = new LinkedHashMap<>(byDifficulty());
        groups.put("all", all);
        groups.forEach((difficulty, s) -> rows.add(context ? contextRow(difficulty, s) : row(difficulty, s)));
        int[] widths = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                if (i > 0) {
                    line.append("  ");
                }
                String cell = r[i];
                // the first column reads left to right, numbers line up on the right
                line.append(i == 0 ? pad(cell, widths[i], false) : pad(cell, widths[i], true));
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return out.toString();
    }

    private String[] row(String difficulty, EvalSummary s) {
        return new String[] {
            difficulty,
            Integer.toString(s.questions()),
            percent(s.accuracy()),
            Integer.toString(s.count(EvalStatus.CORRECT)),
            Integer.toString(s.count(EvalStatus.WRONG)),
            Integer.toString(s.count(EvalStatus.FAILED)),
            Integer.toString(s.count(EvalStatus.REFUSED)),
            Integer.toString(s.count(EvalStatus.GOLD_ERROR)),
            String.format(Locale.ROOT, "%.2f", s.meanSteps()),
            Long.toString(s.inputTokens()),
            Long.toString(s.outputTokens()),
            s.estimatedCost().map(c -> String.format(Locale.ROOT, "%.4f", c)).orElse("-"),
            millis(s.latencyPercentile(50)),
            millis(s.latencyPercentile(95))
        };
    }

    private static String[] contextRow(String difficulty, EvalSummary s) {
        return new String[] {
            difficulty,
            Integer.toString(s.questions()),
            percent(s.accuracy()),
            Integer.toString(s.count(EvalStatus.CORRECT)),
            Integer.toString(s.count(EvalStatus.WRONG)),
            Integer.toString(s.count(EvalStatus.GOLD_ERROR)),
            String.format(Locale.ROOT, "%.0f", s.meanContextTokens()),
            millis(s.latencyPercentile(50)),
            millis(s.latencyPercentile(95))
        };
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String millis(Duration d) {
        return Long.toString(d.toMillis());
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }

    @Override
    public String toString() {
        return "EvalReport{mode=" + mode + ", questions=" + results.size() + ", accuracy="
                + summary().accuracy() + '}';
    }
}
