package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class CancellationWatchdogTest {

    private static boolean watchdogThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("pgagent-cancel-watchdog"));
    }

    private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Test
    void thePollerThreadEndsOnceNothingIsWatchedAndANewWatchStartsItAgain() throws InterruptedException {
        QueryCancellation first = new QueryCancellation();
        try (CancellationWatchdog.Watch w = CancellationWatchdog.watch(() -> {}, first)) {
            assertThat(CancellationWatchdog.running()).isTrue();
            assertThat(w.interrupted()).isFalse();
        }
        assertThat(eventually(() -> !CancellationWatchdog.running() && !watchdogThreadAlive()))
                .as("the watchdog's thread ends once nothing is watched")
                .isTrue();

        CountDownLatch cancelled = new CountDownLatch(1);
        QueryCancellation second = new QueryCancellation();
        try (CancellationWatchdog.Watch w = CancellationWatchdog.watch(cancelled::countDown, second)) {
            assertThat(CancellationWatchdog.running()).isTrue();
            second.cancel();
            assertThat(cancelled.await(60, TimeUnit.SECONDS))
                    .as("a restarted watchdog still sends the cancel")
                    .isTrue();
            assertThat(w.interrupted()).isFalse();
        }
    }

    @Test
    void aWatchKeepsThePollerRunningPastTheIdleTime() throws InterruptedException {
        try (CancellationWatchdog.Watch w = CancellationWatchdog.watch(() -> {}, new QueryCancellation())) {
            Thread.sleep(CancellationWatchdog.POLL_MILLIS * (CancellationWatchdog.IDLE_TICKS + 40));
            assertThat(CancellationWatchdog.running()).isTrue();
            assertThat(watchdogThreadAlive()).isTrue();
            assertThat(w.interrupted()).isFalse();
        }
    }
}
