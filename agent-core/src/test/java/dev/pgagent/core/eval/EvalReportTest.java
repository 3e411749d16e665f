package dev.pgagent.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.core.eval.internal.ResultJson;
import dev.pgagent.core.eval.internal.ResultsFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static EvalResult result(
            String id, String difficulty, EvalStatus status, int steps, long in, long out, long millis) {
        return EvalResult.builder(id, status)
                .difficulty(difficulty)
                .database("db")
                .steps(steps)
                .tokens(in, out)
                .latency(Duration.ofMillis(millis))
                .predictedSql("SELECT " + id)
                .build();
    }

    private static EvalReport report() {
        return new EvalReport(
                EvalMode.EXECUTION,
                List.of(
                        result("1", "hard", EvalStatus.CORRECT, 2, 1000, 100, 10),
                        result("2", "easy", EvalStatus.CORRECT, 2, 1000, 100, 20),
                        result("3", "easy", EvalStatus.WRONG, 3, 2000, 200, 30),
                        result("4", "weird", EvalStatus.FAILED, 1, 500, 0, 40),
                        result("5", "unknown", EvalStatus.REFUSED, 1, 500, 50, 50),
                        result("6", "easy", EvalStatus.GOLD_ERROR, 0, 0, 0, 1)),
                new Pricing(0.15, 0.60),
                0);
    }

    @Test
    void summarisesOverallAndByDifficulty() {
        EvalReport report = report();
        EvalSummary all = report.summary();

        assertThat(all.questions()).isEqualTo(6);
        assertThat(all.scored()).isEqualTo(5);
        assertThat(all.count(EvalStatus.CORRECT)).isEqualTo(2);
        assertThat(all.accuracy()).isEqualTo(0.4);
        assertThat(all.meanSteps()).isEqualTo(9 / 6.0);
        assertThat(all.inputTokens()).isEqualTo(5000);
        assertThat(all.outputTokens()).isEqualTo(450);
        assertThat(all.estimatedCost())
                .hasValueSatisfying(c -> assertThat(c).isCloseTo(0.00102, org.assertj.core.data.Offset.offset(1e-9)));
        assertThat(all.latencyPercentile(50)).isEqualTo(Duration.ofMillis(20));
        assertThat(all.latencyPercentile(100)).isEqualTo(Duration.ofMillis(50));
        assertThat(all.meanLatency()).isEqualTo(Duration.ofNanos(151_000_000L / 6));
        assertThat(report.byDifficulty().keySet()).containsExactly("easy", "hard", "weird", "unknown");
        assertThat(report.byDifficulty().get("easy").accuracy()).isEqualTo(0.5);
        assertThatThrownBy(() -> all.latencyPercentile(0)).isInstanceOf(IllegalArgumentException.class);

        EvalSummary none = EvalSummary.of(List.of(), null);
        assertThat(none.accuracy()).isZero();
        assertThat(none.meanSteps()).isZero();
        assertThat(none.meanLatency()).isZero();
        assertThat(none.latencyPercentile(50)).isZero();
        assertThat(none.estimatedCost()).isEmpty();
    }

    @Test
    void rendersATableAndJson() throws Exception {
        EvalReport report = report();

        String table = report.toTable();
        assertThat(table).startsWith("Execution accuracy: 40.0% (2 of 5 questions; 1 left out: gold SQL failed)");
        assertThat(table.lines().toList())
                .anySatisfy(l -> assertThat(l).startsWith("difficulty").contains("cost"))
                .anySatisfy(l -> assertThat(l)
                        .matches("all\\s+6\\s+40\\.0%\\s+2\\s+1\\s+1\\s+1\\s+1\\s+1\\.50\\s+5000"
                                + "\\s+450\\s+0\\.0010\\s+20\\s+50"));

        JsonNode doc = JSON.readTree(report.toJson());
        assertThat(doc.get("mode").asText()).isEqualTo("execution");
        assertThat(doc.get("summary").get("accuracy").asDouble()).isEqualTo(0.4);
        assertThat(doc.get("summary").get("goldErrors").asInt()).isEqualTo(1);
        assertThat(doc.get("summary").get("estimatedCost").asDouble()).isGreaterThan(0);
        assertThat(doc.get("pricing").get("inputPerMillion").asDouble()).isEqualTo(0.15);
        assertThat(doc.get("byDifficulty").fieldNames())
                .toIterable()
                .containsExactly("easy", "hard", "weird", "unknown");
        assertThat(doc.get("results")).hasSize(6);
        assertThat(doc.get("results").get(0).get("predictedSql").asText()).isEqualTo("SELECT 1");
        assertThat(report.toString()).contains("questions=6");
    }

    @Test
    void rendersAContextOnlyReport() throws Exception {
        EvalResult found = EvalResult.builder("1", EvalStatus.CORRECT)
                .contextTokens(900)
                .tables(List.of("s.a"), List.of())
                .build();
        EvalResult missed = EvalResult.builder("2", EvalStatus.WRONG)
                .contextTokens(1100)
                .tables(List.of("s.a", "s.b"), List.of("s.b"))
                .error("missing from the context: s.b")
                .build();
        EvalReport report = new EvalReport(EvalMode.CONTEXT, List.of(found, missed), null, 2000);

        assertThat(report.toTable())
                .startsWith("Schema-context recall at 2000 tokens: 50.0% (1 of 2 questions)")
                .contains("mean tokens");
        assertThat(report.summary().meanContextTokens()).isEqualTo(1000);
        JsonNode doc = JSON.readTree(report.toJson());
        assertThat(doc.get("budget").asInt()).isEqualTo(2000);
        assertThat(doc.get("results").get(1).get("missingTables").get(0).asText())
                .isEqualTo("s.b");
        assertThat(doc.has("pricing")).isFalse();
    }

    @Test
    void resultLinesReadBackAsTheyWereWritten() {
        EvalResult r = EvalResult.builder(
                        EvalQuestion.builder("q9", "q", "SELECT 1")
                                .database("db")
                                .difficulty("hard")
                                .build(),
                        EvalStatus.WRONG)
                .predictedSql("SELECT 2")
                .steps(3)
                .tokens(10, 5)
                .latency(Duration.ofMillis(1234))
                .error("differs")
                .contextTokens(77)
                .tables(List.of("a.b"), List.of("a.b"))
                .build();

        ResultJson.Line line =
                ResultJson.read(ResultJson.line(EvalMode.CONTEXT, r)).orElseThrow();

        assertThat(line.mode()).isEqualTo(EvalMode.CONTEXT);
        assertThat(line.result()).isEqualTo(r);
        assertThat(line.result().hashCode()).isEqualTo(r.hashCode());
        assertThat(line.result().toString()).contains("id=q9").contains("error=differs");
        assertThat(ResultJson.read("{\"id\": \"1\"")).isEmpty();
        assertThat(ResultJson.read("[]")).isEmpty();
        assertThat(ResultJson.read("{\"id\": \"1\", \"status\": \"NOPE\", \"mode\": \"execution\"}"))
                .isEmpty();
    }

    @Test
    void aResultsFileSkipsACutLineAndResultsOfTheOtherMode() throws Exception {
        Path file = dir.resolve("sub/results.jsonl");
        Files.createDirectories(file.getParent());
        EvalResult one = EvalResult.builder("1", EvalStatus.CORRECT).build();
        EvalResult two = EvalResult.builder("2", EvalStatus.WRONG).build();
        Files.writeString(
                file,
                ResultJson.line(EvalMode.EXECUTION, one) + "\n" + ResultJson.line(EvalMode.CONTEXT, two)
                        + "\n{\"id\": \"3\", \"sta",
                StandardCharsets.UTF_8);

        Map<String, EvalResult> done = ResultsFile.newDone();
        try (ResultsFile f = ResultsFile.open(file, EvalMode.EXECUTION, done)) {
            f.append(EvalMode.EXECUTION, two);
        }

        assertThat(done).containsOnlyKeys("1");
        Map<String, EvalResult> again = ResultsFile.newDone();
        ResultsFile.open(file, EvalMode.EXECUTION, again).close();
        assertThat(again).containsOnlyKeys("1", "2");
        assertThat(Files.readAllLines(file)).hasSize(4);
    }

    @Test
    void validatesPricesAndResults() {
        assertThatThrownBy(() -> new Pricing(-1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inputPerMillion must be >= 0 but was -1.0");
        assertThatThrownBy(() -> new Pricing(0, Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Pricing(1, 2).cost(1_000_000, 500_000)).isEqualTo(2.0);
        assertThatThrownBy(() -> EvalResult.builder("1", EvalStatus.CORRECT).steps(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EvalResult.builder("1", EvalStatus.CORRECT).tokens(-1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EvalResult.builder("1", EvalStatus.CORRECT).latency(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Evaluation.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("agent must be set for an execution run but was not");
        assertThatThrownBy(() -> Evaluation.builder().contextOnly(true).build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Evaluation.builder().concurrency(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("concurrency must be in 1..256 but was 0");
        assertThatThrownBy(() -> Evaluation.builder().contextBudget(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
