package dev.pgagent.core.internal;

import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.tool.Tool;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The immutable, shared part of an agent: its configuration, tool registry, safety guard and worker threads. Model
 * calls, tool calls and blocking confirmation handlers run on the worker threads (daemon threads, created on demand
 * and reclaimed after a minute idle), so that the asking thread can abandon them on cancellation or a time limit.
 * Thread-safe.
 */
public final class AgentEngine {
    private static final AtomicInteger POOL = new AtomicInteger();

    private final EngineConfig config;
    private final Map<String, Tool> tools;
    private final List<ToolSpec> specs;
    private final ExecutorService executor;
    private final Guard guard;

    /**
     * Creates an engine.
     *
     * @throws IllegalStateException if two tools share a name
     */
    public AgentEngine(EngineConfig config) {
        this.config = config;
        Map<String, Tool> byName = new LinkedHashMap<>();
        for (Tool t : config.tools()) {
            Tool previous = byName.putIfAbsent(t.name(), t);
            if (previous != null) {
                throw new IllegalStateException("tool names must be unique but '" + t.name()
                        + "' is used by both " + previous + " and " + t);
            }
        }
        this.tools = Collections.unmodifiableMap(byName);
        this.specs = byName.values().stream().map(Tool::spec).toList();
        this.executor = Executors.newCachedThreadPool(daemonThreads("pgagent-" + POOL.incrementAndGet() + "-"));
        this.guard = new Guard(config, executor);
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

    /** Returns the configuration. */
    public EngineConfig config() {
        return config;
    }

    /** Returns the tool specs shown to the model, in registration order. */
    public List<ToolSpec> specs() {
        return specs;
    }

    Map<String, Tool> tools() {
        return tools;
    }

    ExecutorService executor() {
        return executor;
    }

    Guard guard() {
        return guard;
    }

    /** Stops the worker threads; running asks are interrupted. */
    public void shutdown() {
        executor.shutdownNow();
    }
}
