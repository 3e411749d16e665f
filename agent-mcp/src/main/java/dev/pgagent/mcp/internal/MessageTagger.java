package dev.pgagent.mcp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * Looks at each JSON-RPC message a client sends before the MCP SDK does. The SDK (2.0) neither handles
 * {@code notifications/cancelled} nor tells a tool handler its request's id, so this tagger gives each
 * {@code tools/call} its key ({@code _meta["dev.pgagent/call"]}, overwriting whatever the client put there) and turns
 * each cancellation into {@link CallRegistry#cancel(String)}, dropping it. Everything else passes unchanged.
 * Stateless apart from the registry; thread-safe.
 */
public final class MessageTagger {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CallRegistry registry;

    /** Creates a tagger feeding {@code registry}. */
    public MessageTagger(CallRegistry registry) {
        this.registry = registry;
    }

    /**
     * Returns the message to pass on for {@code text}, a message of {@code session}: the same text, a tagged copy,
     * or null to drop it (a cancellation, already acted on).
     */
    public @Nullable String filter(String text, String session) {
        if (text.indexOf("tools/call") < 0 && text.indexOf("notifications/cancelled") < 0) {
            return text; // the common case, without parsing
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return text; // the SDK answers with its own parse error
        }
        if (!(node instanceof ObjectNode message)) {
            return text;
        }
        String method = message.path("method").asText("");
        JsonNode id = message.get("id");
        if (method.equals("tools/call") && id != null && !id.isNull()) {
            JsonNode params = message.get("params");
            if (!(params instanceof ObjectNode p)) {
                return text;
            }
            JsonNode meta = p.get("_meta");
            ObjectNode m = meta instanceof ObjectNode o ? o : p.putObject("_meta");
            m.put(CallRegistry.META_KEY, CallRegistry.key(session, id.toString()));
            return message.toString();
        }
        if (method.equals("notifications/cancelled") && id == null) {
            JsonNode requestId = message.path("params").get("requestId");
            if (requestId != null && !requestId.isNull()) {
                registry.cancel(CallRegistry.key(session, requestId.toString()));
            }
            return null;
        }
        return text;
    }
}
