package dev.pgagent.benchmarks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.core.eval.DatabaseMapping;
import dev.pgagent.core.eval.EvalQuestion;
import dev.pgagent.core.eval.EvalQuestions;
import dev.pgagent.core.eval.EvalReport;
import dev.pgagent.core.eval.EvalResult;
import dev.pgagent.core.eval.EvalStatus;
import dev.pgagent.core.eval.Evaluation;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Runs the evaluation harness ({@code agent-eval}) on the Spider 1.0 dev set in the catalog {@link ContextBenchmark}
 * builds (one database, a schema per {@code db_id}): schema-context recall at 1,000, 2,000 and 4,000 tokens
 * ({@code --context-only}, by half: even lines tuning, odd lines held out; it must agree with ContextBenchmark), then
 * execution accuracy with an oracle model that answers each question by running its gold SQL, which checks the
 * harness end to end: every gold statement PostgreSQL runs must score CORRECT, the rest GOLD_ERROR (Spider's gold
 * SQL is SQLite's dialect). The catalog's tables are empty, so the oracle run checks the pipeline (gold SQL put in
 * its schema, run through the guarded path, the model's last read captured, statuses), not the comparison of
 * values, which {@code ResultComparatorTest} and {@code EvaluationIT} check.
 *
 * <p>Run: {@code benchmarks/run EvalBenchmark}. Server as {@link ContextBenchmark}; Spider files from
 * {@code -Dbench.spiderDir} (default {@code /work/shared/data/spider-dev}).
 */
public final class EvalBenchmark {
    private static final PrintStream OUT = System.out;
    private static final String DB_SPIDER = "pgagent_ctx_spider";

    private EvalBenchmark() {}

    /** Runs the benchmark. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(System.getProperty("bench.spiderDir", "/work/shared/data/spider-dev"));
        if (!Files.isRegularFile(dir.resolve("questions.jsonl"))) {
            OUT.println("Not found: set -Dbench.spiderDir to a directory holding tables.json and questions.jsonl.");
            return;
        }
        ContextBenchmark.Server server = ContextBenchmark.server();
        OUT.println("# Evaluation harness on Spider 1.0 dev (server: " + server.describe() + ")");
        SpiderCatalog spider = SpiderCatalog.load(dir);
        ContextBenchmark.ensure(server, DB_SPIDER, spider.ddl(), spider.ddl().hashCode());
        DataSource ds = server.dataSource(DB_SPIDER);
        List<EvalQuestion> questions = EvalQuestions.read(dir.resolve("questions.jsonl"));

        OUT.println();
        OUT.println("## Schema-context recall (pg-agent eval --context-only --db-mapping schema)");
        OUT.println("| budget | all | tuning | held-out | mean tokens | p50 ms | p95 ms | run s |");
        OUT.println("|---|---|---|---|---|---|---|---|");
        PostgresDatabase db = PostgresDatabase.of(ds);
        for (int budget : new int[] {1_000, 2_000, 4_000}) {
            long t0 = System.nanoTime();
            EvalReport r = Evaluation.builder()
                    .database(db)
                    .contextOnly(true)
                    .contextBudget(budget)
                    .mapping(DatabaseMapping.SCHEMA)
                    .build()
                    .run(questions);
            OUT.printf(
                    Locale.ROOT,
                    "| %,d | %.1f%% | %.1f%% | %.1f%% | %.0f | %d | %d | %.0f |%n",
                    budget,
                    100 * r.summary().accuracy(),
                    recall(r, 0),
                    recall(r, 1),
                    r.summary().meanContextTokens(),
                    r.summary().latencyPercentile(50).toMillis(),
                    r.summary().latencyPercentile(95).toMillis(),
                    (System.nanoTime() - t0) / 1e9);
        }

        OUT.println();
        OUT.println("## Execution accuracy with an oracle model (answers with the gold SQL)");
        Map<String, String> answers = new HashMap<>();
        for (EvalQuestion q : questions) {
            String schema = q.database().toLowerCase(Locale.ROOT);
            answers.put(
                    q.prompt() + "\n(The question is about the tables of schema " + schema + ".)",
                    qualify(q.goldSql(), schema));
        }
        long t0 = System.nanoTime();
        try (PostgresAgent agent = PostgresAgent.builder()
                .llm(oracle(answers))
                .dataSource(ds)
                .maxSteps(3)
                .build()) {
            EvalReport r = Evaluation.builder()
                    .agent(agent)
                    .mapping(DatabaseMapping.SCHEMA)
                    .concurrency(2)
                    .build()
                    .run(questions);
            OUT.print(r.toTable());
            for (EvalResult x : r.results()) {
                if (x.status() != EvalStatus.CORRECT && x.status() != EvalStatus.GOLD_ERROR) {
                    OUT.println("unexpected: " + x);
                }
            }
        }
        OUT.printf(Locale.ROOT, "Run took %.0f s (concurrency 2)%n", (System.nanoTime() - t0) / 1e9);
    }

    private static double recall(EvalReport r, int parity) {
        List<EvalResult> half = new ArrayList<>();
        for (EvalResult x : r.results()) {
            if (Integer.parseInt(x.id()) % 2 == parity) {
                half.add(x);
            }
        }
        long correct =
                half.stream().filter(x -> x.status() == EvalStatus.CORRECT).count();
        return half.isEmpty() ? 0 : 100.0 * correct / half.size();
    }

    /** A model that runs the gold SQL of the question it is asked, then says it is done. */
    private static LlmClient oracle(Map<String, String> answers) {
        return request -> {
            List<ChatMessage> messages = request.messages();
            ChatMessage last = messages.get(messages.size() - 1);
            if (last instanceof ToolResultMessage || !(last instanceof UserMessage user)) {
                return new ChatResponse(
                        AssistantMessage.of("Done."), FinishReason.STOP, new TokenUsage(10, 1), "oracle");
            }
            String sql = answers.getOrDefault(user.text(), "SELECT 1");
            ObjectNode args = JsonNodeFactory.instance.objectNode().put("sql", sql);
            return new ChatResponse(
                    AssistantMessage.ofToolCalls(List.of(new ToolCall("call_1", "execute_query", args.toString()))),
                    FinishReason.TOOL_CALLS,
                    new TokenUsage(100, 10),
                    "oracle");
        };
    }

    /** Puts the unqualified tables of {@code sql} (not common table expressions) in {@code schema}. */
    private static String qualify(String sql, String schema) {
        try {
            Statement statement = CCJSqlParserUtil.parse(sql);
            List<Table> tables = new ArrayList<>();
            List<String> ctes = new ArrayList<>();
            new TablesNamesFinder<Void>() {
                @Override
                public <S> Void visit(Table table, S context) {
                    tables.add(table);
                    return super.visit(table, context);
                }

                @Override
                public <S> Void visit(WithItem<?> item, S context) {
                    if (item.getAlias() != null) {
                        ctes.add(item.getAlias().getName().toLowerCase(Locale.ROOT));
                    }
                    return super.visit(item, context);
                }
            }.getTables(statement);
            for (Table t : tables) {
                if (t.getSchemaName() == null && !ctes.contains(t.getName().toLowerCase(Locale.ROOT))) {
                    t.setSchemaName(schema);
                }
            }
            return statement.toString();
        } catch (Exception e) {
            return sql;
        }
    }
}
