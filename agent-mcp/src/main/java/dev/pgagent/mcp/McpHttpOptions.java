package dev.pgagent.mcp;

import dev.pgagent.api.Experimental;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How the Streamable HTTP transport listens and whom it lets in: the address and port, the endpoint's path, the
 * bearer tokens, the {@code Host} names and {@code Origin}s it accepts (against DNS rebinding), and request size and
 * rate limits. There is no TLS: keep the default loopback address, or put a TLS-terminating proxy in front. Immutable
 * and thread-safe.
 *
 * <pre>{@code
 * McpHttpOptions options = McpHttpOptions.builder()
 *     .port(8765)
 *     .addToken(McpToken.of("laptop", System.getenv("PGAGENT_MCP_TOKEN")))
 *     .build();
 * }</pre>
 */
@Experimental
public final class McpHttpOptions {
    private final String bind;
    private final int port;
    private final String path;
    private final List<McpToken> tokens;
    private final List<String> allowedOrigins;
    private final List<String> allowedHosts;
    private final int maxRequestBytes;
    private final int requestsPerSecond;
    private final int burst;

    private McpHttpOptions(Builder b) {
        this.bind = b.bind;
        this.port = b.port;
        this.path = b.path;
        this.tokens = List.copyOf(b.tokens);
        this.allowedOrigins = List.copyOf(b.allowedOrigins);
        this.allowedHosts = List.copyOf(b.allowedHosts);
        this.maxRequestBytes = b.maxRequestBytes;
        this.requestsPerSecond = b.requestsPerSecond;
        this.burst = b.burst;
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the address to listen on. */
    public String bind() {
        return bind;
    }

    /** Returns the port to listen on; 0 for any free port. */
    public int port() {
        return port;
    }

    /** Returns the endpoint's path. */
    public String path() {
        return path;
    }

    /** Returns the tokens, in the order added. */
    public List<McpToken> tokens() {
        return tokens;
    }

    /** Returns the origins accepted besides the loopback ones; {@code scheme://host:*} matches any port. */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** Returns the {@code Host} header values accepted besides the loopback names with the server's port. */
    public List<String> allowedHosts() {
        return allowedHosts;
    }

    /** Returns the largest request body accepted, in bytes. */
    public int maxRequestBytes() {
        return maxRequestBytes;
    }

    /** Returns the requests each token may make per second, on average. */
    public int requestsPerSecond() {
        return requestsPerSecond;
    }

    /** Returns the requests a token may make at once above the average rate. */
    public int burst() {
        return burst;
    }

    @Override
    public String toString() {
        return "McpHttpOptions{bind=" + bind + ", port=" + port + ", path=" + path + ", tokens="
                + tokens.stream().map(McpToken::name).toList() + ", allowedOrigins=" + allowedOrigins
                + ", allowedHosts=" + allowedHosts + ", maxRequestBytes=" + maxRequestBytes + ", requestsPerSecond="
                + requestsPerSecond + ", burst=" + burst + '}';
    }

    /** Builds {@link McpHttpOptions}. Not thread-safe. */
    public static final class Builder {
        private String bind = "127.0.0.1";
        private int port = 8765;
        private String path = "/mcp";
        private final List<McpToken> tokens = new ArrayList<>();
        private final List<String> allowedOrigins = new ArrayList<>();
        private final List<String> allowedHosts = new ArrayList<>();
        private int maxRequestBytes = 1 << 20;
        private int requestsPerSecond = 20;
        private int burst = 200;

        private Builder() {}

        /**
         * Sets the address to listen on. Anything but a loopback address exposes the server to the network without
         * TLS; allow the names clients use with {@link #allowHost(String)}. Default: {@code 127.0.0.1}.
         */
        public Builder bind(String bind) {
            Objects.requireNonNull(bind, "bind == null");
            if (bind.isBlank()) {
                throw new IllegalArgumentException("bind must not be blank but was '" + bind + "'");
            }
            this.bind = bind.strip();
            return this;
        }

        /** Sets the port; 0 takes any free port. Default: 8765. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535 but was " + port);
            }
            this.port = port;
            return this;
        }

        /** Sets the endpoint's path. Default: {@code /mcp}. */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path == null");
            if (!path.matches("/[A-Za-z0-9._/-]*")) {
                throw new IllegalArgumentException("path must start with '/' and hold only letters, digits and"
                        + " '._/-' but was '" + path + "'");
            }
            this.path = path;
            return this;
        }

        /** Adds a token; at least one is required, names must be unique. Default: none. */
        public Builder addToken(McpToken token) {
            tokens.add(Objects.requireNonNull(token, "token == null"));
            return this;
        }

        /**
         * Accepts requests whose {@code Origin} is {@code origin} ({@code scheme://host:port}, or
         * {@code scheme://host:*} for any port). Requests without an {@code Origin} (not from a browser) are
         * accepted. Default: only loopback origins ({@code http://localhost:*}, {@code http://127.0.0.1:*},
         * {@code http://[::1]:*} and their https forms).
         */
        public Builder allowOrigin(String origin) {
            Objects.requireNonNull(origin, "origin == null");
            if (!origin.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("origin must be scheme://host[:port] but was '" + origin + "'");
            }
            allowedOrigins.add(origin);
            return this;
        }

        /**
         * Accepts requests whose {@code Host} header is {@code host} ({@code name:port}, or {@code name:*}).
         * Default: only {@code localhost}, {@code 127.0.0.1} and {@code [::1]} with the server's port, and the bind
         * address with it.
         */
        public Builder allowHost(String host) {
            Objects.requireNonNull(host, "host == null");
            if (host.isBlank() || host.matches(".*[\\s/].*")) {
                throw new IllegalArgumentException("host must be name[:port] but was '" + host + "'");
            }
            allowedHosts.add(host.strip());
            return this;
        }

        /** Sets the largest request body accepted, in bytes; larger ones get 413. At least 1,024. Default: 1 MiB. */
        public Builder maxRequestBytes(int maxRequestBytes) {
            if (maxRequestBytes < 1_024) {
                throw new IllegalArgumentException("maxRequestBytes must be >= 1024 but was " + maxRequestBytes);
            }
            this.maxRequestBytes = maxRequestBytes;
            return this;
        }

        /**
         * Sets the rate limit of each token: {@code requestsPerSecond} on average, up to {@code burst} at once;
         * more get 429. Failed authentications are limited the same way per client address. Default: 20 per
         * second, bursts of 200.
         */
        public Builder rateLimit(int requestsPerSecond, int burst) {
            if (requestsPerSecond < 1) {
                throw new IllegalArgumentException("requestsPerSecond must be >= 1 but was " + requestsPerSecond);
            }
            if (burst < 1) {
                throw new IllegalArgumentException("burst must be >= 1 but was " + burst);
            }
            this.requestsPerSecond = requestsPerSecond;
            this.burst = burst;
            return this;
        }

        /**
         * Returns the options.
         *
         * @throws IllegalStateException if no token was added or two tokens share a name
         */
        public McpHttpOptions build() {
            if (tokens.isEmpty()) {
                throw new IllegalStateException("tokens must hold at least one token but was empty: the HTTP"
                        + " transport does not run without authentication");
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            for (McpToken t : tokens) {
                if (!names.add(t.name())) {
                    throw new IllegalStateException(
                            "token names must be unique but '" + t.name() + "' was added twice");
                }
            }
            return new McpHttpOptions(this);
        }
    }
}
