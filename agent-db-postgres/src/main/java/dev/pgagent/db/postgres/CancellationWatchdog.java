package dev.pgagent.db.postgres;

import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Watches running statements for interruption of the thread that runs them (and for a cancellation that fired
 * before the statement reached the server): one shared daemon thread polls every {@value #POLL_MILLIS} ms and sends
 * a server-side cancel for such a statement; it runs while statements are watched and ends after 5 s without any. pgjdbc's
 * blocking socket reads do not react to {@link Thread#interrupt()}, so without this an interrupted ask would wait for
 * its statement to end.
 */
final class CancellationWatchdog {
    /** Every how many ticks work still running after its cancel is cancelled again. */
    static final int RESEND_TICKS = 8;

    static final long POLL_MILLIS = 25;

    /**
     * After how many ticks with nothing watched the poller stops (5 s): its thread ends once no statement runs, so
     * that it does not outlive the agents (a redeployed application would keep its class loader alive otherwise);
     * the next watch starts a new one.
     */
    static final int IDLE_TICKS = 200;

    private static final Set<Watch> WATCHES = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger IDLE = new AtomicInteger();
    private static @Nullable ScheduledExecutorService poller; // guarded by CancellationWatchdog.class

    private CancellationWatchdog() {}

    /** A statement being watched; {@link #interrupted()} says whether the watchdog cancelled it. */
    static final class Watch implements AutoCloseable {
        private final Thread thread;
        private final Runnable canceller;
        private final Runnable resend;
        private int ticksCancelled; // only the poller thread touches it
        private final QueryCancellation cancellation;
        private volatile boolean interrupted;

        private Watch(Thread thread, Runnable canceller, Runnable resend, QueryCancellation cancellation) {
            this.thread = thread;
            this.canceller = canceller;
            this.resend = resend;
            this.cancellation = cancellation;
        }

        boolean interrupted() {
            return interrupted;
        }

        @Override
        public void close() {
            WATCHES.remove(this);
        }
    }

    /**
     * Starts watching {@code statement}, run by the current thread under {@code cancellation}. Close the watch when
     * the statement finished.
     */
    static Watch watch(Statement statement, QueryCancellation cancellation) {
        return watch(
                () -> QueryCancellation.cancelStatement(statement),
                () -> QueryCancellation.cancelConnection(statement),
                cancellation);
    }

    /**
     * Starts watching work without a statement (a {@code COPY}) run by the current thread, cancelled by
     * {@code canceller}. Close the watch when the work finished.
     */
    static Watch watch(Runnable canceller, QueryCancellation cancellation) {
        return watch(canceller, canceller, cancellation);
    }

    private static Watch watch(Runnable canceller, Runnable resend, QueryCancellation cancellation) {
        Watch w = new Watch(Thread.currentThread(), canceller, resend, cancellation);
        // Under the lock, so that an idle poller cannot stop between the add and the check that one runs.
        synchronized (CancellationWatchdog.class) {
            WATCHES.add(w);
            if (poller == null) {
                ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "pgagent-cancel-watchdog");
                    t.setDaemon(true);
                    return t;
                });
                IDLE.set(0);
                s.scheduleWithFixedDelay(CancellationWatchdog::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
                poller = s;
            }
        }
        return w;
    }

    /** Returns whether the poller (and its thread) runs. */
    static synchronized boolean running() {
        return poller != null;
    }

    private static void poll() {
        if (WATCHES.isEmpty()) {
            if (IDLE.incrementAndGet() >= IDLE_TICKS) {
                stopIfIdle();
            }
            return;
        }
        IDLE.set(0);
        for (Watch w : WATCHES) {
            if (!w.interrupted && w.thread.isInterrupted()) {
                w.interrupted = true;
            }
            // Sent on every tick while it applies: a cancel that arrives before the statement reached the server is
            // a no-op in pgjdbc, so it is repeated until the statement is seen running (pgjdbc ignores repeats).
            if (w.interrupted || w.cancellation.isCancelled()) {
                QueryCancellation.runCanceller(w.canceller);
                // pgjdbc sends a statement's cancel only once, and the server ignores a cancel that arrives between
                // two protocol messages of the statement (it is reading then, not running): while the work is still
                // watched (still running), cancel again (on the statement's connection, which pgjdbc always sends)
                if (++w.ticksCancelled % RESEND_TICKS == 0) {
                    QueryCancellation.runCanceller(w.resend);
                }
            }
        }
    }

    private static synchronized void stopIfIdle() {
        ScheduledExecutorService s = poller;
        if (s != null && WATCHES.isEmpty()) {
            poller = null;
            s.shutdown(); // this tick is its last: the thread ends
        }
    }
}
