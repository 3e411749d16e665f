package dev.pgagent.core.internal;

import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The immutable, shared part of an agent: its configuration, tool registry, the guard of each database and the
 * worker threads. Model calls, tool calls and blocking confirmation handlers run on the worker threads (daemon
 * threads, created on demand and reclaimed after a minute idle), so that the asking thread can abandon them on
 * cancellation or a time limit. Thread-safe.
 */
public final class AgentEngine {
    private static final AtomicInteger POOL = new AtomicInteger();

    private final EngineConfig config;
    private final ToolRegistry registry;
    private final ExecutorService executor;
    private final Events events;
    private final AuditRecorder audit;
    private final Guards guards;
    private final CallRunner calls;
    private final ModelCaller model;

    /**
     * Creates an engine.
     *
     * @throws IllegalStateException if two tools or two databases share a name
     */
    public AgentEngine(EngineConfig config) {
        this.config = config;
        this.registry = new ToolRegistry(config.databases(), config.hostTools());
        this.executor = Executors.newCachedThreadPool(daemonThreads("pgagent-" + POOL.incrementAndGet() + "-"));
        this.events = new Events(config.listener());
        this.audit = new AuditRecorder(config.audit());
        List<Guard> list = new ArrayList<>();
        for (DatabaseBinding db : config.databases()) {
            list.add(new Guard(db, audit, config.confirmationHandler(), executor, events, db.name()));
        }
        this.guards = new Guards(list);
        this.calls = new CallRunner(registry, guards, audit, events);
        this.model = new ModelCaller(config, executor, audit, events);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Returns a new session. */
    public SessionEngine newSession(String id) {
        return new SessionEngine(id, this);
    }

    /** Returns a session in a stored state (see {@link SessionState}). */
    public SessionEngine restoreSession(SessionState state) {
        return new SessionEngine(state, this);
    }

    /** Returns the guarded path of host calls made as {@code caller}. */
    public HostCalls hostCalls(String caller) {
        return new HostCalls(caller, this);
    }

    /** Returns the configuration. */
    public EngineConfig config() {
        return config;
    }

    /** Returns the tool specs shown to the model, in registration order. */
    public List<ToolSpec> specs() {
        return registry.specs();
    }

    /** Returns the names of the databases, the default first. */
    public List<String> databaseNames() {
        return guards.names();
    }

    Map<String, Tool> tools() {
        return registry.tools();
    }

    ExecutorService executor() {
        return executor;
    }

    Guards guards() {
        return guards;
    }

    AuditRecorder audit() {
        return audit;
    }

    Events events() {
        return events;
    }

    CallRunner calls() {
        return calls;
    }

    ModelCaller model() {
        return model;
    }

    /** Stops the worker threads; running asks are interrupted. */
    public void shutdown() {
        executor.shutdownNow();
    }

    /** Returns whether {@link #shutdown()} was called. */
    public boolean isShutdown() {
        return executor.isShutdown();
    }
}
