package dev.pgagent.api.history;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The record of one ask: who asked and in which session, the question and the answer, every statement with its
 * verdict and outcome (no result rows), the steps, tokens and time used, and how it ended. Immutable and
 * thread-safe.
 */
public final class AskRecord {
    private final String id;
    private final String sessionId;
    private final String principal;
    private final String question;
    private final String answer;
    private final String status;
    private final @Nullable String error;
    private final Instant startedAt;
    private final Duration elapsed;
    private final int steps;
    private final long inputTokens;
    private final long outputTokens;
    private final List<StatementRecord> statements;

    private AskRecord(Builder b) {
        this.id = requireText(b.id, "id");
        this.sessionId = requireText(b.sessionId, "sessionId");
        this.principal = b.principal == null || b.principal.isBlank() ? this.sessionId : b.principal;
        this.question = Objects.requireNonNull(b.question, "question == null");
        this.answer = b.answer;
        this.status = requireText(b.status, "status");
        this.error = b.error;
        this.startedAt = Objects.requireNonNull(b.startedAt, "startedAt == null");
        this.elapsed = b.elapsed;
        this.steps = b.steps;
        this.inputTokens = b.inputTokens;
        this.outputTokens = b.outputTokens;
        this.statements = List.copyOf(b.statements);
    }

    private static String requireText(@Nullable String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " must be set but was " + (value == null ? "null" : "blank"));
        }
        return value;
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding this record's values. */
    public Builder toBuilder() {
        Builder b = builder()
                .id(id)
                .sessionId(sessionId)
                .principal(principal)
                .question(question)
                .answer(answer)
                .status(status)
                .error(error)
                .startedAt(startedAt)
                .elapsed(elapsed)
                .steps(steps)
                .tokens(inputTokens, outputTokens);
        b.statements.addAll(statements);
        return b;
    }

    /** Returns the ask's id. */
    public String id() {
        return id;
    }

    /** Returns the session (conversation) the ask belongs to. */
    public String sessionId() {
        return sessionId;
    }

    /** Returns who asked (the session id unless the host says otherwise). */
    public String principal() {
        return principal;
    }

    /** Returns the question. */
    public String question() {
        return question;
    }

    /** Returns the model's answer (its last text when the ask did not complete); may be empty. */
    public String answer() {
        return answer;
    }

    /** Returns how the ask ended, as the agent's status name ({@code COMPLETED}, {@code LIMIT_REACHED}, ...). */
    public String status() {
        return status;
    }

    /** Returns whether the ask completed with an answer. */
    public boolean isCompleted() {
        return "COMPLETED".equals(status);
    }

    /** Returns why the ask did not complete, if it did not. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** Returns when the ask started. */
    public Instant startedAt() {
        return startedAt;
    }

    /** Returns how long the ask took. */
    public Duration elapsed() {
        return elapsed;
    }

    /** Returns the number of model turns. */
    public int steps() {
        return steps;
    }

    /** Returns the input tokens the model calls used. */
    public long inputTokens() {
        return inputTokens;
    }

    /** Returns the output tokens the model calls used. */
    public long outputTokens() {
        return outputTokens;
    }

    /** Returns the statements, in the order they ended. */
    public List<StatementRecord> statements() {
        return statements;
    }

    /** Returns the rows all statements returned, together. */
    public long totalRows() {
        return statements.stream().mapToLong(s -> Math.max(0, s.rows())).sum();
    }

    /** Returns the last statement that ran and returned rows: the one the answer most likely rests on. */
    public Optional<StatementRecord> finalStatement() {
        for (int i = statements.size() - 1; i >= 0; i--) {
            if (statements.get(i).returnedRows()) {
                return Optional.of(statements.get(i));
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof AskRecord r
                && id.equals(r.id)
                && sessionId.equals(r.sessionId)
                && principal.equals(r.principal)
                && question.equals(r.question)
                && answer.equals(r.answer)
                && status.equals(r.status)
                && Objects.equals(error, r.error)
                && startedAt.equals(r.startedAt)
                && elapsed.equals(r.elapsed)
                && steps == r.steps
                && inputTokens == r.inputTokens
                && outputTokens == r.outputTokens
                && statements.equals(r.statements);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, sessionId, question, status, startedAt);
    }

    @Override
    public String toString() {
        return "AskRecord{id=" + id + ", session=" + sessionId + ", status=" + status + ", statements="
                + statements.size() + '}';
    }

    /** Builds an {@link AskRecord}. Not thread-safe. */
    public static final class Builder {
        private @Nullable String id;
        private @Nullable String sessionId;
        private @Nullable String principal;
        private @Nullable String question;
        private String answer = "";
        private @Nullable String status;
        private @Nullable String error;
        private @Nullable Instant startedAt;
        private Duration elapsed = Duration.ZERO;
        private int steps;
        private long inputTokens;
        private long outputTokens;
        private final List<StatementRecord> statements = new ArrayList<>();

        private Builder() {}

        /** Sets the ask's id. Required. */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id == null");
            return this;
        }

        /** Sets the session id. Required. */
        public Builder sessionId(String sessionId) {
            this.sessionId = Objects.requireNonNull(sessionId, "sessionId == null");
            return this;
        }

        /** Sets who asked. Default: the session id. */
        public Builder principal(@Nullable String principal) {
            this.principal = principal;
            return this;
        }

        /** Sets the question. Required. */
        public Builder question(String question) {
            this.question = Objects.requireNonNull(question, "question == null");
            return this;
        }

        /** Sets the answer. Default: empty. */
        public Builder answer(String answer) {
            this.answer = Objects.requireNonNull(answer, "answer == null");
            return this;
        }

        /** Sets how the ask ended (the agent's status name). Required. */
        public Builder status(String status) {
            this.status = Objects.requireNonNull(status, "status == null");
            return this;
        }

        /** Sets why the ask did not complete; null when it did. Default: null. */
        public Builder error(@Nullable String error) {
            this.error = error;
            return this;
        }

        /** Sets when the ask started. Required. */
        public Builder startedAt(Instant startedAt) {
            this.startedAt = Objects.requireNonNull(startedAt, "startedAt == null");
            return this;
        }

        /** Sets how long it took. Default: zero. */
        public Builder elapsed(Duration elapsed) {
            Objects.requireNonNull(elapsed, "elapsed == null");
            if (elapsed.isNegative()) {
                throw new IllegalArgumentException("elapsed must be >= 0 but was " + elapsed);
            }
            this.elapsed = elapsed;
            return this;
        }

        /** Sets the number of model turns; at least 0. Default: 0. */
        public Builder steps(int steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("steps must be >= 0 but was " + steps);
            }
            this.steps = steps;
            return this;
        }

        /** Sets the tokens used; each at least 0. Default: 0, 0. */
        public Builder tokens(long inputTokens, long outputTokens) {
            if (inputTokens < 0 || outputTokens < 0) {
                throw new IllegalArgumentException("tokens must be >= 0 but were " + inputTokens + ", " + outputTokens);
            }
            this.inputTokens = inputTokens;
            this.outputTokens = outputTokens;
            return this;
        }

        /** Appends a statement. */
        public Builder addStatement(StatementRecord statement) {
            statements.add(Objects.requireNonNull(statement, "statement == null"));
            return this;
        }

        /** Replaces the statements. Default: none. */
        public Builder statements(List<StatementRecord> statements) {
            this.statements.clear();
            statements.forEach(this::addStatement);
            return this;
        }

        /**
         * Returns the record.
         *
         * @throws IllegalStateException if the id, session id, question, status or start time is missing
         */
        public AskRecord build() {
            if (question == null) {
                throw new IllegalStateException("question must be set but was null");
            }
            if (startedAt == null) {
                throw new IllegalStateException("startedAt must be set but was null");
            }
            return new AskRecord(this);
        }
    }
}
