package dev.pgagent.testkit.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Runs a body on several threads released at once, and fails with every failure the threads met. */
final class Concurrently {
    /** The body one thread runs, given its index. */
    @FunctionalInterface
    interface Body {
        void run(int thread) throws Exception;
    }

    private Concurrently() {}

    /**
     * Runs {@code body} on {@code threads} threads that start together and waits until all have finished, at most
     * {@code bound} (a safety net against a hang, not a timing check).
     *
     * @throws AssertionError if a thread failed or did not finish within the bound
     */
    static void run(int threads, Duration bound, Body body) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread thread = new Thread(
                    () -> {
                        try {
                            ready.countDown();
                            go.await();
                            body.run(index);
                        } catch (Throwable e) {
                            failures.add(e);
                        } finally {
                            done.countDown();
                        }
                    },
                    "pgagent-contract-" + t);
            thread.setDaemon(true);
            started.add(thread);
            thread.start();
        }
        ready.await();
        go.countDown();
        if (!done.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            started.forEach(Thread::interrupt);
            throw new AssertionError(done.getCount() + " of " + threads + " threads did not finish within " + bound);
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(
                    failures.size() + " of " + threads + " threads failed; first: " + failures.peek());
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }
}
