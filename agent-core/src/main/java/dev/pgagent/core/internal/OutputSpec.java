package dev.pgagent.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.Capability;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.ProviderInfo;
import dev.pgagent.api.llm.ResponseSchema;
import dev.pgagent.api.llm.StructuredOutputException;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What an ask or a call wants back: a {@link ResponseSchema} and, for a Java type, the record to read the reply
 * into. Asks the provider for it in the provider's way (its own structured output, or the schema in the prompt),
 * checks the reply against the schema, gives the model one chance to repair an invalid reply, and reads the value.
 * Immutable and thread-safe.
 */
public final class OutputSpec {
    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final ResponseSchema schema;
    private final JsonNode schemaNode;
    private final @Nullable Class<?> type;

    private OutputSpec(ResponseSchema schema, JsonNode schemaNode, @Nullable Class<?> type) {
        this.schema = schema;
        this.schemaNode = schemaNode;
        this.type = type;
    }

    /**
     * Returns the spec of a record type, its schema derived from the record.
     *
     * @throws IllegalArgumentException if the type is not a record or has a component of an unsupported type
     */
    public static OutputSpec of(Class<?> type) {
        Objects.requireNonNull(type, "type == null");
        JsonNode node = JsonSchemas.of(type);
        return new OutputSpec(ResponseSchema.of(JsonSchemas.name(type), node.toString()), node, type);
    }

    /**
     * Returns the spec of a given schema; the value is the reply's JSON text.
     *
     * @throws IllegalArgumentException if the schema is not a JSON object
     */
    public static OutputSpec of(ResponseSchema schema) {
        Objects.requireNonNull(schema, "schema == null");
        JsonNode node;
        try {
            node = JSON.readTree(schema.schema());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "schema must be valid JSON but was " + PgAgentException.abbreviate(schema.schema(), 120), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(
                    "schema must be a JSON object but was " + PgAgentException.abbreviate(schema.schema(), 120));
        }
        return new OutputSpec(schema, node, null);
    }

    /** Returns the schema. */
    public ResponseSchema schema() {
        return schema;
    }

    /** The outcome of reading a reply: the value, or what was wrong. */
    record Result(@Nullable Object value, List<String> problems) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Returns {@code request} asking for this output the way the provider understands: its own structured output
     * when it has it, else the schema in the system prompt.
     */
    public ChatRequest ask(ChatRequest request, ProviderInfo info) {
        if (info.supports(Capability.STRUCTURED_OUTPUT)) {
            return request.toBuilder().responseSchema(schema).build();
        }
        String instructions = "When you give your final answer, reply with only one JSON value (no prose, no code "
                + "fences) that matches this JSON Schema, named " + schema.name() + ":\n" + schemaNode;
        List<ChatMessage> messages = new ArrayList<>(request.messages());
        if (!messages.isEmpty() && messages.get(0) instanceof SystemMessage s) {
            messages.set(0, new SystemMessage(s.text() + "\n\n" + instructions));
        } else {
            messages.add(0, new SystemMessage(instructions));
        }
        return request.toBuilder().messages(messages).responseSchema(null).build();
    }

    /** Reads a reply's text: parses it, checks it against the schema and, for a type, reads it into the record. */
    Result read(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return new Result(null, List.of("$ must be a JSON value but the reply was empty"));
        }
        String json = unfenced(text.strip());
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return new Result(
                    null,
                    List.of("$ must be JSON but the reply could not be parsed: "
                            + PgAgentException.abbreviate(e.getOriginalMessage(), 200)));
        }
        if (node == null) {
            return new Result(null, List.of("$ must be a JSON value but the reply was empty"));
        }
        List<String> problems = SchemaValidator.problems(node, schemaNode);
        if (!problems.isEmpty()) {
            return new Result(null, problems);
        }
        if (type == null) {
            return new Result(node.toString(), List.of());
        }
        try {
            return new Result(JSON.treeToValue(node, type), List.of());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return new Result(
                    null,
                    List.of("$ could not be read as " + type.getSimpleName() + ": "
                            + PgAgentException.abbreviate(e.getMessage(), 200)));
        }
    }

    /** Strips a Markdown code fence around the JSON, which models in prompt mode like to add. */
    private static String unfenced(String text) {
        if (text.startsWith("```") && text.endsWith("```") && text.length() >= 6) {
            String inner = text.substring(3, text.length() - 3);
            int newline = inner.indexOf('\n');
            return (newline >= 0 && inner.substring(0, newline).strip().matches("[A-Za-z]*")
                            ? inner.substring(newline + 1)
                            : inner)
                    .strip();
        }
        return text;
    }

    /** Returns whether a reply is a final answer whose text must match the schema. */
    static boolean isFinalAnswer(ChatResponse response) {
        return !response.message().hasToolCalls()
                && (response.finishReason() == FinishReason.STOP || response.finishReason() == FinishReason.OTHER);
    }

    /**
     * Checks a final answer and, when it does not match, asks once more with the problems; returns the reply to go
     * on with (its usage the sum of both calls) and hands the value to {@code value}.
     *
     * @param request the request that got {@code first}
     * @param first the model's reply
     * @param again makes the repair call
     * @param value receives the value read
     * @throws StructuredOutputException if the repaired reply does not match either
     */
    public ChatResponse settle(
            ChatRequest request,
            ChatResponse first,
            Function<ChatRequest, ChatResponse> again,
            java.util.function.Consumer<Object> value) {
        if (!isFinalAnswer(first)) {
            return first;
        }
        Result r = read(first.message().text());
        if (r.ok()) {
            value.accept(Objects.requireNonNull(r.value()));
            return first;
        }
        ChatRequest repair = request.toBuilder()
                .addMessage(new AssistantMessage(
                        first.message().text() == null ? "" : first.message().text(),
                        List.of(),
                        first.message().thinking()))
                .addMessage(new UserMessage("Your reply does not match the JSON Schema " + schema.name() + ":\n- "
                        + String.join("\n- ", r.problems())
                        + "\nReply again with only the corrected JSON value."))
                .build();
        ChatResponse second = again.apply(repair);
        ChatResponse combined = new ChatResponse(
                second.message(), second.finishReason(), first.usage().plus(second.usage()), second.model());
        if (!isFinalAnswer(second)) {
            return combined;
        }
        Result r2 = read(second.message().text());
        if (!r2.ok()) {
            throw new StructuredOutputException(schema.name(), r2.problems());
        }
        value.accept(Objects.requireNonNull(r2.value()));
        return combined;
    }
}
