package dev.pgagent.core;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Observes asks as they run: each {@link AgentEvent} as things start and end. Called on the thread doing the work
 * (the asking thread for steps; the thread reading the model's stream for text; a worker thread for tool calls and
 * statements, which may run concurrently within one step), so an implementation must be quick and safe for concurrent use. An exception thrown
 * here is logged at WARN and otherwise ignored.
 *
 * <pre>{@code
 * .listener(event -> {
 *     if (event instanceof AgentEvent.StatementStarted s) {
 *         status.show("running: " + s.sql());
 *     }
 * })
 * }</pre>
 */
@FunctionalInterface
public interface AgentListener {
    /** A listener that does nothing. */
    AgentListener NONE = event -> {};

    /** Called for each event. */
    void onEvent(AgentEvent event);

    /** Returns a listener that passes each completed step to {@code onStep} and ignores the other events. */
    static AgentListener onStep(Consumer<AgentStep> onStep) {
        Objects.requireNonNull(onStep, "onStep == null");
        return event -> {
            if (event instanceof AgentEvent.StepFinished s) {
                onStep.accept(s.step());
            }
        };
    }
}
