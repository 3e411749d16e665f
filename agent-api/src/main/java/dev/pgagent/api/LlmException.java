package dev.pgagent.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * Reports a failed call to a language model. {@link #isRetryable()} tells whether repeating the same call may succeed
 * (rate limits, timeouts, server errors) or not (bad credentials, unknown model, malformed request).
 */
public class LlmException extends PgAgentException {
    private static final long serialVersionUID = 1L;

    /** Why the call failed, as far as the provider told. */
    public enum Reason {
        /** The credentials were refused (HTTP 401) or lack permission (HTTP 403). Not retryable. */
        AUTHENTICATION,
        /** The model or endpoint does not exist (HTTP 404). Not retryable. */
        NOT_FOUND,
        /** The provider rejected the request as malformed or too large (HTTP 400, 413, 422). Not retryable. */
        BAD_REQUEST,
        /** The provider asked to slow down (HTTP 429). Retryable. */
        RATE_LIMITED,
        /** The request timed out (HTTP 408 or a client-side timeout). Retryable. */
        TIMEOUT,
        /** A conflicting concurrent request (HTTP 409). Retryable. */
        CONFLICT,
        /** The provider failed (HTTP 5xx). Retryable. */
        SERVER_ERROR,
        /** The connection failed before a response arrived. Retryable. */
        NETWORK,
        /** A response arrived that could not be understood. Not retryable. */
        INVALID_RESPONSE,
        /** Anything else. */
        OTHER
    }

    private final Reason reason;
    private final boolean retryable;
    private final int statusCode;
    private final @Nullable Duration retryAfter;

    /**
     * Creates an LLM failure.
     *
     * @param message a description without secrets
     * @param reason the failure's category
     * @param retryable whether the same call may succeed when repeated
     * @param statusCode the HTTP status, or -1 when none was received
     * @param retryAfter the delay the provider asked for before a retry, or null
     * @param cause the underlying failure, or null
     */
    public LlmException(
            String message,
            Reason reason,
            boolean retryable,
            int statusCode,
            @Nullable Duration retryAfter,
            @Nullable Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason == null");
        this.retryable = retryable;
        this.statusCode = statusCode;
        this.retryAfter = retryAfter;
    }

    /** Creates a failure without an HTTP status. */
    public LlmException(String message, Reason reason, boolean retryable, @Nullable Throwable cause) {
        this(message, reason, retryable, -1, null, cause);
    }

    /** Returns the failure's category. */
    public Reason reason() {
        return reason;
    }

    /** Returns whether repeating the same call may succeed. */
    public boolean isRetryable() {
        return retryable;
    }

    /** Returns the HTTP status code, if a response was received. */
    public OptionalInt statusCode() {
        return statusCode < 0 ? OptionalInt.empty() : OptionalInt.of(statusCode);
    }

    /** Returns the delay the provider asked for before retrying ({@code Retry-After}), if it gave one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
