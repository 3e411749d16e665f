package dev.pgagent.cli;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * An OpenAI-compatible model that answers from a script, in order; an answer may be held back until the test
 * releases it, so that a test can look at what the client shows while the model "thinks" without any time window.
 */
final class ScriptedModel extends Dispatcher implements AutoCloseable {
    private final MockWebServer server = new MockWebServer();
    private final BlockingQueue<Step> steps = new LinkedBlockingQueue<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();

    private record Step(MockResponse response, CountDownLatch gate) {}

    ScriptedModel() throws IOException {
        server.setDispatcher(this);
        server.start();
    }

    /** Returns the base URL to give the client as OPENAI_BASE_URL. */
    String baseUrl() {
        return server.url("/v1").toString();
    }

    /** Answers the next request with {@code response}. */
    ScriptedModel then(MockResponse response) {
        steps.add(new Step(response, new CountDownLatch(0)));
        return this;
    }

    /** Answers the next request with {@code response} once the returned latch is counted down. */
    CountDownLatch thenWhenReleased(MockResponse response) {
        CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        steps.add(new Step(response, gate));
        return gate;
    }

    /** Returns the request bodies received so far. */
    List<String> requests() {
        return List.copyOf(bodies);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        bodies.add(request.getBody().readUtf8());
        Step step = steps.poll(2, TimeUnit.MINUTES);
        if (step == null) {
            return new MockResponse().setResponseCode(500).setBody("{\"error\":{\"message\":\"no scripted answer\"}}");
        }
        step.gate().await(5, TimeUnit.MINUTES);
        return step.response();
    }

    @Override
    public void close() throws IOException {
        gates.forEach(CountDownLatch::countDown);
        server.shutdown();
    }
}
