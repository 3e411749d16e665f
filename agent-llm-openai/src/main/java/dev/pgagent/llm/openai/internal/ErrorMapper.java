package dev.pgagent.llm.openai.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
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
        Duration retryAfter = RetryPolicy.retryAfter(header, clock);
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
     * Maps an error event inside a stream ({@code data: {"error": {...}}}): the provider failed mid-reply, a
     * retryable {@link Reason#SERVER_ERROR}.
     */
    public static LlmException fromStreamError(JsonNode root, String target) {
        String message = providerMessage(root, root.toString());
        return new LlmException(
                "OpenAI chat stream failed (" + Reason.SERVER_ERROR + ") [" + target + "]: "
                        + PgAgentException.abbreviate(message, MAX_PROVIDER_MESSAGE),
                Reason.SERVER_ERROR,
                true,
                null);
    }

    /** Maps a stream that ended before the provider said the reply was complete: a retryable network failure. */
    public static LlmException truncated(String target) {
        return new LlmException(
                "OpenAI chat stream ended before the reply was complete [" + target + "]", Reason.NETWORK, true, null);
    }
}
