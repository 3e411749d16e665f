package dev.pgagent.core.internal;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AuditFailurePolicy;
import dev.pgagent.db.postgres.ExecutionLimits;
import dev.pgagent.db.postgres.QueryCancellation;
import dev.pgagent.db.postgres.WriteDryRun;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/** Builds engines over fakes for unit tests. */
final class TestEngines {
    private TestEngines() {}

    /** A validator for tests: select = read; insert/update/delete = confirm; the rest denied. */
    static final SafetyValidator SIMPLE_VALIDATOR = sql -> {
        String s = sql.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("select")) {
            return Verdict.allow(StatementKind.READ, "a read", Set.of());
        }
        if (s.startsWith("update") || s.startsWith("delete") || s.startsWith("insert")) {
            ConfirmationKind kind = s.startsWith("delete") ? ConfirmationKind.TYPED : ConfirmationKind.SIMPLE;
            return Verdict.confirm(StatementKind.WRITE, "a write needs confirmation", Set.of("items"), kind);
        }
        return Verdict.deny(StatementKind.DDL, "only reads are allowed");
    };

    /** A tool like execute_query: runs its sql through the gateway and shows rows as text. */
    static Tool queryTool() {
        return Tool.of(
                new ToolSpec(
                        "execute_query",
                        "Runs one SQL statement.",
                        "{\"type\":\"object\",\"properties\":{\"sql\":{\"type\":\"string\"}},\"required\":[\"sql\"]}"),
                (args, ctx) -> {
                    StatementOutcome o = ctx.sql().execute(args.requireString("sql"));
                    if (o.result() != null) {
                        return ToolResult.of("rows: " + o.result().rows(), o.result());
                    }
                    if (o.isExecuted()) {
                        return ToolResult.of("changed " + o.affectedRows() + " rows");
                    }
                    return ToolResult.error(o.status() + ": " + o.error());
                });
    }

    static QueryResult table(String column, String... values) {
        QueryResult.Builder b = QueryResult.builder().columns(List.of(new ResultColumn(column, "text", Types.VARCHAR)));
        long bytes = 0;
        for (String v : values) {
            b.addRow(List.of(v));
            bytes += v.length();
        }
        return b.byteCount(bytes).build();
    }

    /** A scripted database: reads from a map, writes counted; a read of "select pg_sleep" blocks until cancelled. */
    static final class FakeDb implements DatabaseOps {
        final Map<String, QueryResult> results = new ConcurrentHashMap<>();
        final List<String> reads = new CopyOnWriteArrayList<>();
        final List<String> applied = new CopyOnWriteArrayList<>();
        final List<ExecutionLimits> limits = new CopyOnWriteArrayList<>();
        final List<QueryCancellation> cancellations = new CopyOnWriteArrayList<>();
        volatile long dryRunRows = 3;
        /** Counted down when a read of "select pg_sleep" starts, so a test can act while it runs. */
        final java.util.concurrent.CountDownLatch sleeping = new java.util.concurrent.CountDownLatch(1);

        @Override
        public QueryResult read(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
            reads.add(sql);
            this.limits.add(limits);
            cancellations.add(cancellation);
            if (sql.contains("pg_sleep")) {
                sleeping.countDown();
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!cancellation.isCancelled() && System.nanoTime() < end) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CancelledException("interrupted");
                    }
                }
                throw new CancelledException("canceling statement due to user request");
            }
            QueryResult r = results.get(sql);
            if (r == null) {
                throw new DatabaseException("ERROR: column \"nope\" does not exist", "42703", null);
            }
            if (r.rowCount() > limits.maxRows()) {
                QueryResult.Builder b = QueryResult.builder().columns(r.columns());
                r.rows().subList(0, limits.maxRows()).forEach(b::addRow);
                return b.truncation(dev.pgagent.api.sql.Truncation.ROW_LIMIT).build();
            }
            return r;
        }

        @Override
        public String explainJson(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
            return "[{\"Plan\":{}}]";
        }

        @Override
        public WriteDryRun dryRun(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
            return new WriteDryRun(dryRunRows, null);
        }

        @Override
        public long applyAtMost(String sql, long maxRows, ExecutionLimits limits, QueryCancellation cancellation) {
            applied.add(sql + " at most " + maxRows);
            return Math.min(dryRunRows, maxRows);
        }

        @Override
        public long apply(String sql, long expectedRows, ExecutionLimits limits, QueryCancellation cancellation) {
            applied.add(sql + " expecting " + expectedRows);
            return expectedRows;
        }
    }

    /** Settings for an engine; mutable, for tests. */
    static final class Setup {
        LlmClient llm;
        List<Tool> tools = new ArrayList<>(List.of(queryTool()));
        SafetyPolicy policy = SafetyPolicy.READ_ONLY;
        SafetyValidator validator = SIMPLE_VALIDATOR;
        DatabaseOps db = new FakeDb();
        SchemaSummarizer schema = (q, budget) -> "table items(id int, name text)";
        List<AuditSink> sinks = new ArrayList<>();
        AuditFailurePolicy auditFailurePolicy = AuditFailurePolicy.LOG_AND_CONTINUE;
        ConfirmationHandler handler = ConfirmationHandler.DECLINE_ALL;
        int maxSteps = 8;
        int maxToolCallsPerStep = 8;
        Duration timeout = Duration.ofSeconds(20);
        long tokenBudget = 200_000;
        int historyTokenBudget = 8_000;
        AgentListener listener = AgentListener.NONE;
        ResultRedactor redactor = ResultRedactor.NONE;

        @Nullable
        String instructions;

        int maxQuestionChars = 20_000;
        ModelOptions modelOptions = ModelOptions.DEFAULTS;

        Setup(LlmClient llm) {
            this.llm = llm;
        }

        AgentEngine build() {
            DatabaseBinding binding =
                    new DatabaseBinding("default", "", policy, validator, db, schema, redactor, List.of());
            return new AgentEngine(new EngineConfig(
                    llm,
                    tools,
                    List.of(binding),
                    policy,
                    new AuditFanout(sinks, auditFailurePolicy),
                    handler,
                    maxSteps,
                    maxToolCallsPerStep,
                    timeout,
                    tokenBudget,
                    historyTokenBudget,
                    2_000,
                    modelOptions,
                    listener,
                    TextTokenCounter.CHARS_DIV_4,
                    instructions,
                    maxQuestionChars));
        }

        SessionEngine session() {
            return build().newSession("s-" + System.nanoTime());
        }
    }
}
