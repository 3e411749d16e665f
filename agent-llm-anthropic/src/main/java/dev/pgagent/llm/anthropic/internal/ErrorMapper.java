package dev.pgagent.llm.anthropic.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.LlmException.Reason;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.llm.RetryPolicy;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Maps Anthropic's HTTP failures ({@code {"type":"error","error":{"type":...,"message":...}}}), error events inside a
 * stream and I/O errors to {@link LlmException}. 429 and 529 (overloaded) are retryable, as are 408, 409 and 5xx.
 * Stateless and thread-safe.
 */
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
     * @param target what was called, for the message (no credentials)
     */
    public static LlmException fromResponse(
            int status, String body, Function<String, @Nullable String> header, Clock clock, String target) {
        JsonNode root = Json.parseOrNull(body);
        String type = root == null ? null : Json.textOrNull(root.path("error").get("type"));
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
                retryable = true;
                summary = "rate limited";
            }
            case 529 -> {
                reason = Reason.SERVER_ERROR;
                retryable = true;
                summary = "overloaded";
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
        StringBuilder message = new StringBuilder("Anthropic messages call failed with HTTP ")
                .append(status)
                .append(" (")
                .append(reason)
                .append("): ")
                .append(summary)
                .append(" [")
                .append(target)
                .append(']');
        String providerMessage = providerMessage(root, body);
        if (type != null) {
            message.append(": ").append(type);
        }
        if (!providerMessage.isEmpty()) {
            message.append(type != null ? " - " : ": ")
                    .append(PgAgentException.abbreviate(providerMessage, MAX_PROVIDER_MESSAGE));
        }
        Duration retryAfter = RetryPolicy.retryAfter(header, clock);
        return new LlmException(message.toString(), reason, retryable, status, retryAfter, null);
    }

    /**
     * Maps an {@code error} event inside a stream: {@code overloaded_error} and {@code api_error} are retryable
     * server errors, {@code rate_limit_error} a retryable rate limit, anything else not retryable.
     */
    public static LlmException fromStreamError(JsonNode root, String target) {
        String type = Json.textOrNull(root.path("error").get("type"));
        String message = providerMessage(root, root.toString());
        Reason reason;
        boolean retryable;
        if ("rate_limit_error".equals(type)) {
            reason = Reason.RATE_LIMITED;
            retryable = true;
        } else if ("overloaded_error".equals(type) || "api_error".equals(type) || type == null) {
            reason = Reason.SERVER_ERROR;
            retryable = true;
        } else {
            reason = Reason.OTHER;
            retryable = false;
        }
        return new LlmException(
                "Anthropic messages stream failed (" + reason + ") [" + target + "]: "
                        + (type == null ? "" : type + " - ")
                        + PgAgentException.abbreviate(message, MAX_PROVIDER_MESSAGE),
                reason,
                retryable,
                null);
    }

    /** Maps a stream that ended before {@code message_stop}: a retryable network failure. */
    public static LlmException truncated(String target) {
        return new LlmException(
                "Anthropic messages stream ended before the reply was complete [" + target + "]",
                Reason.NETWORK,
                true,
                null);
    }

    /** Maps an I/O failure: timeouts to {@link Reason#TIMEOUT}, everything else to {@link Reason#NETWORK}. */
    public static LlmException fromIoException(IOException e, String target) {
        boolean timeout = e instanceof SocketTimeoutException
                || (e instanceof InterruptedIOException && "timeout".equalsIgnoreCase(e.getMessage()));
        Reason reason = timeout ? Reason.TIMEOUT : Reason.NETWORK;
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new LlmException(
                "Anthropic messages call failed (" + reason + ") [" + target + "]: "
                        + PgAgentException.abbreviate(detail, MAX_PROVIDER_MESSAGE),
                reason,
                true,
                e);
    }

    private static String providerMessage(@Nullable JsonNode root, String body) {
        if (root == null || !root.isObject()) {
            return body.strip();
        }
        JsonNode error = root.get("error");
        if (error != null && error.isObject() && error.path("message").isValueNode()) {
            return error.path("message").asText();
        }
        if (root.path("message").isTextual()) {
            return root.path("message").asText();
        }
        return body.strip();
    }
}
