package dev.pgagent.core.internal;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.history.AskRecord;
import dev.pgagent.api.history.HistoryStore;
import dev.pgagent.api.history.StatementRecord;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AgentStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each ask to a {@link HistoryStore} from the agent's events alone, so the loop does not change: an ask's
 * question and start ({@code AskStarted}), its statements ({@code StatementFinished}), tokens
 * ({@code ModelCallFinished}), steps and answer ({@code StepFinished}), and how it ended ({@code AskFinished}), when
 * the record is written (on the asking thread). An ask that waits for confirmations is recorded then and again when
 * it ends. Statements of host calls (no {@code AskStarted}) are not asks and are left out. A store that fails is
 * logged at WARN; the ask goes on. Thread-safe.
 */
public final class HistoryRecorder implements AgentListener {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryRecorder.class);
    /** Asks open at once before the oldest is given up (asks left waiting for confirmations forever). */
    private static final int MAX_OPEN = 10_000;

    private final HistoryStore store;
    private final Function<String, String> principalOf;
    private final Map<String, Open> open = new ConcurrentHashMap<>();

    /** The state of an ask being recorded; guarded by itself. */
    private static final class Open {
        final String sessionId;
        final String question;
        final Instant startedAt;
        final List<StatementRecord> statements = new ArrayList<>();
        Duration earlierSegments = Duration.ZERO;
        int steps;
        long inputTokens;
        long outputTokens;
        String lastText = "";
        String finalText = "";
        /** Confirmations asked in the running segment: their answers come with a StatementFinished. */
        final java.util.Set<String> askedThisSegment = new java.util.HashSet<>();
        /** An approval given on resume whose outcome the audit will tell (no statement event follows). */
        @Nullable
        ConfirmationRequest awaitingOutcome;

        Open(String sessionId, String question, Instant startedAt) {
            this.sessionId = sessionId;
            this.question = question;
            this.startedAt = startedAt;
        }
    }

    /**
     * Creates a recorder.
     *
     * @param principalOf who asked, by session id
     */
    public HistoryRecorder(HistoryStore store, Function<String, String> principalOf) {
        this.store = Objects.requireNonNull(store, "store == null");
        this.principalOf = Objects.requireNonNull(principalOf, "principalOf == null");
    }

    @Override
    public void onEvent(AgentEvent event) {
        if (event instanceof AgentEvent.AskStarted s) {
            started(s);
            return;
        }
        Open o = open.get(event.askId());
        if (o == null) {
            return;
        }
        synchronized (o) {
            if (event instanceof AgentEvent.StatementFinished f) {
                o.statements.add(StatementRecord.of(f.database(), f.outcome()));
            } else if (event instanceof AgentEvent.ModelCallFinished m) {
                o.inputTokens += m.usage().inputTokens();
                o.outputTokens += m.usage().outputTokens();
            } else if (event instanceof AgentEvent.ConfirmationAsked asked) {
                o.askedThisSegment.add(asked.request().id());
            } else if (event instanceof AgentEvent.ConfirmationAnswered answered) {
                resumeDecision(o, answered);
            } else if (event instanceof AgentEvent.StepFinished st) {
                o.steps = Math.max(o.steps, st.step().index());
                String text = st.step().message().text();
                o.finalText = text == null ? "" : text;
                if (text != null && !text.isBlank()) {
                    o.lastText = text;
                }
            }
        }
        if (event instanceof AgentEvent.AskFinished f) {
            finished(o, f);
        }
    }

    private void started(AgentEvent.AskStarted s) {
        Open started = open.compute(
                s.askId(),
                (id, o) -> o != null
                        ? o
                        : new Open(s.sessionId(), s.question(), Instant.now().truncatedTo(ChronoUnit.MICROS)));
        synchronized (started) {
            started.askedThisSegment.clear();
            started.awaitingOutcome = null;
        }
        if (open.size() > MAX_OPEN) {
            open.entrySet().stream()
                    .min((a, b) -> a.getValue().startedAt.compareTo(b.getValue().startedAt))
                    .ifPresent(e -> open.remove(e.getKey()));
        }
    }

    /**
     * A decision on resume ends a statement without a statement event: a decline now, an approval once the audit
     * tells its outcome. Decisions of confirmations asked in this segment are followed by a statement event.
     */
    private static void resumeDecision(Open o, AgentEvent.ConfirmationAnswered answered) {
        ConfirmationRequest request = answered.request();
        ConfirmationDecision.Status status = answered.decision().status();
        if (status == ConfirmationDecision.Status.DEFERRED || o.askedThisSegment.contains(request.id())) {
            return;
        }
        if (status == ConfirmationDecision.Status.APPROVED) {
            o.awaitingOutcome = request;
            return;
        }
        String comment = answered.decision().comment();
        o.statements.add(new StatementRecord(
                database(o),
                request.sql(),
                request.verdict().decision(),
                request.verdict().kind(),
                request.verdict().reason(),
                StatementOutcome.Status.DECLINED,
                -1,
                -1,
                "declined by " + answered.decision().decidedBy() + (comment.isBlank() ? "" : ": " + comment),
                null,
                Duration.ZERO));
    }

    /** Returns the database of the ask's pending statements (the last recorded), or "default". */
    private static String database(Open o) {
        return o.statements.isEmpty()
                ? "default"
                : o.statements.get(o.statements.size() - 1).database();
    }

    /** Returns the audit sink that hears the outcomes of statements approved on resume. Never throws. */
    public AuditSink auditSink() {
        return this::audited;
    }

    private void audited(AuditEvent event) {
        try {
            if (event.askId() == null
                    || event.sql() == null
                    || (event.type() != AuditEventType.QUERY_EXECUTED
                            && event.type() != AuditEventType.QUERY_REFUSED
                            && event.type() != AuditEventType.QUERY_FAILED)) {
                return;
            }
            Open o = open.get(event.askId());
            if (o == null) {
                return;
            }
            synchronized (o) {
                ConfirmationRequest request = o.awaitingOutcome;
                if (request == null || !request.sql().equals(event.sql())) {
                    return;
                }
                o.awaitingOutcome = null;
                Map<String, String> a = event.attributes();
                StatementOutcome.Status status = switch (event.type()) {
                    case QUERY_EXECUTED -> StatementOutcome.Status.EXECUTED;
                    case QUERY_REFUSED -> StatementOutcome.Status.REFUSED;
                    default ->
                        "cancelled".equals(event.outcome()) || "timeout".equals(event.outcome())
                                ? StatementOutcome.Status.CANCELLED
                                : StatementOutcome.Status.FAILED;
                };
                long affected = status == StatementOutcome.Status.EXECUTED ? number(a.get("affectedRows"), -1) : -1;
                String error = status == StatementOutcome.Status.REFUSED ? a.get("reason") : a.get("error");
                dev.pgagent.api.safety.Verdict v = event.verdict() != null ? event.verdict() : request.verdict();
                o.statements.add(new StatementRecord(
                        database(o),
                        request.sql(),
                        v.decision(),
                        v.kind(),
                        v.reason(),
                        status,
                        -1,
                        affected,
                        error,
                        a.get("sqlState"),
                        Duration.ofMillis(number(a.get("ms"), 0))));
            }
        } catch (RuntimeException e) {
            LOG.warn("The history recorder could not read an audit event: {}", e.toString());
        }
    }

    private static long number(@Nullable String s, long fallback) {
        try {
            return s == null ? fallback : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private void finished(Open o, AgentEvent.AskFinished f) {
        boolean waiting = f.status() == AgentStatus.WAITING_FOR_CONFIRMATION;
        AskRecord record;
        synchronized (o) {
            Duration elapsed = o.earlierSegments.plus(f.elapsed());
            String answer = switch (f.status()) {
                case COMPLETED -> o.finalText;
                case LIMIT_REACHED -> o.lastText;
                default -> "";
            };
            record = AskRecord.builder()
                    .id(f.askId())
                    .sessionId(o.sessionId)
                    .principal(principal(o.sessionId))
                    .question(o.question)
                    .answer(answer)
                    .status(f.status().name())
                    .error(f.error())
                    .startedAt(o.startedAt)
                    .elapsed(elapsed)
                    .steps(o.steps)
                    .tokens(o.inputTokens, o.outputTokens)
                    .statements(o.statements)
                    .build();
            if (waiting) {
                o.earlierSegments = elapsed;
            }
        }
        if (!waiting) {
            open.remove(f.askId());
        }
        try {
            store.record(record);
        } catch (RuntimeException e) {
            LOG.warn(
                    "The history store could not record ask {}; the ask is not in the history: {}",
                    f.askId(),
                    e.toString());
        }
    }

    private @Nullable String principal(String sessionId) {
        try {
            return principalOf.apply(sessionId);
        } catch (RuntimeException e) {
            LOG.warn("The history principal function failed for session {}: {}", sessionId, e.toString());
            return null;
        }
    }

    /** Returns a listener calling {@code first} then {@code second}, each isolated from the other's failure. */
    public static AgentListener both(AgentListener first, AgentListener second) {
        if (first == AgentListener.NONE) {
            return second;
        }
        return event -> {
            try {
                first.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn(
                        "Agent listener failed on {}; ignored", event.getClass().getSimpleName(), e);
            }
            second.onEvent(event);
        };
    }
}
