package dev.pgagent.config;

import dev.pgagent.api.Experimental;
import java.util.Objects;

/**
 * Holds a password or an API key with the description of where it came from. {@link #toString()} never shows the
 * value, only a mask and the source ({@code ****** (env PGPASSWORD_SALES)}), so a secret that ends up in a log line,
 * an exception message or {@code config show} output stays hidden; only {@link #reveal()} gives the value, to hand
 * to a driver or an HTTP client. Two secrets are equal only when they are the same object. Immutable.
 */
@Experimental
public final class Secret {
    private final String value;
    private final String source;

    private Secret(String value, String source) {
        this.value = value;
        this.source = source;
    }

    /**
     * Returns a secret.
     *
     * @param value the password or key; not empty
     * @param source where it came from, for people ({@code env PGPASSWORD}, {@code file /run/secrets/db},
     *     {@code ~/.pgpass line 3}); must not contain the value
     * @throws IllegalArgumentException if {@code value} is empty
     */
    public static Secret of(String value, String source) {
        Objects.requireNonNull(value, "value == null");
        Objects.requireNonNull(source, "source == null");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("value must not be empty but was empty (from " + source + ")");
        }
        return new Secret(value, source);
    }

    /** Returns the value. Hand it to the driver or client that needs it; never print or log it. */
    public String reveal() {
        return value;
    }

    /** Returns where the value came from, for people; never contains the value. */
    public String source() {
        return source;
    }

    /** Returns {@code ****** (<source>)}; never the value. */
    @Override
    public String toString() {
        return "****** (" + source + ")";
    }
}
