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
}
