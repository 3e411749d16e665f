package dev.pgagent.cli;

import dev.pgagent.core.AgentSession;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cancels a running ask on Ctrl-C, from the signal's thread, and lets the asking thread wait until the cancel has
 * been sent: {@link AgentSession#cancel()} marks the ask cancelled first (so the ask returns at once) and then sends
 * the cancel request to the server; a program that exits as soon as the ask returns could end before that request
 * went out, leaving the statement running on the server until its timeout. Thread-safe.
 */
final class AskCancel {
    /** How long the asking thread waits for the cancel request to be sent. */
    static final long SEND_WAIT_SECONDS = 5;

    private final AgentSession session;
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch sent = new CountDownLatch(1);

    AskCancel(AgentSession session) {
        this.session = session;
    }

    /** Cancels the ask on the first call (returning true once the cancel was sent); later calls return false. */
    boolean request() {
        if (requests.incrementAndGet() > 1) {
            return false;
        }
        try {
            session.cancel();
        } finally {
            sent.countDown();
        }
        return true;
    }

    /** Returns whether a cancel was asked for. */
    boolean requested() {
        return requests.get() > 0;
    }

    /** Waits, at most {@value #SEND_WAIT_SECONDS} s, until a cancel asked for was sent; at once if none was asked. */
    void awaitSent() {
        if (!requested()) {
            return;
        }
        try {
            sent.await(SEND_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
