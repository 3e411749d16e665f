package dev.pgagent.core;

/**
 * Observes an ask as it runs. Called on the asking thread as each step completes. An exception thrown here is
 * logged at WARN and otherwise ignored. Implementations must be safe for concurrent use when one agent serves
 * several sessions at once.
 */
@FunctionalInterface
public interface AgentListener {
    /** A listener that does nothing. */
    AgentListener NONE = step -> {};

    /** Called when a step (one model turn and the tools it called) has completed. */
    void onStep(AgentStep step);
}
