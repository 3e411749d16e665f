package dev.pgagent.core;

import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * One named database of an agent: its connection, a description the model is shown, and optionally its own safety
 * policy and validator (else the agent's). Immutable.
 *
 * <pre>{@code
 * PostgresAgent agent = PostgresAgent.builder()
 *     .llm(llm)
 *     .addDatabase(AgentDatabase.builder("sales").description("orders, customers, invoices").dataSource(salesPool)
 *         .build())
 *     .addDatabase(AgentDatabase.builder("hr").description("employees and payroll").dataSource(hrPool)
 *         .policy(SafetyPolicy.builder().deniedColumns("employees.salary").build()).build())
 *     .build();
 * }</pre>
 */
public final class AgentDatabase {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,62}");

    private final String name;
    private final String description;
    private final PostgresDatabase database;
    private final @Nullable SafetyPolicy policy;
    private final @Nullable SafetyValidator validator;

    private AgentDatabase(Builder b, PostgresDatabase database) {
        this.name = b.name;
        this.description = b.description;
        this.database = database;
        this.policy = b.policy;
        this.validator = b.validator;
    }

    /**
     * Returns a builder of a database named {@code name}.
     *
     * @throws IllegalArgumentException if the name is not a letter followed by up to 62 letters, digits, '_' or '-'
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Returns the name the model and the host use. */
    public String name() {
        return name;
    }

    /** Returns the description shown to the model; may be empty. */
    public String description() {
        return description;
    }

    /** Returns the database. */
    public PostgresDatabase database() {
        return database;
    }

    /** Returns its own policy, or null to use the agent's. */
    public @Nullable SafetyPolicy policy() {
        return policy;
    }

    /** Returns its own validator, or null for the default validator of its policy. */
    public @Nullable SafetyValidator validator() {
        return validator;
    }

    @Override
    public String toString() {
        return "AgentDatabase{name=" + name + ", db=" + database + (policy == null ? "" : ", policy=" + policy.level())
                + '}';
    }

    /** Builds an {@link AgentDatabase}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private String description = "";
        private @Nullable DataSource dataSource;
        private @Nullable PostgresDatabase database;
        private @Nullable SafetyPolicy policy;
        private @Nullable SafetyValidator validator;

        private Builder(String name) {
            Objects.requireNonNull(name, "name == null");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name must be a letter followed by up to 62 letters, digits, '_' "
                        + "or '-' but was '" + name + "'");
            }
            this.name = name;
        }

        /** Sets what the database holds, shown to the model. Default: empty. */
        public Builder description(String description) {
            this.description =
                    Objects.requireNonNull(description, "description == null").strip();
            return this;
        }

        /** Sets the connection by the host's data source. Required unless {@link #database} is set. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource == null");
            return this;
        }

        /** Sets the database. Required unless {@link #dataSource} is set. */
        public Builder database(PostgresDatabase database) {
            this.database = Objects.requireNonNull(database, "database == null");
            return this;
        }

        /** Sets this database's own policy. Default: the agent's policy. */
        public Builder policy(SafetyPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy == null");
            return this;
        }

        /** Sets this database's own validator. Default: {@code JSqlParserSafetyValidator.of(policy)}. */
        public Builder validator(SafetyValidator validator) {
            this.validator = Objects.requireNonNull(validator, "validator == null");
            return this;
        }

        /**
         * Returns the database.
         *
         * @throws IllegalStateException if neither or both of a data source and a database are set
         */
        public AgentDatabase build() {
            if ((dataSource == null) == (database == null)) {
                throw new IllegalStateException("exactly one of dataSource and database must be set for database '"
                        + name + "' but " + (dataSource == null ? "neither was" : "both were"));
            }
            PostgresDatabase db = database != null ? database : PostgresDatabase.of(Objects.requireNonNull(dataSource));
            return new AgentDatabase(this, db);
        }
    }
}
