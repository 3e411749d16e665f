package dev.pgagent.core;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.audit.AuditChain;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditSink;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends audit events to a remote collector: batches POSTed as a JSON array ({@code Content-Type: application/json}),
 * each element an event's canonical JSON with its {@code prevHash} and {@code hash} ({@link AuditChain}, one chain per
 * sink, so the collector can check that nothing was lost or changed). One background thread sends, from a bounded
 * queue, in the order recorded. A batch answered 2xx is delivered; one answered 408, 429 or 5xx, or that fails to
 * connect, is sent again after an exponential backoff, up to {@link Builder#maxAttempts(int)}; after that, or on
 * another status, it is given up, counted ({@link #givenUp()}) and logged at WARN (its hashes stay in the chain, so the
 * gap shows at the collector).
 *
 * <p>By default {@link #record(AuditEvent)} returns once the event is queued, and an event that finds the queue full
 * is dropped and counted ({@link #dropped()}). With {@link Builder#awaitDelivery(boolean) awaitDelivery(true)},
 * needed under {@link AuditFailurePolicy#FAIL_CLOSED}, it returns only once the collector accepted the batch and
 * throws {@link IllegalStateException} otherwise. Header values (tokens) never appear in logs, exceptions or
 * {@code toString()}. Thread-safe; {@link #close()} sends what is queued and stops the thread.
 *
 * <pre>{@code
 * HttpAuditSink remote = HttpAuditSink.builder().endpoint(URI.create("https://audit.example.com/v1/events"))
 *     .header("Authorization", "Bearer " + token).build();
 * PostgresAgent agent = PostgresAgent.builder().llm(llm).dataSource(ds).addAuditSink(remote).build();
 * }</pre>
 */
@Experimental
public final class HttpAuditSink implements AuditSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpAuditSink.class);

    private final URI endpoint;
    private final Map<String, String> headers;
    private final int batchSize;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration timeout;
    private final boolean awaitDelivery;
    private final HttpClient client;
    private final BlockingQueue<Pending> queue;
    private final Thread sender;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong givenUp = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private String lastHash = AuditChain.GENESIS;
    private volatile boolean closed;

    private HttpAuditSink(Builder b, URI endpoint) {
        this.endpoint = endpoint;
        this.headers = Map.copyOf(b.headers);
        this.batchSize = b.batchSize;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.timeout = b.timeout;
        this.awaitDelivery = b.awaitDelivery;
        this.client = HttpClient.newBuilder().connectTimeout(b.timeout).build();
        this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
        this.sender = new Thread(this::run, "pgagent-audit-http");
        this.sender.setDaemon(true);
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns how many events the collector accepted. */
    public long delivered() {
        return delivered.get();
    }

    /** Returns how many events were dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Returns how many events were given up after their batch failed. */
    public long givenUp() {
        return givenUp.get();
    }

    /** Returns how many times a batch was sent again. */
    public long retries() {
        return retries.get();
    }

    /**
     * Queues {@code event}; when awaiting delivery, waits until the collector accepted it.
     *
     * @throws IllegalStateException if the sink is closed, or when awaiting delivery, if the event was not accepted
     */
    @Override
    public void record(AuditEvent event) {
        Objects.requireNonNull(event, "event == null");
        if (closed) {
            throw new IllegalStateException("the HTTP audit sink to " + endpoint + " is closed");
        }
        Pending p = new Pending(AuditChain.canonicalJson(event));
        if (!awaitDelivery) {
            if (!queue.offer(p)) {
                long n = dropped.incrementAndGet();
                if (n == 1 || n % 1000 == 0) {
                    LOG.warn("The HTTP audit queue to {} is full: {} event(s) dropped so far", endpoint, n);
                }
            }
            return;
        }
        try {
            if (!queue.offer(p, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("the audit event (" + event.type() + ") could not be queued for "
                        + endpoint + ": the queue stayed full for " + timeout.toMillis() + " ms");
            }
            p.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the audit event was sent to " + endpoint, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "the audit event (" + event.type() + ") was not accepted by " + endpoint + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /**
     * Waits until every event queued before this call was delivered or given up.
     *
     * @param wait the longest wait
     * @return whether that happened within {@code wait}
     */
    public boolean flush(Duration wait) {
        Pending marker = new Pending(null);
        try {
            if (!queue.offer(marker, wait.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
            marker.done.get(wait.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Sends what is queued (waiting at most a minute) and stops the sending thread. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        flush(Duration.ofMinutes(1));
        sender.interrupt();
        try {
            sender.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(batchSize);
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                if (closed && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            queue.drainTo(batch, batchSize - 1);
            try {
                send(batch);
            } catch (InterruptedException e) {
                fail(batch, "interrupted");
                if (closed) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.error("The HTTP audit sender to {} failed unexpectedly", endpoint, e);
                fail(batch, e.toString());
            }
            batch.clear();
        }
    }

    private void send(List<Pending> batch) throws InterruptedException {
        StringBuilder body = new StringBuilder("[");
        int events = 0;
        for (Pending p : batch) {
            if (p.json != null) {
                String hash = AuditChain.hash(lastHash, p.json);
                if (events++ > 0) {
                    body.append(',');
                }
                body.append(AuditChain.chainedLine(p.json, lastHash, hash));
                lastHash = hash;
            }
        }
        if (events == 0) {
            batch.forEach(p -> p.done.complete(null));
            return;
        }
        body.append(']');
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        headers.forEach(request::header);
        HttpRequest built = request.build();
        Duration backoff = initialBackoff;
        String last = "";
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            boolean retryable;
            try {
                HttpResponse<Void> response = client.send(built, HttpResponse.BodyHandlers.discarding());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    delivered.addAndGet(events);
                    batch.forEach(p -> p.done.complete(null));
                    return;
                }
                last = "HTTP " + status;
                retryable = status == 408 || status == 429 || status >= 500;
            } catch (IOException e) {
                last = e.getClass().getSimpleName();
                retryable = true;
            }
            if (!retryable || attempt == maxAttempts) {
                break;
            }
            retries.incrementAndGet();
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
        long n = givenUp.addAndGet(events);
        LOG.warn("Gave up sending {} audit event(s) to {} ({}); {} given up so far", events, endpoint, last, n);
        fail(batch, last);
    }

    private void fail(List<Pending> batch, String why) {
        for (Pending p : batch) {
            if (p.json == null) {
                p.done.complete(null);
            } else {
                p.done.completeExceptionally(new IOException(why));
            }
        }
    }

    @Override
    public String toString() {
        return "HttpAuditSink[" + endpoint + ", headers " + headers.keySet() + "]";
    }

    private static final class Pending {
        final @Nullable String json;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Pending(@Nullable String json) {
            this.json = json;
        }
    }

    /** Builds an {@link HttpAuditSink}. Not thread-safe. */
    public static final class Builder {
        private @Nullable URI endpoint;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private int queueCapacity = 10_000;
        private int batchSize = 100;
        private int maxAttempts = 5;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration timeout = Duration.ofSeconds(10);
        private boolean awaitDelivery;

        private Builder() {}

        /** Sets the collector's URL (http or https). Required. */
        public Builder endpoint(URI endpoint) {
            Objects.requireNonNull(endpoint, "endpoint == null");
            String scheme = String.valueOf(endpoint.getScheme()).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("endpoint must be an http or https URL but was " + endpoint);
            }
            this.endpoint = endpoint;
            return this;
        }

        /** Adds a header sent with each batch (for example a bearer token; never logged). Default: none. */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name == null");
            Objects.requireNonNull(value, "value == null");
            headers.put(name, value);
            return this;
        }

        /** Sets how many events may wait to be sent. Default: 10000; must be >= 1. */
        public Builder queueCapacity(int queueCapacity) {
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be >= 1 but was " + queueCapacity);
            }
            this.queueCapacity = queueCapacity;
            return this;
        }

        /** Sets the most events in one POST. Default: 100; must be >= 1. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1 but was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Sets how many times a batch is sent at most. Default: 5; must be >= 1. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1 but was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Sets the wait before the first retry, doubled for each next one up to {@code max}. Default: 200 ms and 10 s;
         * {@code initial} must not be negative and {@code max} not less than it.
         */
        public Builder backoff(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "initial == null");
            Objects.requireNonNull(max, "max == null");
            if (initial.isNegative() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException(
                        "backoff must be 0 <= initial <= max but was " + initial + " and " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** Sets the timeout of a connection, of one request, and of waiting for room in the queue. Default: 10 s. */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout == null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive but was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Sets whether {@link HttpAuditSink#record(AuditEvent)} waits until the collector accepted the event (and
         * throws if it did not). Default: false; set it under {@link AuditFailurePolicy#FAIL_CLOSED}.
         */
        public Builder awaitDelivery(boolean awaitDelivery) {
            this.awaitDelivery = awaitDelivery;
            return this;
        }

        /**
         * Returns the sink, its sending thread started.
         *
         * @throws IllegalStateException if no endpoint was set
         */
        public HttpAuditSink build() {
            if (endpoint == null) {
                throw new IllegalStateException("endpoint must be set but was null");
            }
            HttpAuditSink sink = new HttpAuditSink(this, endpoint);
            sink.sender.start();
            return sink;
        }
    }
}
