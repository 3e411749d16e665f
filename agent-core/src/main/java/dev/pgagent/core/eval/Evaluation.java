package dev.pgagent.core.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.Experimental;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.context.SchemaContext;
import dev.pgagent.context.SchemaContextBuilder;
import dev.pgagent.context.ScoredTable;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.GuardedCall;
import dev.pgagent.core.GuardedPath;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.core.eval.internal.GoldSql;
import dev.pgagent.core.eval.internal.ResultsFile;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a question set and scores it: execution accuracy of an agent, or, without a model, schema-context recall.
 *
 * <p>Execution: for each question the gold SQL runs first, through the agent's guarded path (read-only, with the
 * policy's row caps; a gold statement that cannot run makes the question {@link EvalStatus#GOLD_ERROR} and the model
 * is not asked); then the question (with its hint) is asked in a new session, and the result of the last read that
 * ran in the ask is compared with the gold result by the {@link ResultComparator} (in order only when the gold SQL
 * has a top-level {@code ORDER BY}). Context-only: the schema context the agent would be given for the question is
 * built at the budget, and the question is {@link EvalStatus#CORRECT} when it holds every gold table (labelled in
 * the set, else parsed from the gold SQL; a gold table without a schema matches that table in any schema).
 *
 * <p>Questions run on a bounded pool of {@code concurrency} threads, one session each. With a results file, each
 * finished question is appended to it as a JSON line, and a run started again skips the questions already there
 * (their results are part of the report). Built evaluations are immutable and thread-safe; {@link #run(List)} may
 * be called again.
 *
 * <pre>{@code
 * List<EvalQuestion> questions = EvalQuestions.read(Path.of("dev.json"));
 * EvalReport report = Evaluation.builder()
 *     .agent(agent)                                   // the model and database under test
 *     .mapping(DatabaseMapping.SCHEMA)                // db_id names a schema (a Spider catalog in one database)
 *     .concurrency(4)
 *     .resultsFile(Path.of("eval-results.jsonl"))     // resumable
 *     .build()
 *     .run(questions);
 * System.out.print(report.toTable());
 * }</pre>
 */
@Experimental
public final class Evaluation {
    private static final Logger LOG = LoggerFactory.getLogger(Evaluation.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALLER = "pgagent-eval";

    private final @Nullable PostgresAgent agent;
    private final @Nullable PostgresDatabase database;
    private final boolean contextOnly;
    private final int contextBudget;
    private final DatabaseMapping mapping;
    private final int concurrency;
    private final @Nullable Path resultsFile;
    private final ResultComparator comparator;
    private final @Nullable Pricing pricing;
    private final Consumer<EvalResult> listener;

    private Evaluation(Builder b) {
        this.agent = b.agent;
        this.database = b.database;
        this.contextOnly = b.contextOnly;
        this.contextBudget = b.contextBudget;
        this.mapping = b.mapping;
        this.concurrency = b.concurrency;
        this.resultsFile = b.resultsFile;
        this.comparator = b.comparator;
        this.pricing = b.pricing;
        this.listener = b.listener;
    }

    /** Returns a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns what this evaluation scores. */
    public EvalMode mode() {
        return contextOnly ? EvalMode.CONTEXT : EvalMode.EXECUTION;
    }

    /**
     * Runs the questions (those already in the results file are not run again) and returns the report, its results
     * in the order of {@code questions}.
     *
     * @throws EvalFileException if the results file cannot be read or written
     * @throws dev.pgagent.api.CancelledException if the calling thread is interrupted; the questions finished so
     *     far are in the results file
     * @throws IllegalArgumentException if two questions have the same id
     */
    public EvalReport run(List<EvalQuestion> questions) {
        Objects.requireNonNull(questions, "questions == null");
        Set<String> ids = new HashSet<>();
        for (EvalQuestion q : questions) {
            if (!ids.add(q.id())) {
                throw new IllegalArgumentException("question ids must be unique but " + q.id() + " is used twice");
            }
        }
        Map<String, EvalResult> done = ResultsFile.newDone();
        ResultsFile file = resultsFile == null ? null : ResultsFile.open(resultsFile, mode(), done);
        Map<String, SchemaContextBuilder> contexts = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, new ThreadNames());
        try {
            List<Future<EvalResult>> futures = new ArrayList<>();
            for (EvalQuestion q : questions) {
                EvalResult previous = done.get(q.id());
                if (previous != null) {
                    futures.add(java.util.concurrent.CompletableFuture.completedFuture(previous));
                    continue;
                }
                futures.add(pool.submit(() -> {
                    EvalResult r = safely(q, contexts);
                    if (file != null) {
                        file.append(mode(), r);
                    }
                    notify(r);
                    return r;
                }));
            }
            List<EvalResult> results = new ArrayList<>(questions.size());
            for (Future<EvalResult> f : futures) {
                results.add(await(f));
            }
            return new EvalReport(mode(), results, pricing, contextOnly ? contextBudget : 0);
        } finally {
            pool.shutdownNow();
            if (file != null) {
                file.close();
            }
        }
    }

    private static EvalResult await(Future<EvalResult> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.pgagent.api.CancelledException("the evaluation was interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("an evaluation task failed", cause);
        }
    }

    private void notify(EvalResult r) {
        try {
            listener.accept(r);
        } catch (RuntimeException e) {
            LOG.warn("the evaluation listener threw on question {}", r.id(), e);
        }
    }

    private EvalResult safely(EvalQuestion q, Map<String, SchemaContextBuilder> contexts) {
        long start = System.nanoTime();
        try {
            return contextOnly ? context(q, contexts) : execution(q);
        } catch (EvalFileException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.debug("question {} failed", q.id(), e);
            return EvalResult.builder(q, EvalStatus.FAILED)
                    .latency(Duration.ofNanos(System.nanoTime() - start))
                    .error(message(e))
                    .build();
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + PgAgentException.abbreviate(m, 500));
    }

    // ---- execution accuracy

    private EvalResult execution(EvalQuestion q) {
        PostgresAgent a = Objects.requireNonNull(agent, "agent");
        String databaseName = databaseName(a, q);
        String gold = q.goldSql();
        if (mapping == DatabaseMapping.SCHEMA && !q.database().isEmpty()) {
            Optional<GoldSql> parsed = GoldSql.parse(gold);
            if (parsed.isEmpty()) {
                return EvalResult.builder(q, EvalStatus.GOLD_ERROR)
                        .error("the gold SQL cannot be parsed to put its tables in schema " + q.database())
                        .build();
            }
            gold = parsed.get().qualified(q.database());
        }
        QueryResult goldResult;
        GuardedPath path = a.guardedPath(CALLER);
        ObjectNode args = JSON.createObjectNode().put("sql", gold);
        if (a.databaseNames().size() > 1) {
            args.put("database", databaseName);
        }
        GuardedCall call = path.callTool("execute_query", args.toString());
        Optional<StatementOutcome> ran = lastRead(call.statements());
        if (ran.isEmpty()) {
            return EvalResult.builder(q, EvalStatus.GOLD_ERROR)
                    .error("the gold SQL did not run: " + PgAgentException.abbreviate(call.modelContent(), 500))
                    .build();
        }
        goldResult = Objects.requireNonNull(ran.get().result());
        AgentResponse response = a.newSession().ask(prompt(a, q, databaseName));
        EvalResult.Builder b;
        Optional<StatementOutcome> predicted = lastRead(response.statements());
        if (response.status() != AgentStatus.COMPLETED) {
            b = EvalResult.builder(q, EvalStatus.FAILED)
                    .error("the ask ended " + response.status()
                            + response.error().map(e -> ": " + e).orElse(""));
        } else if (predicted.isEmpty()) {
            boolean refused =
                    response.statements().stream().anyMatch(o -> o.status() == StatementOutcome.Status.REFUSED);
            b = EvalResult.builder(q, EvalStatus.REFUSED)
                    .error(
                            refused
                                    ? "the safety policy refused the model's statements"
                                    : response.statements().isEmpty()
                                            ? "the model answered without running a query"
                                            : "no read ran");
        } else {
            QueryResult mine = Objects.requireNonNull(predicted.get().result());
            boolean ordered = GoldSql.ordersRows(q.goldSql());
            boolean right = comparator.matches(goldResult, mine, ordered);
            b = EvalResult.builder(q, right ? EvalStatus.CORRECT : EvalStatus.WRONG);
            if (!right) {
                b.error("the result differs from the gold result: " + mine.rowCount() + " rows of "
                        + mine.columns().size() + " columns, expected " + goldResult.rowCount() + " rows of "
                        + goldResult.columns().size() + " columns" + (ordered ? ", in order" : ""));
            }
        }
        predicted.ifPresent(p -> b.predictedSql(p.sql()));
        return b.steps(response.steps().size())
                .tokens(response.usage().inputTokens(), response.usage().outputTokens())
                .latency(response.elapsed())
                .build();
    }

    private String databaseName(PostgresAgent a, EvalQuestion q) {
        if (mapping != DatabaseMapping.DATABASE || q.database().isEmpty()) {
            return a.databaseNames().get(0);
        }
        if (!a.databaseNames().contains(q.database())) {
            throw new IllegalArgumentException("the question's database must be one of the agent's " + a.databaseNames()
                    + " but was '" + q.database() + "'");
        }
        return q.database();
    }

    private String prompt(PostgresAgent a, EvalQuestion q, String databaseName) {
        if (mapping == DatabaseMapping.SCHEMA && !q.database().isEmpty()) {
            // the schema as PostgreSQL names it: a db_id is read as an unquoted identifier, folded to lower case
            return q.prompt() + "\n(The question is about the tables of schema "
                    + q.database().toLowerCase(java.util.Locale.ROOT) + ".)";
        }
        if (mapping == DatabaseMapping.DATABASE && a.databaseNames().size() > 1) {
            return q.prompt() + "\n(The question is about the database " + databaseName + ".)";
        }
        return q.prompt();
    }

    /** Returns the last statement that ran and returned rows. */
    private static Optional<StatementOutcome> lastRead(List<StatementOutcome> statements) {
        for (int i = statements.size() - 1; i >= 0; i--) {
            StatementOutcome o = statements.get(i);
            if (o.status() == StatementOutcome.Status.EXECUTED && o.result() != null) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    // ---- schema-context recall

    private EvalResult context(EvalQuestion q, Map<String, SchemaContextBuilder> contexts) {
        String databaseName = agent == null ? "" : databaseName(agent, q);
        String schema = mapping == DatabaseMapping.SCHEMA ? q.database() : "";
        Set<String> gold = new LinkedHashSet<>();
        if (q.tables().isEmpty()) {
            Optional<GoldSql> parsed = GoldSql.parse(q.goldSql());
            if (parsed.isEmpty()) {
                return EvalResult.builder(q, EvalStatus.GOLD_ERROR)
                        .error("the gold SQL cannot be parsed to find its tables")
                        .build();
            }
            gold.addAll(parsed.get().tables(schema));
        } else {
            for (String t : q.tables()) {
                gold.add(t.contains(".") || schema.isEmpty() ? t : schema.toLowerCase(java.util.Locale.ROOT) + "." + t);
            }
        }
        if (gold.isEmpty()) {
            return EvalResult.builder(q, EvalStatus.GOLD_ERROR)
                    .error("the gold SQL reads no table")
                    .build();
        }
        SchemaContextBuilder builder = contexts.computeIfAbsent(databaseName, this::contextBuilder);
        long start = System.nanoTime();
        SchemaContext ctx = builder.build(q.prompt(), contextBudget);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        Set<String> shown = new HashSet<>();
        Set<String> shownNames = new HashSet<>();
        for (ScoredTable t : ctx.tables()) {
            String name = t.qualifiedName().toLowerCase(java.util.Locale.ROOT);
            shown.add(name);
            shownNames.add(name.substring(name.lastIndexOf('.') + 1));
        }
        List<String> missing = new ArrayList<>();
        for (String t : gold) {
            boolean found = t.contains(".") ? shown.contains(t) : shownNames.contains(t);
            if (!found) {
                missing.add(t);
            }
        }
        return EvalResult.builder(q, missing.isEmpty() ? EvalStatus.CORRECT : EvalStatus.WRONG)
                .latency(took)
                .contextTokens(ctx.tokens())
                .tables(List.copyOf(gold), missing)
                .error(missing.isEmpty() ? "" : "missing from the context: " + String.join(", ", missing))
                .build();
    }

    private SchemaContextBuilder contextBuilder(String databaseName) {
        if (agent != null) {
            return PostgresAgent.schemaContextBuilder(agent.database(databaseName), agent.policy());
        }
        return PostgresAgent.schemaContextBuilder(Objects.requireNonNull(database, "database"), SafetyPolicy.READ_ONLY);
    }

    @Override
    public String toString() {
        return "Evaluation{mode=" + mode() + ", mapping=" + mapping + ", concurrency=" + concurrency
                + (resultsFile == null ? "" : ", resultsFile=" + resultsFile) + '}';
    }

    private static final class ThreadNames implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger next = new AtomicInteger(1);

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "pgagent-eval-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        }
    }

    /** Builds an {@link Evaluation}. Not thread-safe. */
    public static final class Builder {
        private @Nullable PostgresAgent agent;
        private @Nullable PostgresDatabase database;
        private boolean contextOnly;
        private int contextBudget = 2_000;
        private DatabaseMapping mapping = DatabaseMapping.NONE;
        private int concurrency = 1;
        private @Nullable Path resultsFile;
        private ResultComparator comparator = ResultComparator.defaults();
        private @Nullable Pricing pricing;
        private Consumer<EvalResult> listener = r -> {};

        private Builder() {}

        /**
         * Sets the agent under test: its model answers, its guarded path runs the gold SQL, and a context-only run
         * builds its contexts under its policy. Required unless the run is context-only with a
         * {@link #database(PostgresDatabase)}. The caller keeps it and closes it.
         */
        public Builder agent(PostgresAgent agent) {
            this.agent = Objects.requireNonNull(agent, "agent == null");
            return this;
        }

        /**
         * Sets the database of a context-only run without an agent (contexts under the read-only policy, with
         * sampled values, as {@code pg-agent context} builds them). Default: none.
         */
        public Builder database(PostgresDatabase database) {
            this.database = Objects.requireNonNull(database, "database == null");
            return this;
        }

        /** Scores schema-context recall instead of execution accuracy; no model is called. Default: false. */
        public Builder contextOnly(boolean contextOnly) {
            this.contextOnly = contextOnly;
            return this;
        }

        /**
         * Sets the token budget of the context in a context-only run. Default: 2,000 (the agent's default).
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder contextBudget(int contextBudget) {
            if (contextBudget < 1) {
                throw new IllegalArgumentException("contextBudget must be >= 1 but was " + contextBudget);
            }
            this.contextBudget = contextBudget;
            return this;
        }

        /** Sets what a question's database selects. Default: {@link DatabaseMapping#NONE}. */
        public Builder mapping(DatabaseMapping mapping) {
            this.mapping = Objects.requireNonNull(mapping, "mapping == null");
            return this;
        }

        /**
         * Sets how many questions run at once, each in its own session. Default: 1.
         *
         * @throws IllegalArgumentException if not in 1..256
         */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1 || concurrency > 256) {
                throw new IllegalArgumentException("concurrency must be in 1..256 but was " + concurrency);
            }
            this.concurrency = concurrency;
            return this;
        }

        /**
         * Sets the results file that makes the run resumable: finished questions are appended to it as JSON lines,
         * and those already in it are not run again. Default: none.
         */
        public Builder resultsFile(Path resultsFile) {
            this.resultsFile = Objects.requireNonNull(resultsFile, "resultsFile == null");
            return this;
        }

        /** Sets how results are compared. Default: {@link ResultComparator#defaults()} (relative tolerance 1e-6). */
        public Builder comparator(ResultComparator comparator) {
            this.comparator = Objects.requireNonNull(comparator, "comparator == null");
            return this;
        }

        /** Sets the price per million tokens for the cost estimate. Default: none (no estimate). */
        public Builder pricing(Pricing pricing) {
            this.pricing = Objects.requireNonNull(pricing, "pricing == null");
            return this;
        }

        /**
         * Sets a listener called with each result as its question finishes, on the thread that ran it (not for
         * results read from the results file); what it throws is logged and ignored. Default: none.
         */
        public Builder listener(Consumer<EvalResult> listener) {
            this.listener = Objects.requireNonNull(listener, "listener == null");
            return this;
        }

        /**
         * Returns the evaluation.
         *
         * @throws IllegalStateException if no agent is set for an execution run, or neither an agent nor a database
         *     for a context-only one
         */
        public Evaluation build() {
            if (!contextOnly && agent == null) {
                throw new IllegalStateException("agent must be set for an execution run but was not");
            }
            if (contextOnly && agent == null && database == null) {
                throw new IllegalStateException("agent or database must be set for a context-only run but neither was");
            }
            if (agent == null && mapping == DatabaseMapping.DATABASE) {
                throw new IllegalStateException(
                        "mapping DATABASE needs an agent (its databases by name) but none was set");
            }
            return new Evaluation(this);
        }
    }
}
