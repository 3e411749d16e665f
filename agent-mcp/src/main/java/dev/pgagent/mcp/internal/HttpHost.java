package dev.pgagent.mcp.internal;

import dev.pgagent.mcp.McpToken;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Streamable HTTP transport in an embedded Jetty: the {@link HttpGate} in front, then one SDK transport and MCP
 * server per token (so sessions never cross tokens), chosen by the token the gate found. Thread-safe.
 */
public final class HttpHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpHost.class);

    private final Server jetty;
    private final ServerConnector connector;
    private final List<McpAsyncServer> servers = new ArrayList<>();

    /** The settings of the host. */
    public record Settings(
            String bind,
            int port,
            String path,
            List<McpToken> tokens,
            List<String> origins,
            List<String> hosts,
            int maxRequestBytes,
            int requestsPerSecond,
            int burst,
            int maxThreads) {}

    /**
     * Starts the host.
     *
     * @param settings where to listen and whom to let in
     * @param profileOf the MCP server parts for a token
     * @param registry the calls in flight
     * @throws IllegalStateException if the server cannot start (for example, the port is taken)
     */
    public HttpHost(Settings settings, Function<McpToken, ProfileServer> profileOf, CallRegistry registry) {
        QueuedThreadPool pool = new QueuedThreadPool(settings.maxThreads(), 4);
        pool.setName("pgagent-mcp-http");
        jetty = new Server(pool);
        connector = new ServerConnector(jetty);
        connector.setHost(settings.bind());
        connector.setPort(settings.port());
        jetty.addConnector(connector);

        Map<String, HttpServletStreamableServerTransportProvider> providers = new LinkedHashMap<>();
        for (McpToken token : settings.tokens()) {
            ProfileServer profile = profileOf.apply(token);
            HttpServletStreamableServerTransportProvider provider =
                    HttpServletStreamableServerTransportProvider.builder()
                            .jsonMapper(profile.mapper())
                            .mcpEndpoint(settings.path())
                            .maxRequestSize(settings.maxRequestBytes())
                            .keepAliveInterval(Duration.ofSeconds(30))
                            .contextExtractor(request ->
                                    McpTransportContext.create(Map.of(ProfileServer.TOKEN_NAME, token.name())))
                            .build();
            servers.add(profile.build(McpServer.async(provider)));
            providers.put(token.name(), provider);
        }

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        RateLimiter limiter = new RateLimiter(settings.requestsPerSecond(), settings.burst(), System::nanoTime);
        HttpGate gate = new HttpGate(
                settings.tokens(),
                settings.origins(),
                settings.hosts(),
                settings.bind(),
                connector::getLocalPort,
                settings.maxRequestBytes(),
                limiter,
                registry);
        FilterHolder gateHolder = new FilterHolder(gate);
        gateHolder.setAsyncSupported(true);
        context.addFilter(gateHolder, "/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder holder = new ServletHolder(new ByToken(providers));
        holder.setAsyncSupported(true);
        context.addServlet(holder, settings.path());
        jetty.setHandler(context);
        try {
            jetty.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException(
                    "cannot listen on " + settings.bind() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        LOG.info("MCP server listening on http://{}:{}{}", settings.bind(), port(), settings.path());
    }

    /** Returns the port listened on. */
    public int port() {
        return connector.getLocalPort();
    }

    /** Stops listening and closes every session. */
    @Override
    public void close() {
        for (McpAsyncServer s : servers) {
            try {
                s.closeGracefully().block(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("Closing an MCP server failed: {}", e.toString());
            }
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the HTTP server failed: {}", e.toString());
        }
    }

    /** Hands each request to the transport of the token the gate authenticated it with. */
    private static final class ByToken extends HttpServlet {
        private static final long serialVersionUID = 1L;

        private final transient Map<String, HttpServletStreamableServerTransportProvider> providers;

        ByToken(Map<String, HttpServletStreamableServerTransportProvider> providers) {
            this.providers = providers;
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
            Object token = req.getAttribute(HttpGate.TOKEN);
            HttpServletStreamableServerTransportProvider p =
                    token instanceof McpToken t ? providers.get(t.name()) : null;
            if (p == null) {
                resp.sendError(HttpServletResponse.SC_UNAUTHORIZED);
                return;
            }
            p.service(req, resp);
        }
    }
}
