package dev.pgagent.api.llm;

import java.util.Objects;

/**
 * A message from the person asking.
 *
 * @param text what the person wrote; not null
 */
public record UserMessage(String text) implements ChatMessage {
    /** Validates the text. */
    public UserMessage {
        Objects.requireNonNull(text, "text == null");
    }

    @Override
    public Role role() {
        return Role.USER;
    }
}
