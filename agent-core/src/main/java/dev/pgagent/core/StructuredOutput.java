package dev.pgagent.core;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ResponseSchema;
import dev.pgagent.core.internal.OutputSpec;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Asks a language model directly, without an agent, for a value of a record type or a JSON value matching a schema,
 * and returns it parsed and checked. The schema goes to the provider its way ({@code response_format} for OpenAI, a
 * forced tool for Anthropic, the prompt for providers without structured output, as {@link LlmClient#info()} says);
 * a reply that does not match is shown its problems and repaired once. Stateless and thread-safe.
 *
 * <pre>{@code
 * record Sentiment(String label, double score) {}
 *
 * Sentiment s = StructuredOutput.chat(llm, ChatRequest.builder()
 *     .addMessage(new UserMessage("Rate: 'the delivery was late again'"))
 *     .build(), Sentiment.class);
 * }</pre>
 */
@Experimental
public final class StructuredOutput {
    private StructuredOutput() {}

    /**
     * Returns the JSON Schema derived from a record: every component required, no additional properties, JSpecify
     * {@code @Nullable} components nullable. Supported component types: strings, characters, UUIDs, booleans,
     * numbers (primitive, boxed, {@code BigInteger}, {@code BigDecimal}), enums, records, and lists, sets and arrays
     * of them.
     *
     * @throws IllegalArgumentException if {@code type} is not a record or has a component of another type
     */
    public static ResponseSchema schemaOf(Class<?> type) {
        return OutputSpec.of(type).schema();
    }

    /**
     * Sends {@code request} wanting a {@code type} back and returns it.
     *
     * @throws dev.pgagent.api.llm.StructuredOutputException if the reply does not match even after one repair
     * @throws dev.pgagent.api.LlmException if a call fails, or the model answered with tool calls or was cut off
     * @throws IllegalArgumentException if {@code type} is not a supported record
     */
    public static <T> T chat(LlmClient llm, ChatRequest request, Class<T> type) {
        return type.cast(run(llm, request, OutputSpec.of(type)));
    }

    /**
     * Sends {@code request} wanting a JSON value matching {@code schema} and returns it as JSON text.
     *
     * @throws dev.pgagent.api.llm.StructuredOutputException if the reply does not match even after one repair
     * @throws dev.pgagent.api.LlmException if a call fails, or the model answered with tool calls or was cut off
     */
    public static String chat(LlmClient llm, ChatRequest request, ResponseSchema schema) {
        return (String) run(llm, request, OutputSpec.of(schema));
    }

    private static Object run(LlmClient llm, ChatRequest request, OutputSpec spec) {
        Objects.requireNonNull(llm, "llm == null");
        Objects.requireNonNull(request, "request == null");
        ChatRequest asked = spec.ask(request, llm.info());
        AtomicReference<Object> value = new AtomicReference<>();
        ChatResponse last = spec.settle(asked, llm.chat(asked), llm::chat, value::set);
        Object v = value.get();
        if (v == null) {
            throw new dev.pgagent.api.LlmException(
                    "the model gave no final answer to read (finish reason " + last.finishReason()
                            + (last.message().hasToolCalls() ? ", it called tools" : "") + ")",
                    dev.pgagent.api.LlmException.Reason.INVALID_RESPONSE,
                    false,
                    null);
        }
        return v;
    }
}
