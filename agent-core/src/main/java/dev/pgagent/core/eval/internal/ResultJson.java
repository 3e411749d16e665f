package dev.pgagent.core.eval.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.core.eval.EvalMode;
import dev.pgagent.core.eval.EvalReport;
import dev.pgagent.core.eval.EvalResult;
import dev.pgagent.core.eval.EvalStatus;
import dev.pgagent.core.eval.EvalSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The JSON of results (one line each in a results file) and of reports. */
public final class ResultJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE = new ObjectMapper();

    private ResultJson() {}

    /** A result read back from a line, with the mode of the run that wrote it. */
    public record Line(EvalMode mode, EvalResult result) {}

    /** Returns {@code result} as one JSON line (no line break), tagged with {@code mode}. */
    public static String line(EvalMode mode, EvalResult result) {
        ObjectNode node = node(result);
        node.put("mode", mode.name().toLowerCase(Locale.ROOT));
        return node.toString();
    }

    /** Reads a line written by {@link #line}; empty when it is not one (a line cut short by a crash, say). */
    public static Optional<Line> read(String line) {
        JsonNode n;
        try {
            n = LINE.readTree(line);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (n == null
                || !n.isObject()
                || !n.path("id").isTextual()
                || !n.path("status").isTextual()
                || !n.path("mode").isTextual()) {
            return Optional.empty();
        }
        try {
            EvalMode mode = EvalMode.valueOf(n.get("mode").asText().toUpperCase(Locale.ROOT));
            EvalResult.Builder b = EvalResult.builder(
                            n.get("id").asText(),
                            EvalStatus.valueOf(n.get("status").asText()))
                    .database(n.path("database").asText(""))
                    .difficulty(n.path("difficulty").asText("unknown"))
                    .predictedSql(n.path("predictedSql").asText(""))
                    .steps(n.path("steps").asInt(0))
                    .tokens(
                            n.path("inputTokens").asLong(0),
                            n.path("outputTokens").asLong(0))
                    .latency(Duration.ofMillis(n.path("latencyMs").asLong(0)))
                    .error(n.path("error").asText(""))
                    .contextTokens(n.path("contextTokens").asInt(-1))
                    .tables(strings(n.path("goldTables")), strings(n.path("missingTables")));
            return Optional.of(new Line(mode, b.build()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Returns the report as an indented JSON document. */
    public static String report(EvalReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("mode", report.mode().name().toLowerCase(Locale.ROOT));
        if (report.mode() == EvalMode.CONTEXT) {
            root.put("budget", report.contextBudget());
        }
        report.pricing()
                .ifPresent(p -> root.putObject("pricing")
                        .put("inputPerMillion", p.inputPerMillion())
                        .put("outputPerMillion", p.outputPerMillion()));
        root.set("summary", summary(report.summary()));
        ObjectNode by = root.putObject("byDifficulty");
        report.byDifficulty().forEach((d, s) -> by.set(d, summary(s)));
        ArrayNode results = root.putArray("results");
        report.results().forEach(r -> results.add(node(r)));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the report as JSON", e);
        }
    }

    private static ObjectNode summary(EvalSummary s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("questions", s.questions());
        n.put("scored", s.scored());
        n.put("accuracy", s.accuracy());
        for (EvalStatus status : EvalStatus.values()) {
            n.put(camel(status), s.count(status));
        }
        n.put("meanSteps", s.meanSteps());
        n.put("inputTokens", s.inputTokens());
        n.put("outputTokens", s.outputTokens());
        s.estimatedCost().ifPresent(c -> n.put("estimatedCost", c));
        n.put("meanContextTokens", s.meanContextTokens());
        n.put("meanLatencyMs", s.meanLatency().toMillis());
        n.put("p50LatencyMs", s.latencyPercentile(50).toMillis());
        n.put("p95LatencyMs", s.latencyPercentile(95).toMillis());
        return n;
    }

    private static String camel(EvalStatus status) {
        return switch (status) {
            case CORRECT -> "correct";
            case WRONG -> "wrong";
            case FAILED -> "failed";
            case REFUSED -> "refused";
            case GOLD_ERROR -> "goldErrors";
        };
    }

    private static ObjectNode node(EvalResult r) {
        ObjectNode n = LINE.createObjectNode();
        n.put("id", r.id());
        n.put("database", r.database());
        n.put("difficulty", r.difficulty());
        n.put("status", r.status().name());
        n.put("predictedSql", r.predictedSql());
        n.put("steps", r.steps());
        n.put("inputTokens", r.inputTokens());
        n.put("outputTokens", r.outputTokens());
        n.put("latencyMs", r.latency().toMillis());
        n.put("error", r.error());
        if (r.contextTokens() >= 0) {
            n.put("contextTokens", r.contextTokens());
            ArrayNode gold = n.putArray("goldTables");
            r.goldTables().forEach(gold::add);
            ArrayNode missing = n.putArray("missingTables");
            r.missingTables().forEach(missing::add);
        }
        return n;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(v -> out.add(v.asText()));
        }
        return out;
    }
}
