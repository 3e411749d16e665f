package dev.pgagent.api.llm;

import java.util.EnumSet;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Names a provider and its default model and says what they can do, so that the agent adapts (no parallel tool calls
 * where unsupported, streaming where possible, the schema in the prompt where the provider cannot constrain output).
 * Immutable and thread-safe.
 */
public final class ProviderInfo {
    /** What an {@link LlmClient} that says nothing reports: tools and parallel tool calls, nothing else. */
    public static final ProviderInfo UNKNOWN = builder("unknown", "unknown")
            .capabilities(Set.of(Capability.TOOLS, Capability.PARALLEL_TOOL_CALLS))
            .build();

    private final String name;
    private final String model;
    private final Set<Capability> capabilities;
    private final int contextWindow;

    private ProviderInfo(Builder b) {
        this.name = b.name;
        this.model = b.model;
        this.capabilities = Set.copyOf(b.capabilities);
        this.contextWindow = b.contextWindow;
    }

    /**
     * Returns a builder.
     *
     * @param name the provider, for example {@code openai} or {@code anthropic}
     * @param model the model calls use unless a request names another
     */
    public static Builder builder(String name, String model) {
        return new Builder(name, model);
    }

    /** Returns a builder initialised with this information. */
    public Builder toBuilder() {
        Builder b = new Builder(name, model);
        b.capabilities.addAll(capabilities);
        b.contextWindow = contextWindow;
        return b;
    }

    /** Returns the provider's name, for example {@code openai}. */
    public String name() {
        return name;
    }

    /** Returns the default model. */
    public String model() {
        return model;
    }

    /** Returns what the provider and model can do; unmodifiable. */
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /** Returns whether the provider can do {@code capability}. */
    public boolean supports(Capability capability) {
        return capabilities.contains(capability);
    }

    /** Returns the model's context window in tokens, when known. */
    public OptionalInt contextWindow() {
        return contextWindow > 0 ? OptionalInt.of(contextWindow) : OptionalInt.empty();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ProviderInfo other
                && name.equals(other.name)
                && model.equals(other.model)
                && capabilities.equals(other.capabilities)
                && contextWindow == other.contextWindow;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, model, capabilities, contextWindow);
    }

    @Override
    public String toString() {
        return "ProviderInfo{name=" + name + ", model=" + model + ", capabilities="
                + new java.util.TreeSet<>(capabilities) + (contextWindow > 0 ? ", contextWindow=" + contextWindow : "")
                + '}';
    }

    /** Builds {@link ProviderInfo}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final String model;
        private final Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
        private int contextWindow;

        private Builder(String name, String model) {
            this.name = nonBlank(name, "name");
            this.model = nonBlank(model, "model");
        }

        private static String nonBlank(String value, String what) {
            Objects.requireNonNull(value, what + " == null");
            if (value.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank but was '" + value + "'");
            }
            return value;
        }

        /** Replaces the capabilities. Default: none. */
        public Builder capabilities(Set<Capability> capabilities) {
            Objects.requireNonNull(capabilities, "capabilities == null");
            this.capabilities.clear();
            this.capabilities.addAll(capabilities);
            return this;
        }

        /** Adds or removes one capability. */
        public Builder capability(Capability capability, boolean supported) {
            Objects.requireNonNull(capability, "capability == null");
            if (supported) {
                capabilities.add(capability);
            } else {
                capabilities.remove(capability);
            }
            return this;
        }

        /** Sets the context window in tokens; 0 for unknown. Default: unknown. */
        public Builder contextWindow(int tokens) {
            if (tokens < 0) {
                throw new IllegalArgumentException("contextWindow must be >= 0 but was " + tokens);
            }
            this.contextWindow = tokens;
            return this;
        }

        /** Returns the information. */
        public ProviderInfo build() {
            return new ProviderInfo(this);
        }
    }
}
