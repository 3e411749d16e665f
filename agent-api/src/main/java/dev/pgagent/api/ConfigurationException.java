package dev.pgagent.api;

import org.jspecify.annotations.Nullable;

/**
 * Reports configuration that cannot work: a missing model name, an unreadable policy file, a data source that
 * cannot be reached at start-up. Misuse of a builder method itself throws the JDK's
 * {@code NullPointerException}/{@code IllegalArgumentException} instead.
 */
public class ConfigurationException extends PgAgentException {
    private static final long serialVersionUID = 1L;

    /** Creates a configuration error. */
    public ConfigurationException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /** Creates a configuration error without a cause. */
    public ConfigurationException(String message) {
        super(message);
    }
}
