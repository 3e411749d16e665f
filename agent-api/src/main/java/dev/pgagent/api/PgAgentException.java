package dev.pgagent.api;

import org.jspecify.annotations.Nullable;

/**
 * Roots every exception pgagent throws. All of them are unchecked; subclasses are named by the decision a caller
 * makes when catching them. Messages never contain API keys, passwords or bound parameter values, and SQL text in
 * them is truncated.
 */
public abstract class PgAgentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message and an optional cause. */
    protected PgAgentException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /** Creates an exception with a message. */
    protected PgAgentException(String message) {
        super(message);
    }

    /**
     * Returns {@code text} cut to at most {@code max} characters, with an ellipsis when cut, for use in messages.
     *
     * @param text the text to shorten, may be null (rendered as {@code "null"})
     * @param max the maximum number of characters kept; must be at least 1
     */
    public static String abbreviate(@Nullable String text, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1 but was " + max);
        }
        if (text == null) {
            return "null";
        }
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max) + "...";
    }
}
