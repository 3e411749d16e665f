package dev.pgagent.llm.anthropic.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.jspecify.annotations.Nullable;

/** The adapter's Jackson mapper and small reading helpers. Thread-safe. */
public final class Json {
    /** The shared mapper; configured once, thread-safe. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {}

    /** Returns the parsed body, or null when it is blank or not JSON. */
    public static @Nullable JsonNode parseOrNull(String body) {
        if (body.isBlank()) {
            return null;
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Returns a value node's text, or null for a missing, null or container node. */
    public static @Nullable String textOrNull(@Nullable JsonNode n) {
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }

    /** Returns a count, or 0 when absent or negative. */
    public static long count(@Nullable JsonNode n) {
        return n != null && n.canConvertToLong() ? Math.max(0, n.asLong()) : 0;
    }
}
