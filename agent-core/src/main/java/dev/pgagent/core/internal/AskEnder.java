package dev.pgagent.core.internal;

import dev.pgagent.api.AgentLimitExceededException.Limit;
import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends an ask (or a segment of it): builds the {@link AgentResponse}, keeps the turn in the history, audits and tells
 * the listener; maps what stopped the ask (cancellation, time, an audit failure, the model) to a status.
 */
final class AskEnder {
    private static final Logger LOG = LoggerFactory.getLogger(AskEnder.class);

    private final EngineConfig config;
    private final Events events;
    private final SessionHooks session;

    AskEnder(EngineConfig config, Events events, SessionHooks session) {
        this.config = config;
        this.events = events;
        this.session = session;
    }

    /** Runs {@code body}, turning what stops an ask into its response. */
    AgentResponse guarded(AskRun run, Supplier<AgentResponse> body) {
        try {
            return body.get();
        } catch (CancelledException e) {
            run.stopWork();
            return end(run, AgentStatus.CANCELLED, "", "the ask was cancelled", null);
        } catch (TimeUp e) {
            run.stopWork();
            return end(
                    run,
                    AgentStatus.LIMIT_REACHED,
                    lastText(run),
                    "the ask timed out after " + config.timeout().toMillis() + " ms",
                    Limit.TIME);
        } catch (AuditWriteException e) {
            run.stopWork();
            return end(run, AgentStatus.FAILED, "", e.getMessage(), null);
        } catch (LlmException e) {
            return end(
                    run, AgentStatus.FAILED, "", "the model call failed (" + e.reason() + "): " + e.getMessage(), null);
        } catch (RuntimeException e) {
            LOG.warn("Ask {} of session {} failed", run.askId, session.id(), e);
            run.stopWork();
            return end(run, AgentStatus.FAILED, "", "the ask failed: " + e, null);
        }
    }

    AgentResponse end(AskRun run, AgentStatus status, String answer, @Nullable String error, @Nullable Limit limit) {
        run.pending = null;
        session.unpark(run);
        session.remember(run.turn);
        finished(run, status, error, 0);
        return AgentResponse.builder(status)
                .answer(answer)
                .ids(session.id(), run.askId)
                .statements(run.statements)
                .tables(run.lastTables)
                .steps(run.steps)
                .usage(run.usage)
                .elapsed(run.segmentElapsed())
                .error(error)
                .limit(limit)
                .build();
    }

    /** Parks the ask and returns its response while it waits for confirmations. */
    AgentResponse waiting(AskRun run) {
        session.park(run);
        List<StatementOutcome> statements = new ArrayList<>(run.statements);
        AskRun.PendingStep ps = Objects.requireNonNull(run.pending, "pending");
        for (CallRecord r : ps.records()) {
            statements.addAll(r.outcomes());
        }
        List<ConfirmationRequest> pending = pendingOf(run);
        finished(run, AgentStatus.WAITING_FOR_CONFIRMATION, null, pending.size());
        return AgentResponse.builder(AgentStatus.WAITING_FOR_CONFIRMATION)
                .ids(session.id(), run.askId)
                .statements(statements)
                .tables(run.lastTables)
                .steps(run.steps)
                .usage(run.usage)
                .elapsed(run.segmentElapsed())
                .pendingConfirmations(pending)
                .build();
    }

    private void finished(AskRun run, AgentStatus status, @Nullable String error, int pending) {
        try {
            config.audit()
                    .record(AuditEvent.builder(AuditEventType.ASK_FINISHED)
                            .sessionId(session.id())
                            .askId(run.askId)
                            .outcome(status.name().toLowerCase(Locale.ROOT))
                            .attribute("steps", run.steps.size())
                            .attribute("inputTokens", run.usage.inputTokens())
                            .attribute("outputTokens", run.usage.outputTokens())
                            .attribute("ms", run.segmentElapsed().toMillis())
                            .attribute("pendingConfirmations", pending == 0 ? null : pending)
                            .attribute("error", error == null ? null : PgAgentException.abbreviate(error, 500))
                            .build());
        } catch (AuditWriteException e) {
            LOG.warn("The end of ask {} could not be audited: {}", run.askId, e.getMessage());
        }
        events.emit(new AgentEvent.AskFinished(session.id(), run.askId, status, error, run.segmentElapsed()));
    }

    /** Returns the confirmations {@code run} still waits for. */
    static List<ConfirmationRequest> pendingOf(AskRun run) {
        AskRun.PendingStep ps = run.pending;
        if (ps == null) {
            return List.of();
        }
        List<ConfirmationRequest> out = new ArrayList<>();
        for (CallRecord r : ps.records()) {
            for (CallRecord.PendingItem p : r.pending()) {
                if (!run.resolved.contains(p.request().id())) {
                    out.add(p.request());
                }
            }
        }
        return List.copyOf(out);
    }

    /** Returns the last non-blank text the model wrote in this ask, or empty. */
    static String lastText(AskRun run) {
        for (int i = run.steps.size() - 1; i >= 0; i--) {
            String text = run.steps.get(i).message().text();
            if (text != null && !text.isBlank()) {
                return text;
            }
        }
        return "";
    }
}
