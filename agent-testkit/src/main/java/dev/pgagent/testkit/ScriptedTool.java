package dev.pgagent.testkit;

import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolContext;
import dev.pgagent.api.tool.ToolResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Tool} whose results are scripted, and which records every call it receives (arguments, session and ask).
 * Each call takes the next scripted result; when the script is empty the {@linkplain Builder#otherwise fallback}
 * answers, and without one the call throws {@link IllegalStateException} (which an agent reports to the model as
 * an error). Thread-safe.
 *
 * <pre>{@code
 * ScriptedTool weather = ScriptedTool.builder("get_weather")
 *     .description("Returns the weather of a city.")
 *     .parametersSchema("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}")
 *     .thenReturn(ToolResult.of("sunny"))
 *     .otherwise((args, ctx) -> ToolResult.error("no more weather"))
 *     .build();
 * }</pre>
 */
public final class ScriptedTool implements Tool {
    /** One call the tool received. */
    public record Call(ToolArguments arguments, String sessionId, String askId, String threadName) {}

    private final ToolSpec spec;
    private final Deque<BiFunction<ToolArguments, ToolContext, ToolResult>> script;
    private final @Nullable BiFunction<ToolArguments, ToolContext, ToolResult> otherwise;
    private final List<Call> calls = new ArrayList<>();

    private ScriptedTool(Builder b) {
        this.spec = new ToolSpec(b.name, b.description, b.parametersSchema);
        this.script = new ArrayDeque<>(b.script);
        this.otherwise = b.otherwise;
    }

    /** Returns a builder for a tool named {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Returns a tool named {@code name} that returns {@code content} on every call. */
    public static ScriptedTool returning(String name, String content) {
        return builder(name).otherwise((args, ctx) -> ToolResult.of(content)).build();
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    @Override
    public ToolResult execute(ToolArguments arguments, ToolContext context) {
        BiFunction<ToolArguments, ToolContext, ToolResult> next;
        int number;
        synchronized (this) {
            calls.add(new Call(
                    arguments,
                    context.sessionId(),
                    context.askId(),
                    Thread.currentThread().getName()));
            number = calls.size();
            next = script.pollFirst();
        }
        if (next == null) {
            next = otherwise;
        }
        if (next == null) {
            throw new IllegalStateException(
                    "ScriptedTool " + spec.name() + " has no scripted result for call #" + number);
        }
        return next.apply(arguments, context);
    }

    /** Returns a copy of the calls received so far, oldest first. */
    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Returns the number of calls received so far. */
    public synchronized int callCount() {
        return calls.size();
    }

    @Override
    public String toString() {
        return "ScriptedTool[" + spec.name() + "]";
    }

    /** Builds a {@link ScriptedTool}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private String description = "A scripted test tool.";
        private String parametersSchema = ToolSpec.NO_PARAMETERS;
        private final List<BiFunction<ToolArguments, ToolContext, ToolResult>> script = new ArrayList<>();
        private @Nullable BiFunction<ToolArguments, ToolContext, ToolResult> otherwise;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name == null");
        }

        /** Sets the description shown to the model. Default: "A scripted test tool.". */
        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description == null");
            return this;
        }

        /** Sets the JSON schema of the parameters. Default: {@link ToolSpec#NO_PARAMETERS}. */
        public Builder parametersSchema(String parametersSchema) {
            this.parametersSchema = Objects.requireNonNull(parametersSchema, "parametersSchema == null");
            return this;
        }

        /** Appends a fixed result to the script. */
        public Builder thenReturn(ToolResult result) {
            Objects.requireNonNull(result, "result == null");
            script.add((args, ctx) -> result);
            return this;
        }

        /** Appends a result computed from the call (it may use {@link ToolContext#sql()}, block or throw). */
        public Builder thenAnswer(BiFunction<ToolArguments, ToolContext, ToolResult> answer) {
            script.add(Objects.requireNonNull(answer, "answer == null"));
            return this;
        }

        /** Appends a call that throws {@code failure}. */
        public Builder thenThrow(RuntimeException failure) {
            Objects.requireNonNull(failure, "failure == null");
            script.add((args, ctx) -> {
                throw failure;
            });
            return this;
        }

        /** Sets the answer used once the script is empty. Default: none (such a call throws). */
        public Builder otherwise(BiFunction<ToolArguments, ToolContext, ToolResult> answer) {
            this.otherwise = Objects.requireNonNull(answer, "answer == null");
            return this;
        }

        /**
         * Returns the tool.
         *
         * @throws IllegalArgumentException if the name or schema is not valid for a {@link ToolSpec}
         */
        public ScriptedTool build() {
            return new ScriptedTool(this);
        }
    }
}
