package dev.pgagent.mcp;

import dev.pgagent.api.Experimental;
import dev.pgagent.core.PostgresAgent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A bearer token an HTTP client presents ({@code Authorization: Bearer <secret>}), with a name for the audit trail
 * and, optionally, an agent of its own: one built with a stricter policy or fewer databases limits what that token
 * can do. Each token gets its own MCP sessions; one token's session id is unknown to every other token. The secret
 * is kept only as its SHA-256 digest and compared in constant time. Immutable and thread-safe.
 *
 * <pre>{@code
 * McpToken laptop = McpToken.of("laptop", System.getenv("PGAGENT_MCP_TOKEN"));
 * McpToken reports = McpToken.of("reports", secret).withAgent(readOnlyAgent);
 * }</pre>
 */
@Experimental
public final class McpToken {
    /** The shortest secret accepted, in characters. */
    public static final int MIN_SECRET_LENGTH = 16;

    private final String name;
    private final byte[] digest;
    private final @Nullable PostgresAgent agent;

    private McpToken(String name, byte[] digest, @Nullable PostgresAgent agent) {
        this.name = name;
        this.digest = digest;
        this.agent = agent;
    }

    /**
     * Returns a token that uses the server's agent.
     *
     * @param name a name for audit records and logs: letters, digits, {@code . _ -}, 1 to 64 characters
     * @param secret the secret, at least {@value #MIN_SECRET_LENGTH} characters without whitespace
     * @throws IllegalArgumentException if the name or the secret is not of that form
     */
    public static McpToken of(String name, String secret) {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(secret, "secret == null");
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(
                    "name must be 1 to 64 letters, digits, '.', '_' or '-' but was '" + name + "'");
        }
        if (secret.length() < MIN_SECRET_LENGTH || !secret.strip().equals(secret) || secret.matches(".*\\s.*")) {
            // the secret itself never goes into a message
            throw new IllegalArgumentException("the secret of token '" + name + "' must be at least "
                    + MIN_SECRET_LENGTH + " characters without whitespace but was " + secret.length()
                    + " characters");
        }
        return new McpToken(name, sha256(secret), null);
    }

    /** Returns a copy of this token that uses {@code agent} instead of the server's (its policy, its databases). */
    public McpToken withAgent(PostgresAgent agent) {
        return new McpToken(name, digest, Objects.requireNonNull(agent, "agent == null"));
    }

    /** Returns the token's name. */
    public String name() {
        return name;
    }

    /** Returns the agent of this token, or null to use the server's. */
    public @Nullable PostgresAgent agent() {
        return agent;
    }

    /** Returns whether {@code presented} is this token's secret; takes the same time whatever it is. */
    public boolean matches(String presented) {
        return MessageDigest.isEqual(digest, sha256(presented));
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 must be available", e);
        }
    }

    @Override
    public String toString() {
        return "McpToken{name=" + name + (agent == null ? "" : ", agent=" + agent) + '}';
    }
}
