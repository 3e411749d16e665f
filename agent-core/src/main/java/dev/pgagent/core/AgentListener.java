package dev.pgagent.core;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

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

    /**
     * Returns a listener that passes each event to every one of {@code listeners}, in order; one that throws is
     * logged at WARN and does not keep the event from the others.
     */
    static AgentListener all(AgentListener... listeners) {
        List<AgentListener> copy = List.of(listeners);
        return event -> {
            for (AgentListener l : copy) {
                try {
                    l.onEvent(event);
                } catch (RuntimeException e) {
                    LoggerFactory.getLogger(AgentListener.class)
                            .warn(
                                    "Agent listener failed on {}; ignored",
                                    event.getClass().getSimpleName(),
                                    e);
                }
            }
        };
    }

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
