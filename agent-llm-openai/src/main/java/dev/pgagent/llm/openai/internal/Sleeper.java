package dev.pgagent.llm.openai.internal;

import java.time.Duration;

/** Waits between retries; replaced in tests so they do not wait. */
@FunctionalInterface
public interface Sleeper {
    /** Sleeps with {@link Thread#sleep(long)}. */
    Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis());

    /**
     * Waits for {@code duration}.
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void sleep(Duration duration) throws InterruptedException;
}
