package dev.pgagent.api.llm;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The model's reply to one chat call.
 *
 * @param message what the model wrote: text, tool calls, or both
 * @param finishReason why it stopped
 * @param usage tokens counted by the provider; {@link TokenUsage#ZERO} when it reported none
 * @param model the model that answered, as the provider named it; null when not reported
 */
public record ChatResponse(
        AssistantMessage message,
        FinishReason finishReason,
        TokenUsage usage,
        @Nullable String model) {
    /** Validates the components. */
    public ChatResponse {
        Objects.requireNonNull(message, "message == null");
        Objects.requireNonNull(finishReason, "finishReason == null");
        Objects.requireNonNull(usage, "usage == null");
    }
}
