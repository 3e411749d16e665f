package dev.pgagent.mcp.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/** Token buckets by key: {@code perSecond} on average, {@code burst} at once. Thread-safe. */
public final class RateLimiter {
    private static final int MAX_KEYS = 10_000;

    private final double perNano;
    private final int burst;
    private final LongSupplier clock;
    private final Map<String, double[]> buckets = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
            return size() > MAX_KEYS;
        }
    };

    /** Creates the limiter on {@code clock} (nanoseconds). */
    public RateLimiter(int perSecond, int burst, LongSupplier clock) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.clock = clock;
    }

    /** Takes one request's token from {@code key}'s bucket; returns false when it is empty. */
    public boolean tryAcquire(String key) {
        long now = clock.getAsLong();
        synchronized (buckets) {
            double[] b = buckets.computeIfAbsent(key, k -> new double[] {burst, now});
            double tokens = Math.min(burst, b[0] + (now - (long) b[1]) * perNano);
            b[1] = now;
            if (tokens < 1) {
                b[0] = tokens;
                return false;
            }
            b[0] = tokens - 1;
            return true;
        }
    }
}
