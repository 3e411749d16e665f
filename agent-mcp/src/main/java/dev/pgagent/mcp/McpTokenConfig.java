package dev.pgagent.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.api.ConfigurationException;
import dev.pgagent.api.Experimental;
import dev.pgagent.api.safety.PolicyLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One entry of a token file: a named bearer token and, optionally, what it is limited to (a policy level no higher
 * than the server's, some of the databases). The host builds an agent for each limited token and attaches it with
 * {@link McpToken#withAgent}. The file is JSON:
 *
 * <pre>{@code
 * {"tokens": [
 *   {"name": "laptop",  "token": "a-long-random-secret-1"},
 *   {"name": "reports", "token": "a-long-random-secret-2", "policy": "read-only", "databases": ["sales"]}
 * ]}
 * }</pre>
 *
 * @param name the token's name (for audit records)
 * @param secret the secret a client presents
 * @param policy the highest policy level of the token's calls, or null for the server's
 * @param databases the databases the token may use; empty for all
 */
@Experimental
public record McpTokenConfig(
        String name, String secret, @Nullable PolicyLevel policy, List<String> databases) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("name", "token", "policy", "databases");

    /** Validates and copies the components. */
    public McpTokenConfig {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(secret, "secret == null");
        databases = List.copyOf(databases);
    }

    /** Returns whether the token is limited beyond the server's own policy and databases. */
    public boolean isLimited(PolicyLevel serverLevel, List<String> serverDatabases) {
        return (policy != null && policy.compareTo(serverLevel) < 0)
                || (!databases.isEmpty() && !databases.containsAll(serverDatabases));
    }

    /** Returns the token (without an agent of its own). */
    public McpToken token() {
        return McpToken.of(name, secret);
    }

    /**
     * Reads a token file.
     *
     * @throws ConfigurationException if it cannot be read or is not of the form above (the message never holds a
     *     secret)
     */
    public static List<McpTokenConfig> read(Path file) {
        Objects.requireNonNull(file, "file == null");
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigurationException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses the JSON of a token file; {@code source} names it in messages.
     *
     * @throws ConfigurationException if it is not of the form above
     */
    public static List<McpTokenConfig> parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new ConfigurationException(source + " must be JSON but is not: " + e.getMessage(), null);
        }
        JsonNode tokens = root == null ? null : root.get("tokens");
        if (tokens == null || !tokens.isArray()) {
            throw new ConfigurationException(source + " must be an object with a \"tokens\" array");
        }
        List<McpTokenConfig> out = new ArrayList<>();
        int i = 0;
        for (JsonNode t : tokens) {
            String where = source + ": tokens[" + i++ + "]";
            if (!t.isObject()) {
                throw new ConfigurationException(where + " must be an object");
            }
            for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f)) {
                    throw new ConfigurationException(
                            where + " has an unknown field '" + f + "'; the fields are " + FIELDS);
                }
            }
            String name = text(t, "name", where);
            String secret = text(t, "token", where);
            PolicyLevel level = null;
            if (t.hasNonNull("policy")) {
                level = level(t.get("policy").asText(), where);
            }
            List<String> dbs = new ArrayList<>();
            JsonNode d = t.get("databases");
            if (d != null && !d.isNull()) {
                if (!d.isArray()) {
                    throw new ConfigurationException(where + ".databases must be an array of names");
                }
                d.forEach(n -> dbs.add(n.asText()));
            }
            try {
                McpToken.of(name, secret);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(where + ": " + e.getMessage());
            }
            out.add(new McpTokenConfig(name, secret, level, dbs));
        }
        return out;
    }

    /** Parses {@code read-only}, {@code balanced} or {@code permissive}. */
    public static PolicyLevel level(String value, String where) {
        String v = value.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (v) {
            case "read-only", "readonly" -> PolicyLevel.READ_ONLY;
            case "balanced" -> PolicyLevel.BALANCED;
            case "permissive" -> PolicyLevel.PERMISSIVE;
            default ->
                throw new ConfigurationException(
                        where + ".policy must be read-only, balanced or permissive" + " but was '" + value + "'");
        };
    }

    private static String text(JsonNode t, String field, String where) {
        JsonNode v = t.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new ConfigurationException(where + "." + field + " must be a non-empty string");
        }
        return v.asText();
    }

    @Override
    public String toString() {
        // never the secret
        return "McpTokenConfig{name=" + name + ", policy=" + policy + ", databases=" + databases + '}';
    }
}
