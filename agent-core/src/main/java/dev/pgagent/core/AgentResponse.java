package dev.pgagent.core;

import dev.pgagent.api.AgentLimitExceededException;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one ask (or of a {@linkplain AgentSession#resume(java.util.Map) resumed} one): how it ended, the
 * model's answer, every statement tried, the result tables with their real values, the steps, the token usage and
 * the time taken. Immutable and thread-safe.
 *
 * <pre>{@code
 * AgentResponse r = session.ask("Which five customers spent the most last year?");
 * switch (r.status()) {
 *     case COMPLETED -> show(r.answer(), r.tables());
 *     case WAITING_FOR_CONFIRMATION -> store(r.pendingConfirmations());
 *     default -> showError(r.error().orElse(r.status().name()));
 * }
 * }</pre>
 */
public final class AgentResponse {
    private final AgentStatus status;
    private final String answer;
    private final String sessionId;
    private final String askId;
    private final List<StatementOutcome> statements;
    private final List<QueryResult> tables;
    private final List<AgentStep> steps;
    private final TokenUsage usage;
    private final Duration elapsed;
    private final List<ConfirmationRequest> pendingConfirmations;
    private final @Nullable String error;
    private final AgentLimitExceededException.@Nullable Limit limit;

    private AgentResponse(Builder b) {
        this.status = Objects.requireNonNull(b.status, "status == null");
        this.answer = b.answer;
        this.sessionId = b.sessionId;
        this.askId = b.askId;
        this.statements = List.copyOf(b.statements);
        this.tables = List.copyOf(b.tables);
        this.steps = List.copyOf(b.steps);
        this.usage = b.usage;
        this.elapsed = b.elapsed;
        this.pendingConfirmations = List.copyOf(b.pendingConfirmations);
        this.error = b.error;
        this.limit = b.limit;
    }

    /** Returns a builder; the agent builds responses, hosts may build them for their own tests. */
    public static Builder builder(AgentStatus status) {
        return new Builder(status);
    }

    /** Returns how the ask ended. */
    public AgentStatus status() {
        return status;
    }

    /** Returns whether the ask completed with an answer. */
    public boolean isCompleted() {
        return status == AgentStatus.COMPLETED;
    }

    /** Returns the model's final answer; empty when it gave none (for example when a limit was reached). */
    public String answer() {
        return answer;
    }

    /** Returns the session the ask ran in. */
    public String sessionId() {
        return sessionId;
    }

    /** Returns the identifier of the ask, as found in the audit records. */
    public String askId() {
        return askId;
    }

    /** Returns every statement tried during the ask, in order, with its verdict and outcome (real values). */
    public List<StatementOutcome> statements() {
        return statements;
    }

    /** Returns the result tables of the last step that produced any, with real (unredacted) values. */
    public List<QueryResult> tables() {
        return tables;
    }

    /** Returns the steps, in order. */
    public List<AgentStep> steps() {
        return steps;
    }

    /** Returns the tokens used by every model call of the ask. */
    public TokenUsage usage() {
        return usage;
    }

    /** Returns the wall-clock time of the ask (of this call, for a resumed ask). */
    public Duration elapsed() {
        return elapsed;
    }

    /** Returns the confirmations the ask waits for; empty unless {@link AgentStatus#WAITING_FOR_CONFIRMATION}. */
    public List<ConfirmationRequest> pendingConfirmations() {
        return pendingConfirmations;
    }

    /** Returns why the ask did not complete, if it did not. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** Returns the limit reached, for {@link AgentStatus#LIMIT_REACHED}. */
    public Optional<AgentLimitExceededException.Limit> limit() {
        return Optional.ofNullable(limit);
    }

    /**
     * Returns this response if the ask completed or waits for confirmations, and otherwise throws: for hosts that
     * treat an ask that did not finish as an error.
     *
     * @throws AgentLimitExceededException if a limit (steps, time, tokens) ended the ask
     * @throws dev.pgagent.api.CancelledException if the ask was cancelled
     * @throws AskFailedException if it failed (the model call, an audit sink under fail-closed, the provider's
     *     content filter)
     */
    public AgentResponse orThrow() {
        String why = error == null ? status.name() : error;
        return switch (status) {
            case COMPLETED, WAITING_FOR_CONFIRMATION -> this;
            case LIMIT_REACHED ->
                throw new AgentLimitExceededException(
                        limit == null ? AgentLimitExceededException.Limit.TIME : limit, why);
            case CANCELLED -> throw new dev.pgagent.api.CancelledException(why);
            case FAILED -> throw new AskFailedException(why);
        };
    }

    @Override
    public String toString() {
        return "AgentResponse{status=" + status + ", steps=" + steps.size() + ", statements=" + statements.size()
                + ", usage=" + usage + ", elapsed=" + elapsed + (error == null ? "" : ", error=" + error) + '}';
    }

    /** Builds an {@link AgentResponse}. Not thread-safe. */
    public static final class Builder {
        private final AgentStatus status;
        private String answer = "";
        private String sessionId = "";
        private String askId = "";
        private final List<StatementOutcome> statements = new ArrayList<>();
        private final List<QueryResult> tables = new ArrayList<>();
        private final List<AgentStep> steps = new ArrayList<>();
        private TokenUsage usage = TokenUsage.ZERO;
        private Duration elapsed = Duration.ZERO;
        private final List<ConfirmationRequest> pendingConfirmations = new ArrayList<>();
        private @Nullable String error;
        private AgentLimitExceededException.@Nullable Limit limit;

        private Builder(AgentStatus status) {
            this.status = Objects.requireNonNull(status, "status == null");
        }

        /** Sets the answer. Default: empty. */
        public Builder answer(String answer) {
            this.answer = Objects.requireNonNull(answer, "answer == null");
            return this;
        }

        /** Sets the session and ask identifiers. Default: empty. */
        public Builder ids(String sessionId, String askId) {
            this.sessionId = Objects.requireNonNull(sessionId, "sessionId == null");
            this.askId = Objects.requireNonNull(askId, "askId == null");
            return this;
        }

        /** Sets the statements. Default: none. */
        public Builder statements(List<StatementOutcome> statements) {
            this.statements.clear();
            this.statements.addAll(statements);
            return this;
        }

        /** Sets the tables. Default: none. */
        public Builder tables(List<QueryResult> tables) {
            this.tables.clear();
            this.tables.addAll(tables);
            return this;
        }

        /** Sets the steps. Default: none. */
        public Builder steps(List<AgentStep> steps) {
            this.steps.clear();
            this.steps.addAll(steps);
            return this;
        }

        /** Sets the usage. Default: {@link TokenUsage#ZERO}. */
        public Builder usage(TokenUsage usage) {
            this.usage = Objects.requireNonNull(usage, "usage == null");
            return this;
        }

        /** Sets the elapsed time. Default: zero. */
        public Builder elapsed(Duration elapsed) {
            this.elapsed = Objects.requireNonNull(elapsed, "elapsed == null");
            return this;
        }

        /** Sets the pending confirmations. Default: none. */
        public Builder pendingConfirmations(List<ConfirmationRequest> pending) {
            this.pendingConfirmations.clear();
            this.pendingConfirmations.addAll(pending);
            return this;
        }

        /** Sets the error message. Default: none. */
        public Builder error(@Nullable String error) {
            this.error = error;
            return this;
        }

        /** Sets the limit reached. Default: none. */
        public Builder limit(AgentLimitExceededException.@Nullable Limit limit) {
            this.limit = limit;
            return this;
        }

        /** Returns the response. */
        public AgentResponse build() {
            return new AgentResponse(this);
        }
    }
}
