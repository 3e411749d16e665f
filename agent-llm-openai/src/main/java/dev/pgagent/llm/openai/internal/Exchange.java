package dev.pgagent.llm.openai.internal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.jspecify.annotations.Nullable;

/**
 * Runs one HTTP call so that the calling thread can be interrupted while it waits: the call runs on OkHttp's
 * dispatcher and the caller waits on a future; an interrupt cancels the call. (A blocking {@code execute()} does not
 * notice interrupts while it waits for a slow model.)
 */
public final class Exchange {
    private Exchange() {}

    /**
     * A received response, body read in full.
     *
     * @param code the HTTP status
     * @param headers the response headers
     * @param body the body as text, empty when there was none
     */
    public record Received(int code, Headers headers, String body) {}

    /**
     * Returns a dispatcher of its own for the adapter, with daemon threads (they never keep a JVM alive) and room
     * for {@code maxConcurrent} calls to the same host (OkHttp's default of 5 would queue an agent's calls).
     */
    public static Dispatcher newDispatcher(int maxConcurrent) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "pgagent-openai-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        Dispatcher d = new Dispatcher(
                new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory));
        d.setMaxRequests(maxConcurrent);
        d.setMaxRequestsPerHost(maxConcurrent);
        return d;
    }

    /**
     * Sends the request and waits for the whole response.
     *
     * @throws IOException if the call failed before a complete response arrived
     * @throws InterruptedException if the calling thread was interrupted; the call is cancelled
     */
    public static Received execute(OkHttpClient client, Request request) throws IOException, InterruptedException {
        Call call = client.newCall(request);
        CompletableFuture<Received> result = new CompletableFuture<>();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                result.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (response) {
                    ResponseBody body = response.body();
                    String text = body == null ? "" : body.string();
                    result.complete(new Received(response.code(), response.headers(), text));
                } catch (IOException e) {
                    result.completeExceptionally(e);
                } catch (RuntimeException e) {
                    result.completeExceptionally(new IOException("reading the response failed", e));
                }
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            call.cancel();
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("the call failed", cause);
        }
    }

    /** Handles the events of a stream, one at a time, in order, on an OkHttp thread. */
    @FunctionalInterface
    public interface EventHandler {
        /**
         * Handles one event. An exception ends the stream (the call is cancelled) and is thrown to the waiting
         * caller.
         *
         * @param type the event's type, or null when the event named none
         * @param data the event's data
         */
        void onEvent(@Nullable String type, String data);
    }

    /**
     * Sends the request, parses the reply as server-sent events (OkHttp's okhttp-sse) and passes each event to
     * {@code handler} as it arrives; returns when the stream ends. Interrupting the caller cancels the call at once,
     * which closes the stream.
     *
     * @return null when the stream ran to its end; otherwise the response that was not a stream, body read (an
     *     unsuccessful status, or a successful one whose body is not {@code text/event-stream})
     * @throws IOException if the connection failed or broke off
     * @throws InterruptedException if the calling thread was interrupted; the call is cancelled
     */
    public static @Nullable Received stream(OkHttpClient client, Request request, EventHandler handler)
            throws IOException, InterruptedException {
        CompletableFuture<@Nullable Received> result = new CompletableFuture<>();
        EventSource source = EventSources.createFactory(client).newEventSource(request, new EventSourceListener() {
            @Override
            public void onEvent(EventSource es, @Nullable String id, @Nullable String type, String data) {
                if (result.isDone()) {
                    return;
                }
                try {
                    handler.onEvent(type, data);
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                    es.cancel();
                }
            }

            @Override
            public void onClosed(EventSource es) {
                result.complete(null);
            }

            @Override
            public void onFailure(EventSource es, @Nullable Throwable t, @Nullable Response response) {
                if (result.isDone()) {
                    return;
                }
                if (response != null && (!response.isSuccessful() || t instanceof IllegalStateException)) {
                    // Not a stream: an error status, or a server that answered with a whole JSON body.
                    try {
                        ResponseBody body = response.body();
                        String text = body == null ? "" : body.string();
                        result.complete(new Received(response.code(), response.headers(), text));
                    } catch (IOException | RuntimeException e) {
                        result.completeExceptionally(
                                e instanceof IOException ? e : new IOException("reading the response failed", e));
                    }
                    return;
                }
                result.completeExceptionally(
                        t instanceof IOException || t instanceof RuntimeException
                                ? t
                                : new IOException("the stream failed", t));
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            source.cancel();
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException("the stream failed", cause);
        }
    }
}
