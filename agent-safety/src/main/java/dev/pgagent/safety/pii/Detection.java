package dev.pgagent.safety.pii;

import java.util.Objects;

/**
 * Personal data found in a text: its kind and where it is.
 *
 * @param kind what was found
 * @param start the index of its first character
 * @param end the index after its last character
 */
public record Detection(PiiKind kind, int start, int end) {
    /** Validates the span. */
    public Detection {
        Objects.requireNonNull(kind, "kind == null");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("span must be 0 <= start < end but was " + start + ".." + end);
        }
    }

    /** Returns the detected characters of {@code text}, the text this detection was made in. */
    public String in(String text) {
        return text.substring(start, end);
    }
}
