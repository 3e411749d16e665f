package dev.pgagent.api.llm;

import java.util.Objects;

/**
 * Instructions from the application to the model.
 *
 * @param text the instructions; not null
 */
public record SystemMessage(String text) implements ChatMessage {
    /** Validates the text. */
    public SystemMessage {
        Objects.requireNonNull(text, "text == null");
    }

    @Override
    public Role role() {
        return Role.SYSTEM;
    }
}
