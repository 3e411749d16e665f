package dev.pgagent.opentelemetry;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ProviderInfo;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AgentStatus;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Traces and metrics of an agent through the OpenTelemetry API: an {@link AgentListener} the host adds with
 * {@code PostgresAgent.builder().listener(...)} (next to its own listener with {@link AgentListener#all}).
 *
 * <pre>{@code
 * AgentTelemetry telemetry = AgentTelemetry.builder(openTelemetry).llm(llm).build();
 * PostgresAgent agent = PostgresAgent.builder().llm(llm).dataSource(ds).listener(telemetry).build();
 * }</pre>
 *
 * <p><b>Spans.</b> One {@code invoke_agent pgagent} span per ask (a segment of it: an ask resumed after confirmations
 * has a span of its own), the parent of a {@code chat {model}} span per model call (kind {@code CLIENT}), an
 * {@code execute_tool {name}} span per tool call, and a database client span per statement (kind {@code CLIENT},
 * named {@code {db.operation.name} {db.namespace}}), the child of the tool call that ran it. Attribute names follow
 * the OpenTelemetry semantic conventions for generative AI
 * (<a href="https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/">GenAI spans</a>,
 * <a href="https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-agent-spans/">GenAI agent spans</a>:
 * {@code gen_ai.operation.name}, {@code gen_ai.provider.name} (and the older {@code gen_ai.system}),
 * {@code gen_ai.request.model}, {@code gen_ai.response.model}, {@code gen_ai.response.finish_reasons},
 * {@code gen_ai.usage.input_tokens}, {@code gen_ai.usage.output_tokens},
 * {@code gen_ai.tool.name}, {@code gen_ai.tool.call.id}, {@code gen_ai.conversation.id}) and for databases
 * (<a href="https://opentelemetry.io/docs/specs/semconv/database/database-spans/">database client spans</a>,
 * <a href="https://opentelemetry.io/docs/specs/semconv/database/sql/">SQL</a>: {@code db.system.name=postgresql},
 * {@code db.namespace}, {@code db.operation.name}, {@code db.collection.name}, {@code db.response.status_code},
 * {@code db.response.returned_rows}, {@code error.type}), with pgagent's own under {@code pgagent.}:
 * {@code pgagent.verdict}, {@code pgagent.statement.kind}, {@code pgagent.statement.status},
 * {@code pgagent.ask.status}. The SQL text ({@code db.query.text}) is recorded only after
 * {@link Builder#captureSqlText(boolean) captureSqlText(true)}; questions, answers, tool arguments and row values
 * never are.
 *
 * <p><b>Metrics</b> (see {@link #INSTRUMENTATION_SCOPE}): {@code pgagent.asks} by {@code pgagent.ask.status};
 * {@code pgagent.statement.refusals} by {@code pgagent.statement.kind}; {@code gen_ai.client.token.usage} by
 * {@code gen_ai.token.type}; {@code gen_ai.client.operation.duration} (model latency);
 * {@code db.client.operation.duration} (statement latency) by operation and {@code pgagent.statement.status};
 * {@code db.client.response.returned_rows}; {@code pgagent.statement.affected_rows};
 * {@code pgagent.confirmations} by {@code pgagent.confirmation.outcome}; {@code pgagent.audit.failures} by
 * {@code pgagent.audit.event_type}. Every attribute has a bounded set of values (enum names, the model, the
 * database's name), never free text.
 *
 * <p>Spans are correlated by the events' session and ask ids and end on the finishing events; a failure sets the
 * span's status to {@code ERROR}. When an ask finishes, any span of it still open ends (with an error). At most
 * {@link Builder#maxOpenAsks(int) maxOpenAsks} asks are tracked at once; the oldest beyond that is ended as
 * abandoned, so an ask that never finishes cannot leak spans. Thread-safe.
 */
@Experimental
public final class AgentTelemetry implements AgentListener {
    /** The instrumentation scope name of the tracer and the meter: {@value}. */
    public static final String INSTRUMENTATION_SCOPE = "dev.pgagent.opentelemetry";

    static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> GEN_AI_PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> GEN_AI_SYSTEM = AttributeKey.stringKey("gen_ai.system");
    static final AttributeKey<String> GEN_AI_REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> GEN_AI_RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<List<String>> GEN_AI_FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<String> GEN_AI_AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");
    static final AttributeKey<String> GEN_AI_CONVERSATION_ID = AttributeKey.stringKey("gen_ai.conversation.id");
    static final AttributeKey<Long> GEN_AI_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> GEN_AI_OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<String> GEN_AI_TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
    static final AttributeKey<String> GEN_AI_TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    static final AttributeKey<String> GEN_AI_TOOL_CALL_ID = AttributeKey.stringKey("gen_ai.tool.call.id");
    static final AttributeKey<String> GEN_AI_TOOL_TYPE = AttributeKey.stringKey("gen_ai.tool.type");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
    static final AttributeKey<String> DB_NAMESPACE = AttributeKey.stringKey("db.namespace");
    static final AttributeKey<String> DB_OPERATION_NAME = AttributeKey.stringKey("db.operation.name");
    static final AttributeKey<String> DB_COLLECTION_NAME = AttributeKey.stringKey("db.collection.name");
    static final AttributeKey<String> DB_QUERY_TEXT = AttributeKey.stringKey("db.query.text");
    static final AttributeKey<String> DB_RESPONSE_STATUS_CODE = AttributeKey.stringKey("db.response.status_code");
    static final AttributeKey<Long> DB_RETURNED_ROWS = AttributeKey.longKey("db.response.returned_rows");
    static final AttributeKey<String> ASK_ID = AttributeKey.stringKey("pgagent.ask.id");
    static final AttributeKey<Boolean> ASK_RESUMED = AttributeKey.booleanKey("pgagent.ask.resumed");
    static final AttributeKey<String> ASK_STATUS = AttributeKey.stringKey("pgagent.ask.status");
    static final AttributeKey<Long> STEP = AttributeKey.longKey("pgagent.step");
    static final AttributeKey<String> VERDICT = AttributeKey.stringKey("pgagent.verdict");
    static final AttributeKey<String> STATEMENT_KIND = AttributeKey.stringKey("pgagent.statement.kind");
    static final AttributeKey<String> STATEMENT_STATUS = AttributeKey.stringKey("pgagent.statement.status");
    static final AttributeKey<Boolean> STATEMENT_EXPLAIN = AttributeKey.booleanKey("pgagent.statement.explain");
    static final AttributeKey<Long> AFFECTED_ROWS = AttributeKey.longKey("pgagent.statement.affected_rows");
    static final AttributeKey<String> CONFIRMATION_OUTCOME = AttributeKey.stringKey("pgagent.confirmation.outcome");
    static final AttributeKey<String> AUDIT_EVENT_TYPE = AttributeKey.stringKey("pgagent.audit.event_type");

    private static final String AGENT_NAME = "pgagent";
    private static final String ABANDONED = "abandoned";
    /** Leading keywords reported as {@code db.operation.name}; any other statement reports its kind. */
    private static final Set<String> OPERATIONS = Set.of(
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "MERGE",
            "WITH",
            "VALUES",
            "TABLE",
            "SHOW",
            "EXPLAIN",
            "CREATE",
            "ALTER",
            "DROP",
            "TRUNCATE",
            "GRANT",
            "REVOKE",
            "COPY",
            "CALL",
            "DO",
            "SET",
            "RESET",
            "BEGIN",
            "COMMIT",
            "ROLLBACK",
            "VACUUM",
            "ANALYZE",
            "REFRESH",
            "COMMENT");

    private static final List<Double> DURATION_BUCKETS =
            List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
    private static final List<Long> TOKEN_BUCKETS = List.of(
            1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L, 1048576L, 4194304L, 16777216L, 67108864L);

    private final Tracer tracer;
    private final boolean captureSqlText;
    private final String provider;
    private final @Nullable String model;
    private final int maxOpenAsks;
    private final Map<String, AskState> asks;

    private final LongCounter askCounter;
    private final LongCounter refusals;
    private final LongHistogram tokenUsage;
    private final DoubleHistogram modelDuration;
    private final DoubleHistogram statementDuration;
    private final LongHistogram returnedRows;
    private final LongHistogram affectedRows;
    private final LongCounter confirmations;
    private final LongCounter auditFailures;

    private AgentTelemetry(Builder b) {
        this.tracer = b.otel.getTracer(INSTRUMENTATION_SCOPE);
        this.captureSqlText = b.captureSqlText;
        this.provider = b.provider;
        this.model = b.model;
        this.maxOpenAsks = b.maxOpenAsks;
        this.asks = new LinkedHashMap<>();
        Meter meter = b.otel.getMeter(INSTRUMENTATION_SCOPE);
        askCounter = meter.counterBuilder("pgagent.asks")
                .setUnit("{ask}")
                .setDescription("Asks (segments of asks) that ended, by status")
                .build();
        refusals = meter.counterBuilder("pgagent.statement.refusals")
                .setUnit("{statement}")
                .setDescription("Statements the safety layer refused, by statement kind")
                .build();
        tokenUsage = meter.histogramBuilder("gen_ai.client.token.usage")
                .ofLongs()
                .setUnit("{token}")
                .setDescription("Tokens used per model call, by token type")
                .setExplicitBucketBoundariesAdvice(TOKEN_BUCKETS)
                .build();
        modelDuration = meter.histogramBuilder("gen_ai.client.operation.duration")
                .setUnit("s")
                .setDescription("Duration of model calls")
                .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
                .build();
        statementDuration = meter.histogramBuilder("db.client.operation.duration")
                .setUnit("s")
                .setDescription("Duration of statements, validation included")
                .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
                .build();
        returnedRows = meter.histogramBuilder("db.client.response.returned_rows")
                .ofLongs()
                .setUnit("{row}")
                .setDescription("Rows returned by statements that ran")
                .build();
        affectedRows = meter.histogramBuilder("pgagent.statement.affected_rows")
                .ofLongs()
                .setUnit("{row}")
                .setDescription("Rows changed by writes that ran")
                .build();
        confirmations = meter.counterBuilder("pgagent.confirmations")
                .setUnit("{confirmation}")
                .setDescription("Confirmations answered, by outcome")
                .build();
        auditFailures = meter.counterBuilder("pgagent.audit.failures")
                .setUnit("{failure}")
                .setDescription("Audit records a sink failed to write, by audit event type")
                .build();
    }

    /** Returns a builder over {@code openTelemetry} (for example {@code GlobalOpenTelemetry.get()}). */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(openTelemetry);
    }

    /** Returns how many asks are being tracked (started, not yet finished nor abandoned). */
    public int openAsks() {
        synchronized (asks) {
            return asks.size();
        }
    }

    @Override
    public String toString() {
        return "AgentTelemetry{provider=" + provider + ", model=" + model + ", captureSqlText=" + captureSqlText
                + ", maxOpenAsks=" + maxOpenAsks + "}";
    }

    @Override
    public void onEvent(AgentEvent event) {
        Objects.requireNonNull(event, "event == null");
        if (event instanceof AgentEvent.AskStarted e) {
            askStarted(e);
        } else if (event instanceof AgentEvent.AskFinished e) {
            askFinished(e);
        } else if (event instanceof AgentEvent.ModelCallStarted e) {
            modelStarted(e);
        } else if (event instanceof AgentEvent.ModelCallFinished e) {
            modelFinished(e);
        } else if (event instanceof AgentEvent.ToolCallStarted e) {
            toolStarted(e);
        } else if (event instanceof AgentEvent.ToolCallFinished e) {
            toolFinished(e);
        } else if (event instanceof AgentEvent.StatementStarted e) {
            statementStarted(e);
        } else if (event instanceof AgentEvent.StatementFinished e) {
            statementFinished(e);
        } else if (event instanceof AgentEvent.ConfirmationAnswered e) {
            confirmations.add(
                    1,
                    Attributes.of(
                            CONFIRMATION_OUTCOME, lower(e.decision().status().name())));
        } else if (event instanceof AgentEvent.AuditFailed e) {
            auditFailures.add(1, Attributes.of(AUDIT_EVENT_TYPE, e.type().name()));
        }
        // TextDelta, StepFinished and ConfirmationAsked carry nothing the spans and metrics need
    }

    private void askStarted(AgentEvent.AskStarted e) {
        Span span = tracer.spanBuilder("invoke_agent " + AGENT_NAME)
                .setSpanKind(SpanKind.INTERNAL)
                .setParent(Context.current())
                .setAttribute(GEN_AI_OPERATION_NAME, "invoke_agent")
                .setAttribute(GEN_AI_AGENT_NAME, AGENT_NAME)
                .setAttribute(GEN_AI_PROVIDER_NAME, provider)
                .setAttribute(GEN_AI_CONVERSATION_ID, e.sessionId())
                .setAttribute(ASK_ID, e.askId())
                .setAttribute(ASK_RESUMED, e.resumed())
                .startSpan();
        if (model != null) {
            span.setAttribute(GEN_AI_REQUEST_MODEL, model);
        }
        AskState previous;
        List<AskState> evicted = new ArrayList<>();
        synchronized (asks) {
            previous = asks.put(key(e), new AskState(span));
            Iterator<AskState> it = asks.values().iterator();
            while (asks.size() > maxOpenAsks && it.hasNext()) {
                evicted.add(it.next());
                it.remove();
            }
        }
        if (previous != null) {
            previous.endAll(ABANDONED, "the ask started again before it finished");
        }
        for (AskState s : evicted) {
            s.endAll(ABANDONED, "more than " + maxOpenAsks + " asks were open; the oldest was abandoned");
        }
    }

    private void askFinished(AgentEvent.AskFinished e) {
        AskState state;
        synchronized (asks) {
            state = asks.remove(key(e));
        }
        String status = e.status().name();
        askCounter.add(1, Attributes.of(ASK_STATUS, status));
        if (state == null || state.askSpan == null) {
            if (state != null) {
                state.endAll(ABANDONED, "the ask finished first");
            }
            return;
        }
        state.endChildren("the ask finished first");
        Span span = state.askSpan;
        span.setAttribute(ASK_STATUS, status);
        if (e.status() == AgentStatus.FAILED) {
            span.setAttribute(ERROR_TYPE, status);
            span.setStatus(StatusCode.ERROR, e.error() == null ? status : e.error());
        } else if (e.status() == AgentStatus.CANCELLED || e.status() == AgentStatus.LIMIT_REACHED) {
            span.setAttribute(ERROR_TYPE, status);
            span.setStatus(StatusCode.ERROR, status);
        }
        span.end();
    }

    private void modelStarted(AgentEvent.ModelCallStarted e) {
        AskState state = state(e);
        SpanBuilder b = tracer.spanBuilder(model == null ? "chat" : "chat " + model)
                .setSpanKind(SpanKind.CLIENT)
                .setParent(state.context(null))
                .setAttribute(GEN_AI_OPERATION_NAME, "chat")
                .setAttribute(GEN_AI_PROVIDER_NAME, provider)
                .setAttribute(GEN_AI_SYSTEM, provider)
                .setAttribute(STEP, (long) e.step());
        if (model != null) {
            b.setAttribute(GEN_AI_REQUEST_MODEL, model);
        }
        put(state.models, e.step(), b.startSpan());
    }

    private void modelFinished(AgentEvent.ModelCallFinished e) {
        Attributes common = modelAttributes(e.error());
        modelDuration.record(seconds(e.elapsed()), common);
        TokenUsage usage = e.usage();
        if (e.error() == null) {
            tokenUsage.record(
                    usage.inputTokens(),
                    common.toBuilder().put(GEN_AI_TOKEN_TYPE, "input").build());
            tokenUsage.record(
                    usage.outputTokens(),
                    common.toBuilder().put(GEN_AI_TOKEN_TYPE, "output").build());
        }
        AskState state = existing(e);
        Span span = state == null ? null : state.models.remove(e.step());
        if (span == null) {
            return;
        }
        span.setAttribute(GEN_AI_INPUT_TOKENS, usage.inputTokens());
        span.setAttribute(GEN_AI_OUTPUT_TOKENS, usage.outputTokens());
        if (e.model() != null) {
            span.setAttribute(GEN_AI_RESPONSE_MODEL, e.model());
        }
        if (e.finishReason() != null) {
            span.setAttribute(
                    GEN_AI_FINISH_REASONS, List.of(lower(e.finishReason().name())));
        }
        if (e.error() != null) {
            span.setAttribute(ERROR_TYPE, "model_call_failed");
            span.setStatus(StatusCode.ERROR, e.error());
        }
        span.end();
        forgetIfIdle(e, state);
    }

    private Attributes modelAttributes(@Nullable String error) {
        var b = Attributes.builder().put(GEN_AI_OPERATION_NAME, "chat").put(GEN_AI_PROVIDER_NAME, provider);
        if (model != null) {
            b.put(GEN_AI_REQUEST_MODEL, model);
        }
        if (error != null) {
            b.put(ERROR_TYPE, "model_call_failed");
        }
        return b.build();
    }

    private void toolStarted(AgentEvent.ToolCallStarted e) {
        AskState state = state(e);
        Span span = tracer.spanBuilder("execute_tool " + e.call().name())
                .setSpanKind(SpanKind.INTERNAL)
                .setParent(state.context(null))
                .setAttribute(GEN_AI_OPERATION_NAME, "execute_tool")
                .setAttribute(GEN_AI_TOOL_NAME, e.call().name())
                .setAttribute(GEN_AI_TOOL_CALL_ID, e.call().id())
                .setAttribute(GEN_AI_TOOL_TYPE, "function")
                .startSpan();
        put(state.tools, e.call().id(), span);
        state.toolByThread.put(Thread.currentThread().getId(), span);
    }

    private void toolFinished(AgentEvent.ToolCallFinished e) {
        AskState state = existing(e);
        Span span = state == null ? null : state.tools.remove(e.call().id());
        if (span == null) {
            return;
        }
        state.toolByThread.values().remove(span);
        if (e.result().error()) {
            span.setAttribute(ERROR_TYPE, "tool_error");
            span.setStatus(StatusCode.ERROR, "the tool returned an error");
        }
        span.end();
        forgetIfIdle(e, state);
    }

    private void statementStarted(AgentEvent.StatementStarted e) {
        AskState state = state(e);
        long thread = Thread.currentThread().getId();
        Verdict v = e.verdict();
        String operation = e.explain() ? "EXPLAIN" : operation(e.sql(), v);
        SpanBuilder b = tracer.spanBuilder(operation + " " + e.database())
                .setSpanKind(SpanKind.CLIENT)
                .setParent(state.context(state.toolByThread.get(thread)))
                .setAttribute(DB_SYSTEM_NAME, "postgresql")
                .setAttribute(DB_NAMESPACE, e.database())
                .setAttribute(DB_OPERATION_NAME, operation)
                .setAttribute(VERDICT, v.decision().name())
                .setAttribute(STATEMENT_KIND, v.kind().name())
                .setAttribute(STATEMENT_EXPLAIN, e.explain());
        if (v.tables().size() == 1) {
            b.setAttribute(DB_COLLECTION_NAME, v.tables().iterator().next());
        }
        if (captureSqlText) {
            b.setAttribute(DB_QUERY_TEXT, e.sql());
        }
        Span span = b.startSpan();
        state.statements.computeIfAbsent(thread, t -> new ArrayDeque<>()).push(new OpenStatement(span, operation));
    }

    private void statementFinished(AgentEvent.StatementFinished e) {
        StatementOutcome o = e.outcome();
        AskState state = existing(e);
        Deque<OpenStatement> open = state == null
                ? null
                : state.statements.get(Thread.currentThread().getId());
        OpenStatement s = open == null ? null : open.poll();
        if (open != null && open.isEmpty()) {
            state.statements.remove(Thread.currentThread().getId());
        }
        String operation = s != null ? s.operation : operation(o.sql(), o.verdict());
        String status = o.status().name();
        Attributes metric = Attributes.builder()
                .put(DB_SYSTEM_NAME, "postgresql")
                .put(DB_NAMESPACE, e.database())
                .put(DB_OPERATION_NAME, operation)
                .put(STATEMENT_STATUS, status)
                .build();
        statementDuration.record(seconds(o.elapsed()), metric);
        QueryResult result = o.result();
        if (o.status() == StatementOutcome.Status.EXECUTED) {
            if (result != null) {
                returnedRows.record(result.rowCount(), metric);
            } else if (o.affectedRows() >= 0) {
                affectedRows.record(o.affectedRows(), metric);
            }
        } else if (o.status() == StatementOutcome.Status.REFUSED) {
            refusals.add(
                    1,
                    Attributes.of(
                            STATEMENT_KIND,
                            o.verdict().kind().name(),
                            VERDICT,
                            o.verdict().decision().name()));
        }
        if (s == null) {
            return;
        }
        Span span = s.span;
        span.setAttribute(STATEMENT_STATUS, status);
        if (result != null) {
            span.setAttribute(DB_RETURNED_ROWS, (long) result.rowCount());
        }
        if (o.affectedRows() >= 0) {
            span.setAttribute(AFFECTED_ROWS, o.affectedRows());
        }
        if (o.sqlState() != null) {
            span.setAttribute(DB_RESPONSE_STATUS_CODE, o.sqlState());
        }
        switch (o.status()) {
            case FAILED -> {
                span.setAttribute(ERROR_TYPE, o.sqlState() != null ? o.sqlState() : status);
                span.setStatus(StatusCode.ERROR, "PostgreSQL failed the statement");
            }
            case REFUSED, CANCELLED -> {
                span.setAttribute(ERROR_TYPE, status);
                span.setStatus(
                        StatusCode.ERROR,
                        o.status() == StatementOutcome.Status.REFUSED
                                ? "the safety layer refused the statement"
                                : "the statement was cancelled");
            }
            default -> {
                // ran, declined or waiting for a confirmation: not an error
            }
        }
        span.end();
        forgetIfIdle(e, state);
    }

    /** Returns the leading keyword when it is a known operation, else the statement's kind. */
    static String operation(String sql, Verdict verdict) {
        int i = 0;
        int n = sql.length();
        while (i < n && !Character.isLetter(sql.charAt(i))) {
            if (sql.startsWith("--", i)) {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (sql.startsWith("/*", i)) {
                int close = sql.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
            } else {
                i++;
            }
        }
        int start = i;
        while (i < n && Character.isLetter(sql.charAt(i))) {
            i++;
        }
        String word = sql.substring(start, i).toUpperCase(Locale.ROOT);
        return OPERATIONS.contains(word) ? word : verdict.kind().name();
    }

    private static String key(AgentEvent e) {
        return e.sessionId() + '\u0000' + e.askId();
    }

    /** Returns the state of {@code e}'s ask, tracking one without an ask span (a guarded call) if it is new. */
    private AskState state(AgentEvent e) {
        List<AskState> evicted = new ArrayList<>();
        AskState state;
        synchronized (asks) {
            state = asks.computeIfAbsent(key(e), k -> new AskState(null));
            Iterator<AskState> it = asks.values().iterator();
            while (asks.size() > maxOpenAsks && it.hasNext()) {
                AskState oldest = it.next();
                if (oldest == state) {
                    break;
                }
                evicted.add(oldest);
                it.remove();
            }
        }
        for (AskState s : evicted) {
            s.endAll(ABANDONED, "more than " + maxOpenAsks + " asks were open; the oldest was abandoned");
        }
        return state;
    }

    private @Nullable AskState existing(AgentEvent e) {
        synchronized (asks) {
            return asks.get(key(e));
        }
    }

    /** Stops tracking a call outside an ask (no ask span) once nothing of it is open. */
    private void forgetIfIdle(AgentEvent e, AskState state) {
        if (state.askSpan != null) {
            return;
        }
        synchronized (asks) {
            if (state.idle()) {
                asks.remove(key(e), state);
            }
        }
    }

    private <K> void put(Map<K, Span> open, K key, Span span) {
        Span previous = open.put(key, span);
        if (previous != null) {
            end(previous, ABANDONED, "a call with the same id started before it finished");
        }
    }

    private static void end(Span span, String errorType, String description) {
        span.setAttribute(ERROR_TYPE, errorType);
        span.setStatus(StatusCode.ERROR, description);
        span.end();
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private record OpenStatement(Span span, String operation) {}

    /** The open spans of one ask. */
    private static final class AskState {
        final @Nullable Span askSpan;
        final Map<Integer, Span> models = new ConcurrentHashMap<>();
        final Map<String, Span> tools = new ConcurrentHashMap<>();
        final Map<Long, Span> toolByThread = new ConcurrentHashMap<>();
        final Map<Long, Deque<OpenStatement>> statements = new ConcurrentHashMap<>();

        AskState(@Nullable Span askSpan) {
            this.askSpan = askSpan;
        }

        Context context(@Nullable Span parent) {
            Span p = parent != null ? parent : askSpan;
            return p != null ? Context.root().with(p) : Context.current();
        }

        boolean idle() {
            return models.isEmpty() && tools.isEmpty() && statements.isEmpty();
        }

        /** Ends the open children, innermost first. */
        void endChildren(String description) {
            for (Deque<OpenStatement> open : statements.values()) {
                for (OpenStatement s : open) {
                    end(s.span, ABANDONED, description);
                }
            }
            statements.clear();
            toolByThread.clear();
            for (Span s : tools.values()) {
                end(s, ABANDONED, description);
            }
            tools.clear();
            for (Span s : models.values()) {
                end(s, ABANDONED, description);
            }
            models.clear();
        }

        void endAll(String errorType, String description) {
            endChildren(description);
            if (askSpan != null) {
                end(askSpan, errorType, description);
            }
        }
    }

    /** Builds an {@link AgentTelemetry}. Not thread-safe. */
    public static final class Builder {
        private final OpenTelemetry otel;
        private boolean captureSqlText;
        private String provider = ProviderInfo.UNKNOWN.name();
        private @Nullable String model;
        private int maxOpenAsks = 10_000;

        private Builder(OpenTelemetry otel) {
            this.otel = Objects.requireNonNull(otel, "openTelemetry == null");
        }

        /**
         * Sets whether statement spans carry the SQL text as {@code db.query.text}. The text may hold values the
         * model wrote into it (names, e-mail addresses), so it is off unless the host opts in. Default: false.
         */
        public Builder captureSqlText(boolean captureSqlText) {
            this.captureSqlText = captureSqlText;
            return this;
        }

        /**
         * Sets the provider ({@code gen_ai.provider.name}, for example {@code openai}, {@code anthropic}). Default:
         * {@code unknown}, or the one {@link #llm} reports.
         */
        public Builder provider(String provider) {
            Objects.requireNonNull(provider, "provider == null");
            if (provider.isBlank()) {
                throw new IllegalArgumentException("provider must not be blank but was '" + provider + "'");
            }
            this.provider = provider;
            return this;
        }

        /** Sets the model asked for ({@code gen_ai.request.model}); null for none. Default: none. */
        public Builder model(@Nullable String model) {
            this.model = model == null || model.isBlank() ? null : model;
            return this;
        }

        /**
         * Sets the provider and the model from {@code llm}'s {@link LlmClient#info()}; a client that does not say
         * (reports {@link ProviderInfo#UNKNOWN}) leaves the provider {@code unknown} and the model unset.
         */
        public Builder llm(LlmClient llm) {
            ProviderInfo info = Objects.requireNonNull(llm, "llm == null").info();
            provider(info.name());
            return model(info.model().equals(ProviderInfo.UNKNOWN.model()) ? null : info.model());
        }

        /**
         * Sets how many asks may be open (started, not finished) at once; beyond it the oldest is ended as
         * abandoned, so asks that never finish cannot leak spans. Default: 10,000.
         */
        public Builder maxOpenAsks(int maxOpenAsks) {
            if (maxOpenAsks < 1) {
                throw new IllegalArgumentException("maxOpenAsks must be at least 1 but was " + maxOpenAsks);
            }
            this.maxOpenAsks = maxOpenAsks;
            return this;
        }

        /** Returns the listener. */
        public AgentTelemetry build() {
            return new AgentTelemetry(this);
        }
    }
}
