package dev.pgagent.config;

import dev.pgagent.api.Experimental;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@code logging} section: how much pgagent's own log says and where it goes. The library itself only logs
 * through SLF4J; a client (such as {@code pg-agent}) applies this to its binding. Immutable and thread-safe.
 */
@Experimental
public final class LoggingConfig {
    /** Log levels. */
    public enum Level {
        /** Nothing. */
        OFF,
        /** Errors only. */
        ERROR,
        /** Warnings and errors. The default. */
        WARN,
        /** Lifecycle events too. */
        INFO,
        /** Each step too. */
        DEBUG,
        /** Payloads too, redacted. */
        TRACE
    }

    private final Level level;
    private final @Nullable Path file;

    LoggingConfig(Level level, @Nullable Path file) {
        this.level = level;
        this.file = file;
    }

    /** Returns the level. Default: {@link Level#WARN}. */
    public Level level() {
        return level;
    }

    /** Returns the log file; empty for standard error. Default: standard error. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    @Override
    public String toString() {
        return "LoggingConfig[level=" + level + ", file=" + (file == null ? "(stderr)" : file) + "]";
    }
}
