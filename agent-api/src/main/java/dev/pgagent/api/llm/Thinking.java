package dev.pgagent.api.llm;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A block of the model's reasoning that the provider wants sent back, unchanged, with the rest of the assistant turn
 * (Anthropic's extended thinking requires it while tools are being called). pgagent never shows it to the model in
 * any other way and never edits it.
 *
 * @param text the reasoning text, or for a redacted block the provider's opaque data
 * @param signature the provider's signature of the block, or null when it gave none
 * @param redacted whether the provider withheld the text ({@code text} then holds encrypted data)
 */
public record Thinking(String text, @Nullable String signature, boolean redacted) {
    /** Validates the components. */
    public Thinking {
        Objects.requireNonNull(text, "text == null");
    }

    /** Hides the text, which may be long and is not meant for logs. */
    @Override
    public String toString() {
        return "Thinking{chars=" + text.length() + ", signed=" + (signature != null) + ", redacted=" + redacted + '}';
    }
}
