package dev.pgagent.core.internal;

import dev.pgagent.api.sql.QueryResult;

/** Hides personal data from what the model sees. */
public interface ResultRedactor {
    /** A redactor that changes nothing. */
    ResultRedactor NONE = new ResultRedactor() {
        @Override
        public QueryResult redact(QueryResult result) {
            return result;
        }

        @Override
        public String redactText(String text) {
            return text;
        }
    };

    /** Returns what the model may see of {@code result}. */
    QueryResult redact(QueryResult result);

    /** Returns what the model may see of {@code text}. */
    String redactText(String text);
}
