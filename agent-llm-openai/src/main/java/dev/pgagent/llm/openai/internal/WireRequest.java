package dev.pgagent.llm.openai.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /chat/completions}, as Jackson writes it. Unset options are null and left out.
 *
 * @param model the model name
 * @param messages the conversation
 * @param tools the tools on offer, or null for none
 * @param toolChoice {@code auto}, {@code none} or {@code required}, or null
 * @param parallelToolCalls whether several tool calls may come in one turn, or null
 * @param temperature sampling temperature, or null
 * @param topP nucleus sampling mass, or null
 * @param maxTokens output token cap under its classic name, or null
 * @param maxCompletionTokens output token cap under the name newer OpenAI models want, or null
 * @param seed sampling seed, or null
 * @param stop stop sequences, or null
 * @param responseFormat the structured-output format, or null for free text
 * @param reasoningEffort how hard a reasoning model thinks, or null
 * @param stream true to stream the reply as server-sent events, or null
 * @param streamOptions streaming options (usage at the end), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "model",
    "messages",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "seed",
    "stop",
    "response_format",
    "reasoning_effort",
    "stream",
    "stream_options"
})
public record WireRequest(
        String model,
        List<Message> messages,
        @Nullable List<Tool> tools,
        @JsonProperty("tool_choice") @Nullable String toolChoice,
        @JsonProperty("parallel_tool_calls") @Nullable Boolean parallelToolCalls,
        @Nullable Double temperature,
        @JsonProperty("top_p") @Nullable Double topP,
        @JsonProperty("max_tokens") @Nullable Integer maxTokens,
        @JsonProperty("max_completion_tokens") @Nullable Integer maxCompletionTokens,
        @Nullable Long seed,
        @Nullable List<String> stop,
        @JsonProperty("response_format") @Nullable ResponseFormat responseFormat,
        @JsonProperty("reasoning_effort") @Nullable String reasoningEffort,
        @Nullable Boolean stream,
        @JsonProperty("stream_options") @Nullable StreamOptions streamOptions) {

    /** Returns this request, streamed, with the usage reported in a last chunk. */
    public WireRequest streaming() {
        return new WireRequest(
                model,
                messages,
                tools,
                toolChoice,
                parallelToolCalls,
                temperature,
                topP,
                maxTokens,
                maxCompletionTokens,
                seed,
                stop,
                responseFormat,
                reasoningEffort,
                true,
                new StreamOptions(true));
    }

    /**
     * {@code response_format} of type {@code json_schema}.
     *
     * @param type always {@code json_schema}
     * @param jsonSchema the schema and its name
     */
    @JsonPropertyOrder({"type", "json_schema"})
    public record ResponseFormat(
            String type, @JsonProperty("json_schema") JsonSchema jsonSchema) {}

    /**
     * A named JSON Schema.
     *
     * @param name the schema's name
     * @param schema the schema
     * @param strict whether OpenAI enforces it strictly
     */
    @JsonPropertyOrder({"name", "schema", "strict"})
    public record JsonSchema(String name, JsonNode schema, boolean strict) {}

    /**
     * Streaming options.
     *
     * @param includeUsage whether a last chunk carries the usage
     */
    public record StreamOptions(
            @JsonProperty("include_usage") boolean includeUsage) {}

    /**
     * One message. {@code content} is always written, as {@code null} for an assistant turn that only calls tools.
     *
     * @param role system, user, assistant or tool
     * @param content the text, or null
     * @param toolCalls the assistant's tool calls, or null
     * @param toolCallId the call a tool message answers, or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"role", "content", "tool_calls", "tool_call_id"})
    public record Message(
            String role,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable
            String content,

            @JsonProperty("tool_calls") @Nullable List<ToolCall> toolCalls,
            @JsonProperty("tool_call_id") @Nullable String toolCallId) {}

    /**
     * A tool call echoed back in an assistant message.
     *
     * @param id the provider's call id
     * @param type always {@code function}
     * @param function the function called
     */
    @JsonPropertyOrder({"id", "type", "function"})
    public record ToolCall(String id, String type, FunctionCall function) {}

    /**
     * The function of a tool call.
     *
     * @param name the tool name
     * @param arguments the arguments as the model wrote them (a JSON string)
     */
    @JsonPropertyOrder({"name", "arguments"})
    public record FunctionCall(String name, String arguments) {}

    /**
     * A tool on offer.
     *
     * @param type always {@code function}
     * @param function its description
     */
    @JsonPropertyOrder({"type", "function"})
    public record Tool(String type, Function function) {}

    /**
     * A function description.
     *
     * @param name the tool name
     * @param description what it does, for the model
     * @param parameters the JSON Schema of its arguments, as a JSON object
     */
    @JsonPropertyOrder({"name", "description", "parameters"})
    public record Function(String name, String description, JsonNode parameters) {}
}
