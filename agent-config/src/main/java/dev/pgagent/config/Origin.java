package dev.pgagent.config;

import dev.pgagent.api.Experimental;
import java.util.Objects;

/**
 * Says where a setting came from: a built-in default, a place in the configuration file, an environment variable,
 * or an explicit override by the host (a command-line flag, a builder call). {@link #toString()} renders it as
 * {@code default}, {@code pgagent.yaml:12:5}, {@code env PGAGENT_MODEL} or the override's label (for example
 * {@code flag --model}). Immutable.
 *
 * @param kind what kind of source
 * @param name the file, the variable or the override's label; empty for a default
 * @param line the line in the file, from 1; 0 unless {@code kind} is {@link Kind#FILE}
 * @param column the column in the file, from 1; 0 unless {@code kind} is {@link Kind#FILE}
 */
@Experimental
public record Origin(Kind kind, String name, int line, int column) implements java.io.Serializable {
    private static final Origin DEFAULT = new Origin(Kind.DEFAULT, "", 0, 0);

    /** The kinds of source, in the order they override each other (later wins). */
    public enum Kind {
        /** The library's built-in default. */
        DEFAULT,
        /** The configuration file. */
        FILE,
        /** An environment variable. */
        ENVIRONMENT,
        /** An explicit override by the host: a command-line flag or a builder call. */
        OVERRIDE
    }

    /** Checks the components. */
    public Origin {
        Objects.requireNonNull(kind, "kind == null");
        Objects.requireNonNull(name, "name == null");
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column must be >= 0 but were " + line + ", " + column);
        }
    }

    /** Returns the origin of built-in defaults. */
    public static Origin builtIn() {
        return DEFAULT;
    }

    /** Returns a place in a file. */
    public static Origin file(String file, int line, int column) {
        return new Origin(Kind.FILE, file, line, column);
    }

    /** Returns an environment variable. */
    public static Origin env(String variable) {
        return new Origin(Kind.ENVIRONMENT, variable, 0, 0);
    }

    /** Returns a host override labelled {@code label} (for example {@code flag --model}). */
    public static Origin override(String label) {
        return new Origin(Kind.OVERRIDE, label, 0, 0);
    }

    /** Renders the origin: {@code default}, {@code file:line:column}, {@code env NAME}, or the override's label. */
    @Override
    public String toString() {
        return switch (kind) {
            case DEFAULT -> "default";
            case FILE -> line == 0 ? name : name + ":" + line + ":" + column;
            case ENVIRONMENT -> "env " + name;
            case OVERRIDE -> name;
        };
    }
}
