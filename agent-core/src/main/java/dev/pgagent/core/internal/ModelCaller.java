package dev.pgagent.core.internal;

import dev.pgagent.api.LlmException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.Capability;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.ProviderInfo;
import dev.pgagent.api.llm.StreamListener;
import dev.pgagent.api.llm.StructuredOutputException;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.core.AgentEvent;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one model call for an ask on a worker thread, so the asking thread can abandon it on cancellation or when
 * time is up; audits it and tells the listener as it starts, as its text arrives (each piece as the provider streams
 * it, on the thread that reads the stream) and as it ends. Adapts the request to the provider ({@link ProviderInfo}):
 * no parallel tool calls asked of a provider without them, and the ask's structured output asked for the provider's
 * way, its final answer checked and repaired once. Thread-safe.
 */
final class ModelCaller {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCaller.class);

    private final EngineConfig config;
    private final ExecutorService executor;
    private final AuditRecorder audit;
    private final Events events;
    private final ProviderInfo info;

    ModelCaller(EngineConfig config, ExecutorService executor, AuditRecorder audit, Events events) {
        this.config = config;
        this.executor = executor;
        this.audit = audit;
        this.events = events;
        this.info = info(config);
    }

    private static ProviderInfo info(EngineConfig config) {
        try {
            ProviderInfo i = config.llm().info();
            return i == null ? ProviderInfo.UNKNOWN : i;
        } catch (RuntimeException e) {
            LOG.warn("The model client's info() failed; assuming it says nothing: {}", e.toString());
            return ProviderInfo.UNKNOWN;
        }
    }

    /** Returns what the provider says about itself. */
    ProviderInfo info() {
        return info;
    }

    ChatResponse call(AskRun run, ChatRequest request, int step) {
        ChatRequest adapted = adapt(request);
        OutputSpec output = run.output;
        if (output == null) {
            return callOnce(run, adapted, step);
        }
        ChatRequest asked = output.ask(adapted, info);
        ChatResponse first = callOnce(run, asked, step);
        try {
            return output.settle(asked, first, repair -> callOnce(run, repair, step), v -> run.value = v);
        } catch (StructuredOutputException e) {
            audit.record(
                    run,
                    AuditEvent.builder(AuditEventType.LLM_CALL)
                            .outcome("failed")
                            .attribute("step", step)
                            .attribute("reason", "structured output")
                            .attribute("error", PgAgentException.abbreviate(e.getMessage(), 500)));
            throw e;
        }
    }

    /** Leaves out what the provider cannot do. */
    private ChatRequest adapt(ChatRequest request) {
        if (!info.supports(Capability.PARALLEL_TOOL_CALLS)
                && request.options().parallelToolCalls().isPresent()) {
            return request.toBuilder()
                    .options(request.options().toBuilder()
                            .parallelToolCalls(null)
                            .build())
                    .build();
        }
        return request;
    }

    private ChatResponse callOnce(AskRun run, ChatRequest request, int step) {
        run.throwIfCancelled();
        long t0 = System.nanoTime();
        events.emit(new AgentEvent.ModelCallStarted(run.sessionId, run.askId, step));
        // Text is passed on as it arrives, until the call ends or is abandoned.
        AtomicBoolean open = new AtomicBoolean(true);
        StreamListener listener = delta -> {
            if (open.get() && !delta.isEmpty()) {
                events.emit(new AgentEvent.TextDelta(run.sessionId, run.askId, step, delta));
            }
        };
        Future<ChatResponse> f = executor.submit(() -> config.llm().chat(request, listener));
        run.inflight.add(f);
        String error = "the call was abandoned";
        try {
            ChatResponse response = Waiter.await(run, f);
            open.set(false);
            if (response == null) {
                throw new LlmException(
                        "the model client returned no response", LlmException.Reason.INVALID_RESPONSE, false, null);
            }
            error = null;
            audit.record(
                    run,
                    AuditEvent.builder(AuditEventType.LLM_CALL)
                            .outcome("ok")
                            .attribute("step", step)
                            .attribute("model", response.model())
                            .attribute("finishReason", response.finishReason())
                            .attribute("inputTokens", response.usage().inputTokens())
                            .attribute("outputTokens", response.usage().outputTokens())
                            .attribute(
                                    "cacheReadTokens",
                                    zeroAsNull(response.usage().cacheReadTokens()))
                            .attribute(
                                    "cacheWriteTokens",
                                    zeroAsNull(response.usage().cacheWriteTokens()))
                            .attribute("ms", since(t0).toMillis()));
            events.emit(new AgentEvent.ModelCallFinished(
                    run.sessionId,
                    run.askId,
                    step,
                    response.message(),
                    response.usage(),
                    since(t0),
                    null,
                    response.finishReason(),
                    response.model()));
            return response;
        } catch (LlmException e) {
            error = "the model call failed (" + e.reason() + "): " + e.getMessage();
            audit.record(
                    run,
                    AuditEvent.builder(AuditEventType.LLM_CALL)
                            .outcome("failed")
                            .attribute("step", step)
                            .attribute("reason", e.reason())
                            .attribute(
                                    "status",
                                    e.statusCode().isPresent() ? e.statusCode().getAsInt() : null)
                            .attribute("error", PgAgentException.abbreviate(e.getMessage(), 500))
                            .attribute("ms", since(t0).toMillis()));
            throw e;
        } finally {
            open.set(false);
            run.inflight.remove(f);
            if (error != null) {
                events.emit(new AgentEvent.ModelCallFinished(
                        run.sessionId, run.askId, step, null, TokenUsage.ZERO, since(t0), error));
            }
        }
    }

    private static @Nullable Long zeroAsNull(long n) {
        return n == 0 ? null : n;
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
