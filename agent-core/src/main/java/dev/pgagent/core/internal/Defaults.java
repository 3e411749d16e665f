package dev.pgagent.core.internal;

import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.context.SchemaContextBuilder;
import dev.pgagent.context.TokenCounter;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.db.postgres.SchemaModel;
import dev.pgagent.safety.JSqlParserSafetyValidator;
import dev.pgagent.safety.pii.PiiRedactor;

/** The default collaborators from the sibling modules: validator, redactor, token counter, schema summary. */
public final class Defaults {
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

    /** Returns a summariser over {@code db}'s schema, rebuilding its index only when the schema changes. */
    public static SchemaSummarizer schemaSummarizer(PostgresDatabase db) {
        return new SchemaSummarizer() {
            private @org.jspecify.annotations.Nullable SchemaModel cachedSchema;
            private @org.jspecify.annotations.Nullable SchemaContextBuilder cachedBuilder;

            @Override
            public String summarize(String question, int tokenBudget) {
                SchemaModel schema = db.schema();
                SchemaContextBuilder builder;
                synchronized (this) {
                    if (schema != cachedSchema || cachedBuilder == null) {
                        cachedBuilder = SchemaContextBuilder.of(schema);
                        cachedSchema = schema;
                    }
                    builder = cachedBuilder;
                }
                return builder.build(question, tokenBudget).text();
            }
        };
    }
}
