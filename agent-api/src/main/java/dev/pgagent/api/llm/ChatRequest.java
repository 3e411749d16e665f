package dev.pgagent.api.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** One chat call: the conversation so far, the tools on offer and the model options. Immutable and thread-safe. */
public final class ChatRequest {
    private final List<ChatMessage> messages;
    private final List<ToolSpec> tools;
    private final ModelOptions options;
    private final @Nullable ResponseSchema responseSchema;

    private ChatRequest(Builder b) {
        this.messages = List.copyOf(b.messages);
        this.tools = List.copyOf(b.tools);
        this.options = b.options;
        this.responseSchema = b.responseSchema;
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder initialised with this request. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.messages.addAll(messages);
        b.tools.addAll(tools);
        b.options = options;
        b.responseSchema = responseSchema;
        return b;
    }

    /** Returns the messages, oldest first; never empty. */
    public List<ChatMessage> messages() {
        return messages;
    }

    /** Returns the tools the model may call; empty when none. */
    public List<ToolSpec> tools() {
        return tools;
    }

    /** Returns the generation options. */
    public ModelOptions options() {
        return options;
    }

    /** Returns the JSON Schema the reply must match, when the caller asked for structured output. */
    public Optional<ResponseSchema> responseSchema() {
        return Optional.ofNullable(responseSchema);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ChatRequest other
                && messages.equals(other.messages)
                && tools.equals(other.tools)
                && options.equals(other.options)
                && Objects.equals(responseSchema, other.responseSchema);
    }

    @Override
    public int hashCode() {
        return Objects.hash(messages, tools, options, responseSchema);
    }

    @Override
    public String toString() {
        return "ChatRequest{messages=" + messages.size() + ", tools=" + tools.size() + ", options=" + options
                + (responseSchema == null ? "" : ", responseSchema=" + responseSchema.name()) + '}';
    }

    /** Builds a {@link ChatRequest}. Not thread-safe. */
    public static final class Builder {
        private final List<ChatMessage> messages = new ArrayList<>();
        private final List<ToolSpec> tools = new ArrayList<>();
        private ModelOptions options = ModelOptions.DEFAULTS;
        private @Nullable ResponseSchema responseSchema;

        private Builder() {}

        /** Appends one message. */
        public Builder addMessage(ChatMessage message) {
            messages.add(Objects.requireNonNull(message, "message == null"));
            return this;
        }

        /** Replaces the messages. */
        public Builder messages(List<? extends ChatMessage> messages) {
            List<ChatMessage> copy = List.copyOf(Objects.requireNonNull(messages, "messages == null"));
            this.messages.clear();
            this.messages.addAll(copy);
            return this;
        }

        /** Appends one tool. */
        public Builder addTool(ToolSpec tool) {
            tools.add(Objects.requireNonNull(tool, "tool == null"));
            return this;
        }

        /** Replaces the tools. Default: none. */
        public Builder tools(List<ToolSpec> tools) {
            List<ToolSpec> copy = List.copyOf(Objects.requireNonNull(tools, "tools == null"));
            this.tools.clear();
            this.tools.addAll(copy);
            return this;
        }

        /** Sets the generation options. Default: {@link ModelOptions#DEFAULTS}. */
        public Builder options(ModelOptions options) {
            this.options = Objects.requireNonNull(options, "options == null");
            return this;
        }

        /**
         * Asks for a reply that is one JSON value matching {@code schema}; null for free text. The model may still
         * call tools first. Default: free text.
         */
        public Builder responseSchema(@Nullable ResponseSchema schema) {
            this.responseSchema = schema;
            return this;
        }

        /**
         * Returns the request.
         *
         * @throws IllegalStateException if there are no messages or two tools share a name
         */
        public ChatRequest build() {
            if (messages.isEmpty()) {
                throw new IllegalStateException("messages must not be empty");
            }
            long distinct = tools.stream().map(ToolSpec::name).distinct().count();
            if (distinct != tools.size()) {
                throw new IllegalStateException("tool names must be unique but were "
                        + tools.stream().map(ToolSpec::name).toList());
            }
            return new ChatRequest(this);
        }
    }
}
