package dev.pgagent.core.internal;

import dev.pgagent.api.history.AskRecord;
import dev.pgagent.api.history.HistoryStore;
import dev.pgagent.api.history.StatementRecord;
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
        open.compute(s.askId(), (id, o) -> o != null ? o
                : new Open(s.sessionId(), s.question(), Instant.now().truncatedTo(ChronoUnit.MICROS)));
        if (open.size() > MAX_OPEN) {
            open.entrySet().stream()
                    .min((a, b) -> a.getValue().startedAt.compareTo(b.getValue().startedAt))
                    .ifPresent(e -> open.remove(e.getKey()));
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
            LOG.warn("The history store could not record ask {}; the ask is not in the history: {}", f.askId(),
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
                LOG.warn("Agent listener failed on {}; ignored", event.getClass().getSimpleName(), e);
            }
            second.onEvent(event);
        };
    }
}
