package dev.pgagent.config.internal;

import dev.pgagent.api.safety.SafetyPolicy;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One key of the configuration file: its dotted path within its scope, type, default, documentation, the
 * environment variable that overrides it, and how the starter file shows it. Immutable.
 */
public final class KeyDef {
    /** How the starter file shows a key. */
    public enum Starter {
        /** Written with its default value, active. */
        ACTIVE,
        /** Written commented out, with its example or default. */
        COMMENTED
    }

    private final String path;
    private final ValueType type;
    private final @Nullable Object defaultValue;
    private final String defaultText;
    private final String doc;
    private final @Nullable String env;
    private final Starter starter;
    private final @Nullable String example;
    private final boolean secret;
    private final @Nullable BiConsumer<SafetyPolicy.Builder, Object> policy;

    private KeyDef(Builder b) {
        this.path = b.path;
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.defaultText =
                b.defaultText != null ? b.defaultText : b.defaultValue == null ? "none" : b.type.format(b.defaultValue);
        this.doc = Objects.requireNonNull(b.doc, "doc of " + b.path);
        this.env = b.env;
        this.starter = b.starter;
        this.example = b.example;
        this.secret = b.secret;
        this.policy = b.policy;
    }

    /** Starts the definition of the key at {@code path}. */
    public static Builder key(String path, ValueType type) {
        return new Builder(path, type);
    }

    /** Returns the dotted path within the key's scope, such as {@code agent.maxSteps} or {@code policy.level}. */
    public String path() {
        return path;
    }

    /** Returns the last part of the path. */
    public String name() {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    /** Returns the type. */
    public ValueType type() {
        return type;
    }

    /** Returns the default value, or null when unset by default. */
    public @Nullable Object defaultValue() {
        return defaultValue;
    }

    /** Returns the default as people read it ("none", "30s", "OpenAI's"). */
    public String defaultText() {
        return defaultText;
    }

    /** Returns the documentation: one or two sentences. */
    public String doc() {
        return doc;
    }

    /** Returns the environment variable that overrides the key, or null. */
    public @Nullable String env() {
        return env;
    }

    /** Returns how the starter file shows the key. */
    public Starter starter() {
        return starter;
    }

    /** Returns the value the starter file shows, or null for the default. */
    public @Nullable String example() {
        return example;
    }

    /** Returns whether the value is a secret (shown masked, never in clear text in the file). */
    public boolean secret() {
        return secret;
    }

    /** Returns how the key applies to a safety policy builder, or null for keys that are not policy keys. */
    public @Nullable BiConsumer<SafetyPolicy.Builder, Object> policy() {
        return policy;
    }

    /** Builds a {@link KeyDef}. */
    public static final class Builder {
        private final String path;
        private final ValueType type;
        private @Nullable Object defaultValue;
        private @Nullable String defaultText;
        private @Nullable String doc;
        private @Nullable String env;
        private Starter starter = Starter.COMMENTED;
        private @Nullable String example;
        private boolean secret;
        private @Nullable BiConsumer<SafetyPolicy.Builder, Object> policy;

        private Builder(String path, ValueType type) {
            this.path = path;
            this.type = type;
        }

        /** Sets the default value. */
        public Builder def(@Nullable Object value) {
            this.defaultValue = value;
            return this;
        }

        /** Sets how the default reads when it is not a plain value. */
        public Builder defText(String text) {
            this.defaultText = text;
            return this;
        }

        /** Sets the documentation. */
        public Builder doc(String doc) {
            this.doc = doc;
            return this;
        }

        /** Sets the overriding environment variable. */
        public Builder env(String env) {
            this.env = env;
            return this;
        }

        /** Writes the key active in the starter file. */
        public Builder active() {
            this.starter = Starter.ACTIVE;
            return this;
        }

        /** Sets the starter file's example value. */
        public Builder example(String example) {
            this.example = example;
            return this;
        }

        /** Marks the value as a secret. */
        public Builder secret() {
            this.secret = true;
            return this;
        }

        /** Sets how the key applies to a safety policy. */
        public Builder policy(BiConsumer<SafetyPolicy.Builder, Object> policy) {
            this.policy = policy;
            return this;
        }

        /** Returns the definition. */
        public KeyDef build() {
            return new KeyDef(this);
        }
    }
}
