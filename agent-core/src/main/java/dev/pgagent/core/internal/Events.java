package dev.pgagent.core.internal;

import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers events to the host's listener, isolating the agent from a listener that throws. Thread-safe. */
final class Events {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);

    private final AgentListener listener;

    Events(AgentListener listener) {
        this.listener = listener;
    }

    void emit(AgentEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("Agent listener failed on {}; ignored", event.getClass().getSimpleName(), e);
        }
    }
}
