package dev.pgagent.core.eval;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One question of an evaluation set: the question, an optional hint (BIRD's {@code evidence}), the gold SQL, the
 * database it is asked of, its difficulty and, when the set labels them, the tables the gold SQL reads. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * EvalQuestion q = EvalQuestion.builder("q1", "How many singers are there?", "SELECT count(*) FROM singer")
 *     .database("concert_singer")
 *     .difficulty("easy")
 *     .build();
 * }</pre>
 */
public final class EvalQuestion {
    /** The difficulty of a question whose set does not say. */
    public static final String UNKNOWN_DIFFICULTY = "unknown";

    private final String id;
    private final String question;
    private final String hint;
    private final String goldSql;
    private final String database;
    private final String difficulty;
    private final List<String> tables;

    private EvalQuestion(Builder b) {
        this.id = b.id;
        this.question = b.question;
        this.hint = b.hint;
        this.goldSql = b.goldSql;
        this.database = b.database;
        this.difficulty = b.difficulty;
        this.tables = List.copyOf(b.tables);
    }

    /**
     * Returns a builder.
     *
     * @param id the question's identifier, unique in its set (the results file of a resumed run is keyed by it)
     * @param question the question in natural language
     * @param goldSql the reference SQL whose result an answer must match
     * @throws IllegalArgumentException if a value is blank
     */
    public static Builder builder(String id, String question, String goldSql) {
        return new Builder(id, question, goldSql);
    }

    /** Returns the identifier, unique in the set. */
    public String id() {
        return id;
    }

    /** Returns the question. */
    public String question() {
        return question;
    }

    /** Returns the hint (BIRD's {@code evidence}); empty when there is none. */
    public String hint() {
        return hint;
    }

    /** Returns the gold SQL. */
    public String goldSql() {
        return goldSql;
    }

    /** Returns the database the question is asked of (Spider's and BIRD's {@code db_id}); empty when not given. */
    public String database() {
        return database;
    }

    /** Returns the difficulty as the set names it; {@value #UNKNOWN_DIFFICULTY} when it does not. */
    public String difficulty() {
        return difficulty;
    }

    /**
     * Returns the tables the gold SQL reads as the set labels them ({@code schema.table} or {@code table}, lower
     * case); empty when the set does not label them, and the harness then parses them from the gold SQL.
     */
    public List<String> tables() {
        return tables;
    }

    /** Returns the text given to the agent: the question, and the hint on a line of its own when there is one. */
    public String prompt() {
        return hint.isEmpty() ? question : question + "\nHint: " + hint;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof EvalQuestion other
                && id.equals(other.id)
                && question.equals(other.question)
                && hint.equals(other.hint)
                && goldSql.equals(other.goldSql)
                && database.equals(other.database)
                && difficulty.equals(other.difficulty)
                && tables.equals(other.tables);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, question, hint, goldSql, database, difficulty, tables);
    }

    @Override
    public String toString() {
        return "EvalQuestion{id=" + id + ", database=" + database + ", difficulty=" + difficulty + '}';
    }

    /** Builds an {@link EvalQuestion}. Not thread-safe. */
    public static final class Builder {
        private final String id;
        private final String question;
        private final String goldSql;
        private String hint = "";
        private String database = "";
        private String difficulty = UNKNOWN_DIFFICULTY;
        private List<String> tables = List.of();

        private Builder(String id, String question, String goldSql) {
            this.id = requireText(id, "id");
            this.question = requireText(question, "question");
            this.goldSql = requireText(goldSql, "goldSql");
        }

        /** Sets the hint shown to the agent after the question. Default: none. */
        public Builder hint(String hint) {
            this.hint = Objects.requireNonNull(hint, "hint == null").strip();
            return this;
        }

        /** Sets the database the question is asked of. Default: none (the agent's default database). */
        public Builder database(String database) {
            this.database = Objects.requireNonNull(database, "database == null").strip();
            return this;
        }

        /** Sets the difficulty. Default: {@value EvalQuestion#UNKNOWN_DIFFICULTY}; a blank one means that too. */
        public Builder difficulty(String difficulty) {
            String d = Objects.requireNonNull(difficulty, "difficulty == null").strip();
            this.difficulty = d.isEmpty() ? UNKNOWN_DIFFICULTY : d;
            return this;
        }

        /** Sets the tables the gold SQL reads. Default: none (parsed from the gold SQL when needed). */
        public Builder tables(List<String> tables) {
            this.tables = List.copyOf(Objects.requireNonNull(tables, "tables == null"));
            return this;
        }

        /** Returns the question. */
        public EvalQuestion build() {
            return new EvalQuestion(this);
        }

        private static String requireText(String value, String name) {
            Objects.requireNonNull(value, name + " == null");
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank but was '" + value + "'");
            }
            return value;
        }
    }
}
