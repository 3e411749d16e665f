package dev.pgagent.llm.openai.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.LlmException.Reason;
import dev.pgagent.api.PgAgentException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Maps HTTP failures and I/O errors to {@link LlmException}. Stateless and thread-safe. */
public final class ErrorMapper {
    /** The longest provider message kept in an exception message. */
    public static final int MAX_PROVIDER_MESSAGE = 300;

    private ErrorMapper() {}

    /**
     * Maps an unsuccessful HTTP response.
     *
     * @param status the HTTP status, not 2xx
     * @param body the response body, possibly empty
     * @param header looks up a response header by name, null when absent
     * @param clock the clock for {@code Retry-After} dates
     * @param target what was called, for the message (no query string, no credentials)
     */
    public static LlmException fromResponse(
            int status, String body, Function<String, @Nullable String> header, Clock clock, String target) {
        JsonNode error = parse(body);
        String providerMessage = providerMessage(error, body);
        String code = providerCode(error);
        Reason reason;
        boolean retryable;
        String summary;
        switch (status) {
            case 400, 413, 422 -> {
                reason = Reason.BAD_REQUEST;
                retryable = false;
                summary = status == 413 ? "request too large" : "bad request";
            }
            case 401 -> {
                reason = Reason.AUTHENTICATION;
                retryable = false;
                summary = "authentication failed (check the API key)";
            }
            case 403 -> {
                reason = Reason.AUTHENTICATION;
                retryable = false;
                summary = "permission denied";
            }
            case 404 -> {
                reason = Reason.NOT_FOUND;
                retryable = false;
                summary = "unknown model or endpoint";
            }
            case 408 -> {
                reason = Reason.TIMEOUT;
                retryable = true;
                summary = "request timed out at the provider";
            }
            case 409 -> {
                reason = Reason.CONFLICT;
                retryable = true;
                summary = "conflict";
            }
            case 429 -> {
                reason = Reason.RATE_LIMITED;
                // Retrying cannot help when the account has no quota left, only when the rate is too high.
                retryable = !"insufficient_quota".equals(code);
                summary = retryable ? "rate limited" : "quota exhausted";
            }
            default -> {
                if (status >= 500 && status <= 599) {
                    reason = Reason.SERVER_ERROR;
                    retryable = true;
                    summary = "provider error";
                } else {
                    reason = Reason.OTHER;
                    retryable = false;
                    summary = "unexpected status";
                }
            }
        }
        StringBuilder message = new StringBuilder("OpenAI chat call failed with HTTP ")
                .append(status)
                .append(" (")
                .append(reason)
                .append("): ")
                .append(summary)
                .append(" [")
                .append(target)
                .append(']');
        if (!providerMessage.isEmpty()) {
            message.append(": ").append(PgAgentException.abbreviate(providerMessage, MAX_PROVIDER_MESSAGE));
        }
        Duration retryAfter = retryAfter(header, clock);
        return new LlmException(message.toString(), reason, retryable, status, retryAfter, null);
    }

    /**
     * Maps an I/O failure: timeouts to {@link Reason#TIMEOUT}, everything else to {@link Reason#NETWORK}; both
     * retryable.
     */
    public static LlmException fromIoException(IOException e, String target) {
        boolean timeout = e instanceof SocketTimeoutException
                || (e instanceof InterruptedIOException && "timeout".equalsIgnoreCase(e.getMessage()));
        Reason reason = timeout ? Reason.TIMEOUT : Reason.NETWORK;
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new LlmException(
                "OpenAI chat call failed (" + reason + ") [" + target + "]: "
                        + PgAgentException.abbreviate(detail, MAX_PROVIDER_MESSAGE),
                reason,
                true,
                e);
    }

    private static @Nullable JsonNode parse(String body) {
        if (body.isBlank()) {
            return null;
        }
        try {
            return ChatMapper.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Finds the message in OpenAI ({@code error.message}), Ollama ({@code error}) and vLLM ({@code message}). */
    private static String providerMessage(@Nullable JsonNode root, String body) {
        if (root == null || !root.isObject()) {
            return body.strip();
        }
        JsonNode error = root.get("error");
        if (error != null && error.isObject() && error.path("message").isValueNode()) {
            return error.path("message").asText();
        }
        if (error != null && error.isTextual()) {
            return error.asText();
        }
        if (root.path("message").isTextual()) {
            return root.path("message").asText();
        }
        if (root.path("detail").isTextual()) {
            return root.path("detail").asText();
        }
        return body.strip();
    }

    private static @Nullable String providerCode(@Nullable JsonNode root) {
        if (root == null) {
            return null;
        }
        JsonNode error = root.path("error");
        for (String field : new String[] {"code", "type"}) {
            JsonNode n = error.path(field);
            if (n.isTextual()) {
                return n.asText();
            }
        }
        return null;
    }

    /**
     * Reads the delay a provider asked for: {@code retry-after-ms} (milliseconds), else {@code Retry-After} as
     * seconds or as an HTTP date. Returns null when absent or unreadable; never negative.
     */
    public static @Nullable Duration retryAfter(Function<String, @Nullable String> header, Clock clock) {
        String ms = header.apply("retry-after-ms");
        if (ms != null) {
            Duration d = number(ms, 1);
            if (d != null) {
                return d;
            }
        }
        String value = header.apply("Retry-After");
        if (value == null || value.isBlank()) {
            return null;
        }
        Duration seconds = number(value, 1000);
        if (seconds != null) {
            return seconds;
        }
        try {
            Instant at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            Duration d = Duration.between(clock.instant(), at);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static @Nullable Duration number(String value, long millisPerUnit) {
        try {
            double v = Double.parseDouble(value.strip().toLowerCase(Locale.ROOT));
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                return null;
            }
            return Duration.ofMillis(Math.max(0, Math.round(v * millisPerUnit)));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
