package dev.pgagent.core.internal;

import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.ValueSampler;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.context.SchemaContextBuilder;
import dev.pgagent.context.TokenCounter;
import dev.pgagent.db.postgres.ExecutionLimits;
import dev.pgagent.db.postgres.PgValueSampler;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.safety.JSqlParserSafetyValidator;
import dev.pgagent.safety.pii.PiiRedactor;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** The default collaborators from the sibling modules: validator, redactor, token counter, schema summary. */
public final class Defaults {
    private static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(2);

    private Defaults() {}

    /** Returns the validator enforcing {@code policy}. */
    public static SafetyValidator validator(SafetyPolicy policy) {
        return JSqlParserSafetyValidator.of(policy);
    }

    /** Returns the redactor of {@code policy}. */
    public static ResultRedactor redactor(SafetyPolicy policy) {
        PiiRedactor pii = PiiRedactor.of(policy);
        return new ResultRedactor() {
            @Override
            public QueryResult redact(QueryResult result) {
                return pii.redact(result);
            }

            @Override
            public String redactText(String text) {
                return pii.redactText(text);
            }
        };
    }

    /** Returns the token counter of agent-context. */
    public static TextTokenCounter tokenCounter() {
        TokenCounter counter = TokenCounter.defaultCounter();
        return counter::count;
    }

    /**
     * Returns a summariser over {@code db}'s schema, rebuilding its index only when the schema changes. With a policy,
     * the summary grounds values: it samples the columns the policy lets the model read, under the policy's limits
     * and role (a statement timeout of at most 2 s), and keeps only samples the policy's redactor leaves unchanged.
     */
    public static SchemaSummarizer schemaSummarizer(PostgresDatabase db, @Nullable SafetyPolicy groundingPolicy) {
        return schemaSummarizer(db, groundingPolicy, null);
    }

    /**
     * Returns a summariser whose value sampling, when {@code gateway} is given, runs every statement through it (the
     * agent's guarded path: validated, plan-checked, audited as caller {@code value-sampler}).
     */
    public static SchemaSummarizer schemaSummarizer(
            PostgresDatabase db, @Nullable SafetyPolicy groundingPolicy, @Nullable SqlGateway gateway) {
        return new SchemaSummarizer() {
            private @Nullable SchemaModel cachedSchema;
            private @Nullable SchemaContextBuilder cachedBuilder;

            @Override
            public String summarize(String question, int tokenBudget) {
                SchemaModel schema = db.schema();
                SchemaContextBuilder builder;
                synchronized (this) {
                    if (schema != cachedSchema || cachedBuilder == null) {
                        cachedBuilder = contextBuilder(db, schema, groundingPolicy, gateway);
                        cachedSchema = schema;
                    }
                    builder = cachedBuilder;
                }
                return builder.build(question, tokenBudget).text();
            }
        };
    }

    /** Returns a context builder over {@code schema}, grounding values under {@code groundingPolicy} if not null. */
    public static SchemaContextBuilder contextBuilder(
            PostgresDatabase db, SchemaModel schema, @Nullable SafetyPolicy groundingPolicy) {
        return contextBuilder(db, schema, groundingPolicy, null);
    }

    /** Returns a context builder whose sampling goes through {@code gateway} when it is given. */
    public static SchemaContextBuilder contextBuilder(
            PostgresDatabase db,
            SchemaModel schema,
            @Nullable SafetyPolicy groundingPolicy,
            @Nullable SqlGateway gateway) {
        return SchemaContextBuilder.builder()
                .schema(schema)
                .valueSampler(
                        groundingPolicy == null
                                ? ValueSampler.NONE
                                : gateway != null
                                        ? guardedSampler(gateway, groundingPolicy)
                                        : sampler(db, groundingPolicy))
                .build();
    }

    /**
     * A fresh sampler over the guarded path: the guard decides what may be read (a denied column's sample is refused
     * and audited there); the policy's redactor still keeps values it would change out of the prompt.
     */
    static ValueSampler guardedSampler(SqlGateway gateway, SafetyPolicy policy) {
        return new PolicySampler(PgValueSampler.of(gateway), policy, redactor(policy), false);
    }

    /** Returns the guarded path of database {@code name} for value sampling, resolved when first used. */
    public static SqlGateway samplingGateway(java.util.function.Supplier<AgentEngine> engine, String name) {
        return new SqlGateway() {
            private HostCalls calls() {
                AgentEngine e = java.util.Objects.requireNonNull(engine.get(), "the agent is not built yet");
                return e.hostCalls("value-sampler").statementTimeoutCap(SAMPLE_TIMEOUT);
            }

            @Override
            public dev.pgagent.api.sql.StatementOutcome execute(String sql) {
                return calls().statement(name, ctx -> ctx.sql().execute(sql));
            }

            @Override
            public dev.pgagent.api.sql.StatementOutcome explain(String sql) {
                return calls().statement(name, ctx -> ctx.sql().explain(sql));
            }

            @Override
            public dev.pgagent.api.safety.Verdict check(String sql) {
                return calls().check(name, sql);
            }
        };
    }

    /** A fresh sampler (its cache lives as long as one schema version) that keeps to {@code policy}. */
    static ValueSampler sampler(PostgresDatabase db, SafetyPolicy policy) {
        ExecutionLimits limits = ExecutionLimits.from(policy);
        if (limits.statementTimeout().compareTo(SAMPLE_TIMEOUT) > 0) {
            limits = limits.withStatementTimeout(SAMPLE_TIMEOUT);
        }
        PgValueSampler pg = PgValueSampler.builder().database(db).limits(limits).build();
        return new PolicySampler(pg, policy, redactor(policy), true);
    }
}
