package dev.pgagent.api.llm;

import java.util.Objects;

/**
 * A tool call requested by the model.
 *
 * @param id the provider's identifier of this call, echoed back with its result
 * @param name the tool's name
 * @param arguments the arguments exactly as the model wrote them: normally a JSON object, but models sometimes write
 *     text that is not valid JSON, and that is kept as it is so it can be reported back to the model
 */
public record ToolCall(String id, String name, String arguments) {
    /** Validates the components. */
    public ToolCall {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(arguments, "arguments == null");
    }
}
