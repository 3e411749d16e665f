package dev.pgagent.core.internal;

import dev.pgagent.api.CancelledException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for work an ask handed to a worker thread, giving up on cancellation or when the ask's time is up. */
final class Waiter {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private Waiter() {}

    /**
     * Returns the future's value.
     *
     * @throws CancelledException if the ask is cancelled (the future is cancelled too) or the thread interrupted
     * @throws TimeUp if the ask's time is up
     */
    static <T> T await(AskRun run, Future<T> future) {
        while (true) {
            if (run.isCancelled()) {
                future.cancel(true);
                throw new CancelledException("the ask was cancelled");
            }
            if (run.timeIsUp()) {
                throw new TimeUp();
            }
            long wait = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(run.nanosLeft(), POLL_NANOS));
            try {
                return future.get(wait, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // poll again: the deadline may have moved while a person was asked
            } catch (CancellationException e) {
                throw new CancelledException("the ask was cancelled");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            } catch (InterruptedException e) {
                run.interrupted = true;
                run.cancel();
                throw new CancelledException("the asking thread was interrupted");
            }
        }
    }
}
