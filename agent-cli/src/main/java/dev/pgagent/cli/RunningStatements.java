package dev.pgagent.cli;

import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import java.time.Duration;

/**
 * Counts the statements running on the server, from the agent's start and end events, so that a cancelled ask can
 * wait until its statement has really stopped before the program goes on (or ends): the ask itself returns as soon
 * as it is marked cancelled. Thread-safe.
 */
final class RunningStatements implements AgentListener {
    /** How long an interrupted ask waits for its statements to stop. */
    static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private int running;

    @Override
    public synchronized void onEvent(AgentEvent event) {
        if (event instanceof AgentEvent.StatementStarted) {
            running++;
        } else if (event instanceof AgentEvent.StatementFinished) {
            running = Math.max(0, running - 1);
            notifyAll();
        }
    }

    /** Waits until no statement runs, at most {@code max}; returns whether none runs. */
    synchronized boolean awaitNone(Duration max) {
        long end = System.nanoTime() + max.toNanos();
        try {
            while (running > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return running == 0;
        }
    }

    /** Returns a listener that passes each event to {@code first}, then to {@code second}. */
    static AgentListener both(AgentListener first, AgentListener second) {
        return event -> {
            first.onEvent(event);
            second.onEvent(event);
        };
    }
}
