package dev.pgagent.mcp;

import dev.pgagent.api.Experimental;
import dev.pgagent.mcp.internal.HttpHost;
import java.net.URI;

/**
 * A running Streamable HTTP MCP server, from {@link PgAgentMcpServer#serveHttp(McpHttpOptions)}. Closing it stops
 * listening, cancels the calls in flight and closes every session. Thread-safe.
 */
@Experimental
public final class McpHttpServer implements AutoCloseable {
    private final HttpHost host;
    private final McpHttpOptions options;
    private final Runnable onClose;

    McpHttpServer(HttpHost host, McpHttpOptions options, Runnable onClose) {
        this.host = host;
        this.options = options;
        this.onClose = onClose;
    }

    /** Returns the port the server listens on (the one chosen when the options asked for 0). */
    public int port() {
        return host.port();
    }

    /** Returns the endpoint clients connect to, on the loopback address when bound to a wildcard address. */
    public URI endpoint() {
        String bind = options.bind();
        String h = bind.equals("0.0.0.0") || bind.equals("::")
                ? "127.0.0.1"
                : bind.contains(":") ? "[" + bind + "]" : bind;
        return URI.create("http://" + h + ":" + port() + options.path());
    }

    @Override
    public void close() {
        onClose.run();
        host.close();
    }

    @Override
    public String toString() {
        return "McpHttpServer{" + endpoint() + '}';
    }
}
