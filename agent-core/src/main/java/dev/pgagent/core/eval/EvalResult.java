package dev.pgagent.core.eval;

import dev.pgagent.api.Experimental;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one question: its status, the SQL whose result was scored, the steps, tokens and time of the ask,
 * and why it failed; for a context-only run, the context's size and the gold tables it missed. Immutable and
 * thread-safe.
 */
@Experimental
public final class EvalResult {
    private final String id;
    private final String database;
    private final String difficulty;
    private final EvalStatus status;
    private final String predictedSql;
    private final int steps;
    private final long inputTokens;
    private final long outputTokens;
    private final Duration latency;
    private final String error;
    private final int contextTokens;
    private final List<String> goldTables;
    private final List<String> missingTables;

    private EvalResult(Builder b) {
        this.id = b.id;
        this.database = b.database;
        this.difficulty = b.difficulty;
        this.status = b.status;
        this.predictedSql = b.predictedSql;
        this.steps = b.steps;
        this.inputTokens = b.inputTokens;
        this.outputTokens = b.outputTokens;
        this.latency = b.latency;
        this.error = b.error;
        this.contextTokens = b.contextTokens;
        this.goldTables = List.copyOf(b.goldTables);
        this.missingTables = List.copyOf(b.missingTables);
    }

    /** Returns a builder for the result of {@code question}, taking its id, database and difficulty. */
    public static Builder builder(EvalQuestion question, EvalStatus status) {
        Objects.requireNonNull(question, "question == null");
        return new Builder(question.id(), status).database(question.database()).difficulty(question.difficulty());
    }

    /** Returns a builder for the result of the question {@code id}. */
    public static Builder builder(String id, EvalStatus status) {
        return new Builder(id, status);
    }

    /** Returns the question's identifier. */
    public String id() {
        return id;
    }

    /** Returns the question's database; empty when it named none. */
    public String database() {
        return database;
    }

    /** Returns the question's difficulty. */
    public String difficulty() {
        return difficulty;
    }

    /** Returns how the question ended. */
    public EvalStatus status() {
        return status;
    }

    /** Returns the SQL whose result was compared (the last read that ran in the ask); empty when none ran. */
    public String predictedSql() {
        return predictedSql;
    }

    /** Returns the ask's steps (model turns); 0 in a context-only run. */
    public int steps() {
        return steps;
    }

    /** Returns the ask's input tokens. */
    public long inputTokens() {
        return inputTokens;
    }

    /** Returns the ask's output tokens. */
    public long outputTokens() {
        return outputTokens;
    }

    /** Returns the time the ask took (context-only: the time to build the context). */
    public Duration latency() {
        return latency;
    }

    /** Returns why it failed, was refused, was wrong or its gold SQL could not run; empty when there is no reason. */
    public String error() {
        return error;
    }

    /** Returns the size of the context in tokens, in a context-only run; -1 otherwise. */
    public int contextTokens() {
        return contextTokens;
    }

    /** Returns the gold tables scored, in a context-only run. */
    public List<String> goldTables() {
        return goldTables;
    }

    /** Returns the gold tables missing from the context, in a context-only run. */
    public List<String> missingTables() {
        return missingTables;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof EvalResult other
                && id.equals(other.id)
                && database.equals(other.database)
                && difficulty.equals(other.difficulty)
                && status == other.status
                && predictedSql.equals(other.predictedSql)
                && steps == other.steps
                && inputTokens == other.inputTokens
                && outputTokens == other.outputTokens
                && latency.equals(other.latency)
                && error.equals(other.error)
                && contextTokens == other.contextTokens
                && goldTables.equals(other.goldTables)
                && missingTables.equals(other.missingTables);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, status, predictedSql, steps, inputTokens, outputTokens, latency, error);
    }

    @Override
    public String toString() {
        return "EvalResult{id=" + id + ", status=" + status + ", steps=" + steps + ", tokens=" + inputTokens + "/"
                + outputTokens + ", latency=" + latency + (error.isEmpty() ? "" : ", error=" + error) + '}';
    }

    /** Builds an {@link EvalResult}. Not thread-safe. */
    public static final class Builder {
        private final String id;
        private final EvalStatus status;
        private String database = "";
        private String difficulty = EvalQuestion.UNKNOWN_DIFFICULTY;
        private String predictedSql = "";
        private int steps;
        private long inputTokens;
        private long outputTokens;
        private Duration latency = Duration.ZERO;
        private String error = "";
        private int contextTokens = -1;
        private List<String> goldTables = List.of();
        private List<String> missingTables = List.of();

        private Builder(String id, EvalStatus status) {
            this.id = Objects.requireNonNull(id, "id == null");
            this.status = Objects.requireNonNull(status, "status == null");
        }

        /** Sets the database. Default: empty. */
        public Builder database(String database) {
            this.database = Objects.requireNonNull(database, "database == null");
            return this;
        }

        /** Sets the difficulty. Default: {@value EvalQuestion#UNKNOWN_DIFFICULTY}. */
        public Builder difficulty(String difficulty) {
            this.difficulty = Objects.requireNonNull(difficulty, "difficulty == null");
            return this;
        }

        /** Sets the SQL compared. Default: empty. */
        public Builder predictedSql(String predictedSql) {
            this.predictedSql = Objects.requireNonNull(predictedSql, "predictedSql == null");
            return this;
        }

        /** Sets the steps. Default: 0. */
        public Builder steps(int steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("steps must be >= 0 but was " + steps);
            }
            this.steps = steps;
            return this;
        }

        /** Sets the tokens. Default: 0 and 0. */
        public Builder tokens(long inputTokens, long outputTokens) {
            if (inputTokens < 0 || outputTokens < 0) {
                throw new IllegalArgumentException(
                        "tokens must be >= 0 but were " + inputTokens + " and " + outputTokens);
            }
            this.inputTokens = inputTokens;
            this.outputTokens = outputTokens;
            return this;
        }

        /** Sets the latency. Default: zero. */
        public Builder latency(Duration latency) {
            Objects.requireNonNull(latency, "latency == null");
            if (latency.isNegative()) {
                throw new IllegalArgumentException("latency must be >= 0 but was " + latency);
            }
            this.latency = latency;
            return this;
        }

        /** Sets the reason. Default: empty. */
        public Builder error(String error) {
            this.error = Objects.requireNonNull(error, "error == null");
            return this;
        }

        /** Sets the context's size. Default: -1 (not a context-only result). */
        public Builder contextTokens(int contextTokens) {
            this.contextTokens = contextTokens;
            return this;
        }

        /** Sets the gold tables and the ones the context missed. Default: none. */
        public Builder tables(List<String> goldTables, List<String> missingTables) {
            this.goldTables = List.copyOf(Objects.requireNonNull(goldTables, "goldTables == null"));
            this.missingTables = List.copyOf(Objects.requireNonNull(missingTables, "missingTables == null"));
            return this;
        }

        /** Returns the result. */
        public EvalResult build() {
            return new EvalResult(this);
        }
    }
}
