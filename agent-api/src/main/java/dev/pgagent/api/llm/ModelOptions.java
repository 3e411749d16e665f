package dev.pgagent.api.llm;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Generation options for one chat call. Every option is optional: an unset option is not sent, and the provider's
 * default applies. Immutable and thread-safe.
 */
public final class ModelOptions {
    /** Options with nothing set. */
    public static final ModelOptions DEFAULTS = builder().build();

    private final @Nullable String model;
    private final @Nullable Double temperature;
    private final @Nullable Double topP;
    private final @Nullable Integer maxTokens;
    private final @Nullable Long seed;
    private final @Nullable Boolean parallelToolCalls;
    private final @Nullable ToolChoice toolChoice;
    private final List<String> stop;
    private final @Nullable ReasoningEffort reasoningEffort;

    private ModelOptions(Builder b) {
        this.model = b.model;
        this.temperature = b.temperature;
        this.topP = b.topP;
        this.maxTokens = b.maxTokens;
        this.seed = b.seed;
        this.parallelToolCalls = b.parallelToolCalls;
        this.toolChoice = b.toolChoice;
        this.stop = List.copyOf(b.stop);
        this.reasoningEffort = b.reasoningEffort;
    }

    /** Returns a new builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder initialised with these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.model = model;
        b.temperature = temperature;
        b.topP = topP;
        b.maxTokens = maxTokens;
        b.seed = seed;
        b.parallelToolCalls = parallelToolCalls;
        b.toolChoice = toolChoice;
        b.stop = List.copyOf(stop);
        b.reasoningEffort = reasoningEffort;
        return b;
    }

    /** Returns the model that overrides the client's default for this call. */
    public Optional<String> model() {
        return Optional.ofNullable(model);
    }

    /** Returns the sampling temperature. */
    public Optional<Double> temperature() {
        return Optional.ofNullable(temperature);
    }

    /** Returns the nucleus sampling mass. */
    public Optional<Double> topP() {
        return Optional.ofNullable(topP);
    }

    /** Returns the maximum number of tokens the model may write. */
    public Optional<Integer> maxTokens() {
        return Optional.ofNullable(maxTokens);
    }

    /** Returns the sampling seed. */
    public Optional<Long> seed() {
        return Optional.ofNullable(seed);
    }

    /** Returns whether the model may request several tool calls in one turn. */
    public Optional<Boolean> parallelToolCalls() {
        return Optional.ofNullable(parallelToolCalls);
    }

    /** Returns whether the model may, must or must not call tools. */
    public Optional<ToolChoice> toolChoice() {
        return Optional.ofNullable(toolChoice);
    }

    /** Returns the stop sequences; empty when none. */
    public List<String> stop() {
        return stop;
    }

    /** Returns how hard a reasoning model should think; ignored by models that do not reason. */
    public Optional<ReasoningEffort> reasoningEffort() {
        return Optional.ofNullable(reasoningEffort);
    }

    /**
     * Returns {@code defaults} overlaid with every option {@code overrides} sets: what a client does with its default
     * options and a request's.
     */
    public static ModelOptions merge(ModelOptions defaults, ModelOptions overrides) {
        Objects.requireNonNull(defaults, "defaults == null");
        Objects.requireNonNull(overrides, "overrides == null");
        if (defaults.equals(DEFAULTS)) {
            return overrides;
        }
        Builder b = defaults.toBuilder();
        overrides.model().ifPresent(b::model);
        overrides.temperature().ifPresent(b::temperature);
        overrides.topP().ifPresent(b::topP);
        overrides.maxTokens().ifPresent(b::maxTokens);
        overrides.seed().ifPresent(b::seed);
        overrides.parallelToolCalls().ifPresent(b::parallelToolCalls);
        overrides.toolChoice().ifPresent(b::toolChoice);
        overrides.reasoningEffort().ifPresent(b::reasoningEffort);
        if (!overrides.stop().isEmpty()) {
            b.stop(overrides.stop());
        }
        return b.build();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ModelOptions other
                && Objects.equals(model, other.model)
                && Objects.equals(temperature, other.temperature)
                && Objects.equals(topP, other.topP)
                && Objects.equals(maxTokens, other.maxTokens)
                && Objects.equals(seed, other.seed)
                && Objects.equals(parallelToolCalls, other.parallelToolCalls)
                && toolChoice == other.toolChoice
                && stop.equals(other.stop)
                && reasoningEffort == other.reasoningEffort;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                model, temperature, topP, maxTokens, seed, parallelToolCalls, toolChoice, stop, reasoningEffort);
    }

    @Override
    public String toString() {
        return "ModelOptions{model=" + model + ", temperature=" + temperature + ", topP=" + topP + ", maxTokens="
                + maxTokens + ", seed=" + seed + ", parallelToolCalls=" + parallelToolCalls + ", toolChoice="
                + toolChoice + ", stop=" + stop
                + (reasoningEffort == null ? "" : ", reasoningEffort=" + reasoningEffort) + '}';
    }

    /** Builds {@link ModelOptions}. Not thread-safe. */
    public static final class Builder {
        private @Nullable String model;
        private @Nullable Double temperature;
        private @Nullable Double topP;
        private @Nullable Integer maxTokens;
        private @Nullable Long seed;
        private @Nullable Boolean parallelToolCalls;
        private @Nullable ToolChoice toolChoice;
        private List<String> stop = List.of();
        private @Nullable ReasoningEffort reasoningEffort;

        private Builder() {}

        /** Sets the model for this call, overriding the client's default. Default: unset. */
        public Builder model(@Nullable String model) {
            if (model != null && model.isBlank()) {
                throw new IllegalArgumentException("model must not be blank but was '" + model + "'");
            }
            this.model = model;
            return this;
        }

        /** Sets the sampling temperature, 0 to 2. Default: unset (provider default). */
        public Builder temperature(@Nullable Double temperature) {
            if (temperature != null && (temperature < 0 || temperature > 2 || temperature.isNaN())) {
                throw new IllegalArgumentException("temperature must be in [0, 2] but was " + temperature);
            }
            this.temperature = temperature;
            return this;
        }

        /** Sets nucleus sampling, in (0, 1]. Default: unset. */
        public Builder topP(@Nullable Double topP) {
            if (topP != null && (topP <= 0 || topP > 1 || topP.isNaN())) {
                throw new IllegalArgumentException("topP must be in (0, 1] but was " + topP);
            }
            this.topP = topP;
            return this;
        }

        /** Sets the maximum number of output tokens; at least 1. Default: unset. */
        public Builder maxTokens(@Nullable Integer maxTokens) {
            if (maxTokens != null && maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1 but was " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /** Sets the sampling seed. Default: unset. */
        public Builder seed(@Nullable Long seed) {
            this.seed = seed;
            return this;
        }

        /** Sets whether several tool calls may come in one turn. Default: unset (providers allow it). */
        public Builder parallelToolCalls(@Nullable Boolean parallelToolCalls) {
            this.parallelToolCalls = parallelToolCalls;
            return this;
        }

        /** Sets whether tools may, must or must not be called. Default: unset (AUTO). */
        public Builder toolChoice(@Nullable ToolChoice toolChoice) {
            this.toolChoice = toolChoice;
            return this;
        }

        /** Sets the stop sequences. Default: none. */
        public Builder stop(List<String> stop) {
            this.stop = List.copyOf(Objects.requireNonNull(stop, "stop == null"));
            return this;
        }

        /**
         * Sets how hard a reasoning model thinks (OpenAI's {@code reasoning_effort}; Anthropic's thinking budget).
         * Default: unset (the model's default; no extended thinking for Anthropic).
         */
        public Builder reasoningEffort(@Nullable ReasoningEffort reasoningEffort) {
            this.reasoningEffort = reasoningEffort;
            return this;
        }

        /** Returns the options. */
        public ModelOptions build() {
            return new ModelOptions(this);
        }
    }
}
