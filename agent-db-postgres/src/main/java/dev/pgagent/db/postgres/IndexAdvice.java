package dev.pgagent.db.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.Experimental;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link IndexAdvisor} recommends for a set of statements: the indexes picked (in the order they were picked),
 * each statement with its estimated cost before and after, how the candidates were costed, and notes (statements
 * skipped and why, locks taken by a rolled-back build, candidates left uncosted). Immutable and thread-safe.
 *
 * @param method how candidates were costed
 * @param recommendations the indexes to create, best first; empty when none gains at least the minimum
 * @param statements every statement given, numbered from 1, with its costs or the reason it was skipped
 * @param candidates how many candidate indexes were considered (after those existing indexes serve were dropped)
 * @param uncosted with {@link Method#NONE}: the candidates' {@code CREATE INDEX CONCURRENTLY} statements, not costed
 * @param notes what the reader should know about this advice, e.g. statements skipped, locks taken
 * @param budgetBytes the size budget, {@link Long#MAX_VALUE} for none
 * @param minGain the smallest fraction of a statement's cost an index must save to count as helping it
 * @param adviceTime how long the advice took
 */
@Experimental
public record IndexAdvice(
        Method method,
        List<IndexRecommendation> recommendations,
        List<AdvisedStatement> statements,
        int candidates,
        List<String> uncosted,
        List<String> notes,
        long budgetBytes,
        double minGain,
        Duration adviceTime) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How candidate indexes were costed. */
    public enum Method {
        /** hypopg's hypothetical indexes: nothing was built, nothing was locked. */
        HYPOPG,
        /** Each candidate was built for real in a transaction that was rolled back (the host opted in). */
        ROLLED_BACK_BUILD,
        /** Not costed: hypopg is not installed and the host did not allow rolled-back builds. */
        NONE
    }

    /**
     * One statement of the advice.
     *
     * @param number the statement's number, from 1
     * @param sql the statement as given
     * @param weight how much it counts (its calls for a workload from {@code pg_stat_statements}; else 1)
     * @param costBefore its estimated cost with the existing indexes, or -1 when skipped
     * @param costAfter its estimated cost with the recommended indexes too, or -1 when skipped
     * @param skipped why it was not analysed, or null
     */
    public record AdvisedStatement(
            int number,
            String sql,
            double weight,
            double costBefore,
            double costAfter,
            @Nullable String skipped) {
        /** Validates the components. */
        public AdvisedStatement {
            Objects.requireNonNull(sql, "sql == null");
        }
    }

    /** Copies and validates the components. */
    public IndexAdvice {
        Objects.requireNonNull(method, "method == null");
        recommendations = List.copyOf(recommendations);
        statements = List.copyOf(statements);
        uncosted = List.copyOf(uncosted);
        notes = List.copyOf(notes);
        Objects.requireNonNull(adviceTime, "adviceTime == null");
    }

    /** Returns the weighted estimated cost of the analysed statements with the existing indexes. */
    public double totalCostBefore() {
        return statements.stream()
                .filter(s -> s.skipped() == null)
                .mapToDouble(s -> s.weight() * s.costBefore())
                .sum();
    }

    /** Returns the weighted estimated cost of the analysed statements with the recommended indexes too. */
    public double totalCostAfter() {
        return statements.stream()
                .filter(s -> s.skipped() == null)
                .mapToDouble(s -> s.weight() * s.costAfter())
                .sum();
    }

    /** Returns the recommended indexes' estimated size in bytes, all together. */
    public long totalSizeBytes() {
        return recommendations.stream()
                .mapToLong(IndexRecommendation::sizeBytes)
                .sum();
    }

    /** Returns the advice as text for a person or a model, at most {@code maxChars} characters. */
    public String toText(int maxChars) {
        StringBuilder sb = new StringBuilder();
        long analysed = statements.stream().filter(s -> s.skipped() == null).count();
        sb.append("Index advice for ")
                .append(analysed)
                .append(" of ")
                .append(statements.size())
                .append(" statements, ")
                .append(candidates)
                .append(" candidate indexes, costed ")
                .append(
                        switch (method) {
                            case HYPOPG -> "with hypopg's hypothetical indexes (nothing was built)";
                            case ROLLED_BACK_BUILD ->
                                "by building each candidate in a transaction that was rolled back";
                            case NONE -> "not at all (no hypopg, no rolled-back builds allowed)";
                        })
                .append(", in ")
                .append(millis(adviceTime))
                .append(".\n");
        if (method != Method.NONE) {
            sb.append("Estimated cost of the statements: ")
                    .append(number(totalCostBefore()))
                    .append(" -> ")
                    .append(number(totalCostAfter()))
                    .append(" (")
                    .append(change(totalCostBefore(), totalCostAfter()))
                    .append("), with ")
                    .append(recommendations.size())
                    .append(" new index")
                    .append(recommendations.size() == 1 ? "" : "es")
                    .append(" of ")
                    .append(bytes(totalSizeBytes()))
                    .append(
                            budgetBytes == Long.MAX_VALUE
                                    ? " (no size budget)"
                                    : " (budget " + bytes(budgetBytes) + ")")
                    .append("; minimum gain ")
                    .append(percent(minGain))
                    .append(" of a statement's cost.\n");
        }
        int i = 0;
        for (IndexRecommendation r : recommendations) {
            sb.append('\n')
                    .append(++i)
                    .append(". ")
                    .append(r.table())
                    .append(' ')
                    .append(shape(r))
                    .append("  [")
                    .append(r.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                    .append(", ")
                    .append(bytes(r.sizeBytes()))
                    .append("]\n   cost ")
                    .append(number(r.costBefore()))
                    .append(" -> ")
                    .append(number(r.costAfter()))
                    .append(" (")
                    .append(change(r.costBefore(), r.costAfter()))
                    .append(") for statement")
                    .append(r.statements().size() == 1 ? " " : "s ")
                    .append(join(r.statements()))
                    .append("\n   ")
                    .append(r.createStatement())
                    .append(";\n");
        }
        if (recommendations.isEmpty() && method != Method.NONE) {
            sb.append("\nNo index gains at least ").append(percent(minGain)).append(" of a statement's cost.\n");
        }
        if (!uncosted.isEmpty()) {
            sb.append("\nCandidates (not costed):\n");
            for (String u : uncosted) {
                sb.append("  ").append(u).append(";\n");
            }
        }
        sb.append("\nStatements:\n");
        for (AdvisedStatement s : statements) {
            sb.append("  #").append(s.number()).append(' ');
            if (s.skipped() != null) {
                sb.append("skipped: ").append(s.skipped());
            } else {
                sb.append("cost ").append(number(s.costBefore()));
                if (method != Method.NONE) {
                    sb.append(" -> ").append(number(s.costAfter()));
                }
                if (s.weight() != 1) {
                    sb.append(" x ").append(number(s.weight())).append(" calls");
                }
            }
            sb.append("  ").append(oneLine(s.sql(), 100)).append('\n');
        }
        if (!notes.isEmpty()) {
            sb.append("\nNotes:\n");
            for (String n : notes) {
                sb.append("  - ").append(n).append('\n');
            }
        }
        String text = sb.toString();
        return text.length() <= maxChars ? text : text.substring(0, Math.max(0, maxChars - 8)) + "\n[cut]";
    }

    /** Returns the advice as one JSON document. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("method", method.name().toLowerCase(Locale.ROOT));
        root.put("adviceMillis", adviceTime.toMillis());
        root.put("candidates", candidates);
        root.put("minGain", minGain);
        if (budgetBytes != Long.MAX_VALUE) {
            root.put("budgetBytes", budgetBytes);
        } else {
            root.putNull("budgetBytes");
        }
        root.put("costBefore", totalCostBefore());
        root.put("costAfter", totalCostAfter());
        root.put("sizeBytes", totalSizeBytes());
        ArrayNode recs = root.putArray("recommendations");
        for (IndexRecommendation r : recommendations) {
            ObjectNode o = recs.addObject();
            o.put("table", r.table());
            r.columns().forEach(o.putArray("columns")::add);
            r.include().forEach(o.putArray("include")::add);
            o.put("predicate", r.predicate());
            o.put("kind", r.kind().name().toLowerCase(Locale.ROOT));
            o.put("sizeBytes", r.sizeBytes());
            o.put("costBefore", r.costBefore());
            o.put("costAfter", r.costAfter());
            r.statements().forEach(o.putArray("statements")::add);
            o.put("indexName", r.indexName());
            o.put("createStatement", r.createStatement());
            o.put("description", r.description());
        }
        ArrayNode stmts = root.putArray("statements");
        for (AdvisedStatement s : statements) {
            ObjectNode o = stmts.addObject();
            o.put("number", s.number());
            o.put("sql", s.sql());
            o.put("weight", s.weight());
            if (s.skipped() == null) {
                o.put("costBefore", s.costBefore());
                o.put("costAfter", s.costAfter());
            } else {
                o.put("skipped", s.skipped());
            }
        }
        uncosted.forEach(root.putArray("uncosted")::add);
        notes.forEach(root.putArray("notes")::add);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the advice as JSON", e);
        }
    }

    @Override
    public String toString() {
        return "IndexAdvice{" + method + ", " + recommendations.size() + " recommendations, " + statements.size()
                + " statements}";
    }

    static String shape(IndexRecommendation r) {
        StringBuilder sb =
                new StringBuilder("(").append(String.join(", ", r.columns())).append(')');
        if (!r.include().isEmpty()) {
            sb.append(" INCLUDE (").append(String.join(", ", r.include())).append(')');
        }
        if (r.predicate() != null) {
            sb.append(" WHERE ").append(r.predicate());
        }
        return sb.toString();
    }

    static String join(List<Integer> numbers) {
        StringBuilder sb = new StringBuilder();
        for (Integer n : numbers) {
            sb.append(sb.length() == 0 ? "#" : ", #").append(n);
        }
        return sb.toString();
    }

    static String number(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.2f", v);
    }

    static String change(double before, double after) {
        if (before <= 0) {
            return "no change";
        }
        return String.format(Locale.ROOT, "%+.1f%%", 100.0 * (after - before) / before);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MB", b / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%d kB", (b + 1023) / 1024);
    }

    private static String millis(Duration d) {
        long ms = d.toMillis();
        return ms >= 10_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : ms + " ms";
    }

    private static String oneLine(String sql, int max) {
        String s = sql.replaceAll("\\s+", " ").strip();
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
