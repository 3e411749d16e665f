package dev.pgagent.core;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolResult;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened in an ask, as it starts and as it ends, delivered to the {@link AgentListener}: an ask
 * started, a model call started and finished, text arrived, a tool call started and finished, a statement started
 * (with its SQL and verdict) and finished, a confirmation was asked and answered, a step finished, the ask finished.
 * A user interface can show "running: SELECT ..." while the statement runs. Every event names the session and the
 * ask; calls through the {@link GuardedPath} name the caller as the session. Values are immutable.
 */
@Experimental
public sealed interface AgentEvent {

    /** Returns the session (or the guarded path's caller) the event belongs to. */
    String sessionId();

    /** Returns the ask (or guarded call) the event belongs to. */
    String askId();

    private static void require(String sessionId, String askId) {
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(askId, "askId == null");
    }

    /**
     * An ask started, or resumed after confirmations.
     *
     * @param question the question
     * @param resumed whether this segment resumes an ask that waited for confirmations
     */
    record AskStarted(String sessionId, String askId, String question, boolean resumed) implements AgentEvent {
        /** Validates the components. */
        public AskStarted {
            require(sessionId, askId);
            Objects.requireNonNull(question, "question == null");
        }
    }

    /**
     * A model call started.
     *
     * @param step the step (model turn) number, from 1
     */
    record ModelCallStarted(String sessionId, String askId, int step) implements AgentEvent {
        /** Validates the components. */
        public ModelCallStarted {
            require(sessionId, askId);
        }
    }

    /**
     * Text of the model's answer arrived (from a streaming provider, or the whole text of a non-streaming one).
     *
     * @param step the step number
     * @param text the text that arrived, in order
     */
    record TextDelta(String sessionId, String askId, int step, String text) implements AgentEvent {
        /** Validates the components. */
        public TextDelta {
            require(sessionId, askId);
            Objects.requireNonNull(text, "text == null");
        }
    }

    /**
     * A model call finished.
     *
     * @param step the step number
     * @param message the model's message, or null when the call failed
     * @param usage the tokens the call used ({@link TokenUsage#ZERO} when it failed)
     * @param elapsed how long the call took
     * @param error why the call failed, or null when it succeeded
     * @param finishReason why the model stopped, or null when the call failed
     * @param model the model that answered, as the provider named it; null when not reported or the call failed
     */
    record ModelCallFinished(
            String sessionId,
            String askId,
            int step,
            @Nullable AssistantMessage message,
            TokenUsage usage,
            Duration elapsed,
            @Nullable String error,
            @Nullable FinishReason finishReason,
            @Nullable String model)
            implements AgentEvent {
        /** Validates the components. */
        public ModelCallFinished {
            require(sessionId, askId);
            Objects.requireNonNull(usage, "usage == null");
            Objects.requireNonNull(elapsed, "elapsed == null");
        }

        /** Creates an event without the finish reason and the answering model. */
        public ModelCallFinished(
                String sessionId,
                String askId,
                int step,
                @Nullable AssistantMessage message,
                TokenUsage usage,
                Duration elapsed,
                @Nullable String error) {
            this(sessionId, askId, step, message, usage, elapsed, error, null, null);
        }
    }

    /**
     * A tool call started.
     *
     * @param call the call, as the model (or the host) made it
     */
    record ToolCallStarted(String sessionId, String askId, ToolCall call) implements AgentEvent {
        /** Validates the components. */
        public ToolCallStarted {
            require(sessionId, askId);
            Objects.requireNonNull(call, "call == null");
        }
    }

    /**
     * A tool call finished.
     *
     * @param call the call
     * @param result its result, with the real (unredacted) tables the host may show
     * @param elapsed how long it took
     */
    record ToolCallFinished(String sessionId, String askId, ToolCall call, ToolResult result, Duration elapsed)
            implements AgentEvent {
        /** Validates the components. */
        public ToolCallFinished {
            require(sessionId, askId);
            Objects.requireNonNull(call, "call == null");
            Objects.requireNonNull(result, "result == null");
            Objects.requireNonNull(elapsed, "elapsed == null");
        }
    }

    /**
     * A SQL statement was validated and is about to run (or be refused, or be confirmed).
     *
     * @param database the name of the database it runs on
     * @param sql the statement
     * @param verdict the validator's verdict
     * @param explain whether it is being explained rather than run
     */
    record StatementStarted(
            String sessionId, String askId, String database, String sql, Verdict verdict, boolean explain)
            implements AgentEvent {
        /** Validates the components. */
        public StatementStarted {
            require(sessionId, askId);
            Objects.requireNonNull(database, "database == null");
            Objects.requireNonNull(sql, "sql == null");
            Objects.requireNonNull(verdict, "verdict == null");
        }
    }

    /**
     * A SQL statement ended: ran, refused, failed, cancelled, declined or left waiting for a confirmation.
     *
     * @param database the name of the database
     * @param outcome the outcome, with real (unredacted) values
     */
    record StatementFinished(String sessionId, String askId, String database, StatementOutcome outcome)
            implements AgentEvent {
        /** Validates the components. */
        public StatementFinished {
            require(sessionId, askId);
            Objects.requireNonNull(database, "database == null");
            Objects.requireNonNull(outcome, "outcome == null");
        }
    }

    /**
     * A statement needs a person's confirmation; the request goes to the confirmation handler.
     *
     * @param request the request, with the dry run's count
     */
    record ConfirmationAsked(String sessionId, String askId, ConfirmationRequest request) implements AgentEvent {
        /** Validates the components. */
        public ConfirmationAsked {
            require(sessionId, askId);
            Objects.requireNonNull(request, "request == null");
        }
    }

    /**
     * A confirmation was answered (approved, declined or deferred).
     *
     * @param request the request
     * @param decision the answer
     */
    record ConfirmationAnswered(
            String sessionId, String askId, ConfirmationRequest request, ConfirmationDecision decision)
            implements AgentEvent {
        /** Validates the components. */
        public ConfirmationAnswered {
            require(sessionId, askId);
            Objects.requireNonNull(request, "request == null");
            Objects.requireNonNull(decision, "decision == null");
        }
    }

    /**
     * A step (one model turn and the tools it called) finished.
     *
     * @param step the step
     */
    record StepFinished(String sessionId, String askId, AgentStep step) implements AgentEvent {
        /** Validates the components. */
        public StepFinished {
            require(sessionId, askId);
            Objects.requireNonNull(step, "step == null");
        }
    }

    /**
     * The ask (or this segment of it) ended.
     *
     * @param status how it ended
     * @param error why it did not complete, or null
     * @param elapsed how long the segment took
     */
    record AskFinished(
            String sessionId,
            String askId,
            AgentStatus status,
            @Nullable String error,
            Duration elapsed) implements AgentEvent {
        /** Validates the components. */
        public AskFinished {
            require(sessionId, askId);
            Objects.requireNonNull(status, "status == null");
            Objects.requireNonNull(elapsed, "elapsed == null");
        }
    }

    /**
     * An audit sink failed to record an event (under either {@link AuditFailurePolicy}); emitted once per failing
     * sink, so monitoring can count audit failures. Outside an ask the ids are empty.
     *
     * @param type the type of the audit event that was not recorded
     * @param error the sink's failure message (it never holds the audited values)
     */
    record AuditFailed(String sessionId, String askId, AuditEventType type, String error) implements AgentEvent {
        /** Validates the components. */
        public AuditFailed {
            require(sessionId, askId);
            Objects.requireNonNull(type, "type == null");
            Objects.requireNonNull(error, "error == null");
        }
    }
}
