package dev.pgagent.core.internal;

import dev.pgagent.api.LlmException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.core.AgentEvent;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Makes one model call for an ask on a worker thread, so the asking thread can abandon it on cancellation or when
 * time is up; audits it and tells the listener as it starts and ends. Thread-safe.
 */
final class ModelCaller {
    private final EngineConfig config;
    private final ExecutorService executor;
    private final AuditRecorder audit;
    private final Events events;

    ModelCaller(EngineConfig config, ExecutorService executor, AuditRecorder audit, Events events) {
        this.config = config;
        this.executor = executor;
        this.audit = audit;
        this.events = events;
    }

    ChatResponse call(AskRun run, ChatRequest request, int step) {
        run.throwIfCancelled();
        long t0 = System.nanoTime();
        events.emit(new AgentEvent.ModelCallStarted(run.sessionId, run.askId, step));
        Future<ChatResponse> f = executor.submit(() -> config.llm().chat(request));
        run.inflight.add(f);
        String error = "the call was abandoned";
        try {
            ChatResponse response = Waiter.await(run, f);
            if (response == null) {
                throw new LlmException("the model client returned no response", LlmException.Reason.INVALID_RESPONSE,
                        false, null);
            }
            error = null;
            audit.record(run, AuditEvent.builder(AuditEventType.LLM_CALL)
                    .outcome("ok")
                    .attribute("step", step)
                    .attribute("model", response.model())
                    .attribute("finishReason", response.finishReason())
                    .attribute("inputTokens", response.usage().inputTokens())
                    .attribute("outputTokens", response.usage().outputTokens())
                    .attribute("ms", since(t0).toMillis()));
            String text = response.message().text();
            if (text != null && !text.isEmpty()) {
                events.emit(new AgentEvent.TextDelta(run.sessionId, run.askId, step, text));
            }
            events.emit(new AgentEvent.ModelCallFinished(run.sessionId, run.askId, step, response.message(),
                    response.usage(), since(t0), null));
            return response;
        } catch (LlmException e) {
            error = "the model call failed (" + e.reason() + "): " + e.getMessage();
            audit.record(run, AuditEvent.builder(AuditEventType.LLM_CALL)
                    .outcome("failed")
                    .attribute("step", step)
                    .attribute("reason", e.reason())
                    .attribute("status", e.statusCode().isPresent() ? e.statusCode().getAsInt() : null)
                    .attribute("error", PgAgentException.abbreviate(e.getMessage(), 500))
                    .attribute("ms", since(t0).toMillis()));
            throw e;
        } finally {
            run.inflight.remove(f);
            if (error != null) {
                events.emit(new AgentEvent.ModelCallFinished(run.sessionId, run.askId, step, null, TokenUsage.ZERO,
                        since(t0), error));
            }
        }
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
