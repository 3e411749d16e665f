package dev.pgagent.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.api.tool.ToolArguments;
import java.util.Map;

/** Parses the JSON arguments of a tool call. */
final class ArgumentParser {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ArgumentParser() {}

    /**
     * Returns the parsed arguments; blank text counts as no arguments.
     *
     * @throws IllegalArgumentException with a message for the model when the text is not a JSON object
     */
    static ToolArguments parse(String json) {
        if (json.isBlank()) {
            return ToolArguments.of(Map.of(), "{}");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the arguments are not valid JSON (" + e.getOriginalMessage()
                    + "); send a JSON object matching the tool's parameters schema");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(
                    "the arguments must be a JSON object matching the tool's parameters schema");
        }
        Map<String, Object> values = MAPPER.convertValue(node, new TypeReference<>() {});
        return ToolArguments.of(values, json);
    }
}
