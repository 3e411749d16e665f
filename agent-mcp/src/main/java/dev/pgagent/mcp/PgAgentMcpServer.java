package dev.pgagent.mcp;

import dev.pgagent.api.ConfigurationException;
import dev.pgagent.api.Experimental;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.mcp.internal.CallRegistry;
import dev.pgagent.mcp.internal.HttpHost;
import dev.pgagent.mcp.internal.MessageTagger;
import dev.pgagent.mcp.internal.ProfileServer;
import dev.pgagent.mcp.internal.StdioInput;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Offers an agent's guarded tools to any MCP client, over stdio (what desktop clients start) or Streamable HTTP. Every
 * tool of {@link PostgresAgent#guardedPath(String)} becomes an MCP tool with its JSON Schema, a description for a
 * model and annotations that follow the policy ({@code execute_query} is destructive only when the policy allows
 * writes). Each call runs through the guarded path (validation, plan check, runtime guards, confirmation, redaction,
 * audit) as the caller {@code mcp:<client>[@<token>]:<session>}, on a worker of its own so a slow statement holds up
 * no other client; {@code notifications/cancelled} cancels the call's statement on the server. Results come back as a
 * compact text table inside markers that say the rows are untrusted data, plus structured content with an exact
 * {@code moreRows} flag. Protocol versions are negotiated by the MCP Java SDK.
 *
 * <pre>{@code
 * McpConfirmations confirmations = McpConfirmations.create();
 * PostgresAgent agent = PostgresAgent.builder()
 *     .llm(PgAgentMcpServer.noModel())          // the client brings the model
 *     .dataSource(dataSource)
 *     .confirmationHandler(confirmations)       // writes are confirmed by the client's user
 *     .build();
 * PgAgentMcpServer server = PgAgentMcpServer.builder().agent(agent).confirmations(confirmations).build();
 * server.serveStdio(System.in, System.out);     // blocks until the client closes the connection
 * }</pre>
 *
 * <p>Thread-safe. Closing the server cancels the calls in flight and stops its workers; the agent stays open.
 */
@Experimental
public final class PgAgentMcpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PgAgentMcpServer.class);

    /** The most bytes of one stdio message. */
    private static final int MAX_STDIO_MESSAGE = 16 << 20;

    private final PostgresAgent agent;
    private final String name;
    private final String version;
    private final boolean tableResources;
    private final CallRegistry registry = new CallRegistry();
    private final ExecutorService workers;
    private final Scheduler scheduler;
    private final int maxConcurrentCalls;

    private PgAgentMcpServer(Builder b, PostgresAgent agent) {
        this.agent = agent;
        this.name = b.name;
        this.version = b.version;
        this.tableResources = b.tableResources;
        this.maxConcurrentCalls = b.maxConcurrentCalls;
        AtomicInteger n = new AtomicInteger();
        // a thread a call: calls mostly wait on PostgreSQL or on a person, so they must not queue behind each other
        this.workers = new ThreadPoolExecutor(
                0,
                b.maxConcurrentCalls,
                60,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "pgagent-mcp-call-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                (r, pool) -> {
                    throw new java.util.concurrent.RejectedExecutionException("the server is running "
                            + b.maxConcurrentCalls + " calls, its most; try again when one has finished");
                });
        this.scheduler = Schedulers.fromExecutorService(workers, "pgagent-mcp-calls");
        if (b.confirmations != null) {
            b.confirmations.bind(registry);
        }
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a language model for agents that serve MCP only: the MCP client brings the model, so the agent never
     * asks one; if something does, it fails with {@link ConfigurationException}.
     */
    public static LlmClient noModel() {
        return NoModel.INSTANCE;
    }

    /** Returns the agent whose tools are offered (to stdio clients and to HTTP tokens without an agent of their own). */
    public PostgresAgent agent() {
        return agent;
    }

    /**
     * Serves one client over stdio: reads its messages from {@code in} and writes the server's to {@code out}
     * (nothing else may write to {@code out}). Blocks until the client closes {@code in}, then cancels what is still
     * running and returns.
     */
    public void serveStdio(InputStream in, OutputStream out) {
        Objects.requireNonNull(in, "in == null");
        Objects.requireNonNull(out, "out == null");
        CountDownLatch ended = new CountDownLatch(1);
        String session = "stdio-" + UUID.randomUUID();
        MessageTagger tagger = new MessageTagger(registry);
        ProfileServer profile = profile(agent);
        StdioInput input = new StdioInput(
                in, line -> line == null ? null : tagger.filter(line, session), ended::countDown, MAX_STDIO_MESSAGE);
        StdioServerTransportProvider transport =
                new StdioServerTransportProvider(profile.mapper(), input, out, MAX_STDIO_MESSAGE);
        McpAsyncServer server = profile.build(McpServer.async(transport));
        LOG.info("MCP server on stdio, policy {}, databases {}", agent.policy().level(), agent.databaseNames());
        try {
            ended.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            registry.cancelSession(session);
            try {
                server.closeGracefully().block(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing the stdio session failed: {}", e.toString());
            }
        }
    }

    /**
     * Starts serving Streamable HTTP as {@code options} say and returns at once.
     *
     * @throws IllegalStateException if the server cannot listen (for example, the port is taken)
     */
    public McpHttpServer serveHttp(McpHttpOptions options) {
        Objects.requireNonNull(options, "options == null");
        HttpHost host = new HttpHost(
                new HttpHost.Settings(
                        options.bind(),
                        options.port(),
                        options.path(),
                        options.tokens(),
                        options.allowedOrigins(),
                        options.allowedHosts(),
                        options.maxRequestBytes(),
                        options.requestsPerSecond(),
                        options.burst(),
                        Math.max(64, maxConcurrentCalls * 2 + 16)),
                token -> profile(token.agent() != null ? token.agent() : agent),
                registry);
        return new McpHttpServer(host, options, registry::cancelAll);
    }

    private ProfileServer profile(PostgresAgent a) {
        return new ProfileServer(a, registry, scheduler, name, version, tableResources);
    }

    /** Cancels the calls in flight and stops the workers. Idempotent. */
    @Override
    public void close() {
        registry.cancelAll();
        scheduler.dispose();
        workers.shutdownNow();
    }

    @Override
    public String toString() {
        return "PgAgentMcpServer{name=" + name + ", agent=" + agent + '}';
    }

    /** The model of an agent that only serves MCP. */
    private enum NoModel implements LlmClient {
        INSTANCE;

        @Override
        public ChatResponse chat(ChatRequest request) {
            throw new ConfigurationException(
                    "this agent serves MCP clients, which bring their own model; it has no" + " model to ask");
        }
    }

    /** Builds a {@link PgAgentMcpServer}. Not thread-safe. */
    public static final class Builder {
        private @Nullable PostgresAgent agent;
        private @Nullable McpConfirmations confirmations;
        private String name = "pgagent";
        private String version = versionOf();
        private boolean tableResources = true;
        private int maxConcurrentCalls = 64;

        private Builder() {}

        /** Sets the agent whose guarded tools are offered. Required. */
        public Builder agent(PostgresAgent agent) {
            this.agent = Objects.requireNonNull(agent, "agent == null");
            return this;
        }

        /**
         * Sets the confirmation handler installed on the agents (see {@link McpConfirmations}), which this server
         * then feeds with its calls. Default: none (statements needing confirmation are decided by the agent's own
         * handler, by default declined).
         */
        public Builder confirmations(McpConfirmations confirmations) {
            this.confirmations = Objects.requireNonNull(confirmations, "confirmations == null");
            return this;
        }

        /** Sets the name the server gives clients. Default: {@code pgagent}. */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name == null");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /** Sets the version the server gives clients. Default: this library's version. */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version == null");
            return this;
        }

        /**
         * Sets whether each table's schema is offered as a resource ({@code pgagent://schema/<database>/<table>},
         * read through {@code describe_table}); the list is read from the database when a transport starts.
         * Default: on.
         */
        public Builder tableResources(boolean tableResources) {
            this.tableResources = tableResources;
            return this;
        }

        /**
         * Sets the most tool calls run at once across all clients; one more is refused with an error until one
         * finishes. At least 1. Default: 64.
         */
        public Builder maxConcurrentCalls(int maxConcurrentCalls) {
            if (maxConcurrentCalls < 1) {
                throw new IllegalArgumentException("maxConcurrentCalls must be >= 1 but was " + maxConcurrentCalls);
            }
            this.maxConcurrentCalls = maxConcurrentCalls;
            return this;
        }

        /**
         * Returns the server.
         *
         * @throws IllegalStateException if no agent was set
         */
        public PgAgentMcpServer build() {
            PostgresAgent a = agent;
            if (a == null) {
                throw new IllegalStateException("agent must be set but was null");
            }
            return new PgAgentMcpServer(this, a);
        }

        private static String versionOf() {
            String v = PgAgentMcpServer.class.getPackage().getImplementationVersion();
            return v == null ? "0.1.0" : v;
        }
    }
}
