package dev.pgagent.api.llm;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.LlmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Removes credentials from text that may reach an exception message or a log line: the client's own keys, and
 * anything that looks like a provider key ({@code sk-...}, {@code sk-ant-...}) or a bearer token, even partly
 * masked (providers echo keys in their 401 messages). Shared by the adapters. Immutable and thread-safe.
 */
@Experimental
public final class SecretScrubber {
    /** The mask written in place of a secret. */
    public static final String MASK = "****";

    /** OpenAI and Anthropic style keys ({@code sk-...}, {@code sk-proj-...}, {@code sk-ant-api03-...}). */
    private static final Pattern KEY_LIKE = Pattern.compile("\\bsk-[A-Za-z0-9_*\\-]{4,}");

    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[^\\s\"',;]+");

    private static final Pattern KEY_HEADER = Pattern.compile("(?i)((?:x-api-key|api-key)\\s*[:=]\\s*)[^\\s\"',;]+");

    private final List<String> secrets;

    private SecretScrubber(List<String> secrets) {
        this.secrets = secrets;
    }

    /** Returns a scrubber of {@code secrets} (null and empty ones are skipped) and of key-like text. */
    public static SecretScrubber of(@Nullable String... secrets) {
        List<String> kept = new ArrayList<>();
        if (secrets != null) {
            for (String s : secrets) {
                if (s != null && !s.isEmpty()) {
                    kept.add(s);
                }
            }
        }
        return new SecretScrubber(List.copyOf(kept));
    }

    /** Returns {@code text} without the secrets or key-like tokens. */
    public String scrub(String text) {
        String s = text;
        for (String secret : secrets) {
            s = s.replace(secret, MASK);
        }
        s = KEY_LIKE.matcher(s).replaceAll("sk-" + MASK);
        s = KEY_HEADER.matcher(s).replaceAll("$1" + MASK);
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

    /** Returns whether an HTTP header of this name carries a credential and must be masked when printed. */
    public static boolean isSecretHeader(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.equals("authorization")
                || n.contains("key")
                || n.contains("token")
                || n.contains("secret")
                || n.contains("cookie");
    }

    @Override
    public String toString() {
        return "SecretScrubber{secrets=" + secrets.size() + '}';
    }
}
