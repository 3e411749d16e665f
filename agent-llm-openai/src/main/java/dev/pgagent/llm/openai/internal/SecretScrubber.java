package dev.pgagent.llm.openai.internal;

import dev.pgagent.api.LlmException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Removes the API key, and anything that looks like one, from text that may reach a message or a log line. Providers
 * echo (partly masked) keys in 401 messages; those never pass through. Immutable and thread-safe.
 */
public final class SecretScrubber {
    /** OpenAI-style secret keys ({@code sk-...}, {@code sk-proj-...}), even partly masked. */
    private static final Pattern KEY_LIKE = Pattern.compile("\\bsk-[A-Za-z0-9_*\\-]{4,}");

    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[^\\s\"',;]+");

    /** The mask written in place of a secret. */
    public static final String MASK = "****";

    private final @Nullable String apiKey;

    /**
     * Creates a scrubber.
     *
     * @param apiKey the key to remove, or null when the client has none
     */
    public SecretScrubber(@Nullable String apiKey) {
        this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
    }

    /** Returns {@code text} without the key or key-like tokens. */
    public String scrub(String text) {
        String s = text;
        if (apiKey != null) {
            s = s.replace(apiKey, MASK);
        }
        s = KEY_LIKE.matcher(s).replaceAll("sk-" + MASK);
        return BEARER.matcher(s).replaceAll("$1" + MASK);
    }

    /** Returns {@code e}, or an equal exception with a scrubbed message when the message held a secret. */
    public LlmException scrub(LlmException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        String clean = scrub(message);
        if (clean.equals(message)) {
            return e;
        }
        LlmException copy = new LlmException(
                clean,
                e.reason(),
                e.isRetryable(),
                e.statusCode().orElse(-1),
                e.retryAfter().orElse(null),
                e.getCause());
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }
}
