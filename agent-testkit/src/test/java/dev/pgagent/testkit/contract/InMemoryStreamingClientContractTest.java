package dev.pgagent.testkit.contract;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.LlmException.Reason;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.Capability;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ProviderInfo;
import dev.pgagent.api.llm.ResponseSchema;
import dev.pgagent.api.llm.StreamListener;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolResultMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * Runs {@link StreamingLlmClientContract} against a provider that answers from the script in-process: the
 * contract's reference implementation, so the suite's own checks are exercised in this module (the adapters run it
 * against their real wire formats in theirs).
 */
@NullMarked
class InMemoryStreamingClientContractTest extends StreamingLlmClientContract {
    private static final String SECRET = "sk-in-memory-0123456789";
    private static final String MODEL = "scripted-1";

    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<SentRequest> sent = new CopyOnWriteArrayList<>();
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private @Nullable Reply last;

    @Override
    protected String secret() {
        return SECRET;
    }

    @Override
    protected LlmClient client(int maxAttempts) {
        return new ScriptedProvider(maxAttempts);
    }

    @Override
    protected void enqueue(Reply reply) {
        synchronized (script) {
            script.add(reply);
        }
    }

    @Override
    protected List<SentRequest> sent() {
        return List.copyOf(sent);
    }

    @Override
    protected List<Duration> waits() {
        return List.copyOf(waits);
    }

    private Reply next() {
        synchronized (script) {
            Reply r = script.poll();
            if (r == null) {
                if (!(last instanceof Failure)) {
                    throw new IllegalStateException("the script must hold a reply but was empty");
                }
                r = last;
            }
            last = r;
            return r;
        }
    }

    /** One attempt that failed: the mapped exception, and whether text had reached the listener. */
    private static final class Attempt extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient LlmException failure;
        final boolean textDelivered;

        Attempt(LlmException failure, boolean textDelivered) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
            this.textDelivered = textDelivered;
        }
    }

    private final class ScriptedProvider implements LlmClient {
        private final int maxAttempts;

        ScriptedProvider(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            return call(request, null);
        }

        @Override
        public ChatResponse chat(ChatRequest request, StreamListener listener) {
            return call(request, listener);
        }

        @Override
        public ProviderInfo info() {
            return ProviderInfo.builder("in-memory", MODEL)
                    .capability(Capability.STREAMING, true)
                    .capability(Capability.TOOLS, true)
                    .build();
        }

        @Override
        public String toString() {
            return "ScriptedProvider{model=" + MODEL + ", maxAttempts=" + maxAttempts + '}';
        }

        private ChatResponse call(ChatRequest request, @Nullable StreamListener listener) {
            for (int attempt = 1; ; attempt++) {
                sent.add(decode(request, listener != null));
                try {
                    return answer(next(), listener);
                } catch (Attempt failed) {
                    LlmException e = failed.failure;
                    if (!e.isRetryable() || failed.textDelivered) {
                        throw e;
                    }
                    if (attempt >= maxAttempts) {
                        throw new LlmException(
                                e.getMessage() + " (gave up after " + attempt + " attempts)",
                                e.reason(),
                                true,
                                e.statusCode().orElse(-1),
                                null,
                                e);
                    }
                    waits.add(e.retryAfter().orElse(Duration.ZERO));
                }
            }
        }

        private ChatResponse answer(Reply reply, @Nullable StreamListener listener) {
            if (reply instanceof Text t) {
                if (listener != null) {
                    t.chunks().forEach(listener::onText);
                }
                return new ChatResponse(
                        AssistantMessage.of(String.join("", t.chunks())), FinishReason.STOP, t.usage(), MODEL);
            } else if (reply instanceof ToolCalls c) {
                if (listener != null) {
                    c.calls().forEach(listener::onToolCall);
                }
                return new ChatResponse(
                        AssistantMessage.ofToolCalls(c.calls()), FinishReason.TOOL_CALLS, c.usage(), MODEL);
            } else if (reply instanceof Structured s) {
                if (listener != null) {
                    listener.onText(s.json());
                }
                return new ChatResponse(AssistantMessage.of(s.json()), FinishReason.STOP, TokenUsage.ZERO, MODEL);
            } else if (reply instanceof Failure f) {
                throw new Attempt(failure(f), false);
            } else if (reply instanceof Truncated t) {
                if (listener != null) {
                    t.chunks().forEach(listener::onText);
                }
                throw new Attempt(
                        new LlmException(
                                "the stream ended before the provider's end event", Reason.NETWORK, true, null),
                        listener != null && !t.chunks().isEmpty());
            } else {
                Stalled s = (Stalled) reply;
                if (listener != null) {
                    s.chunks().forEach(listener::onText);
                }
                try {
                    new CountDownLatch(1).await(); // the stream stalls until the caller is interrupted
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new CancelledException("the call was interrupted while its stream stalled");
            }
        }
    }

    private static LlmException failure(Failure f) {
        int s = f.status();
        Reason reason;
        boolean retryable;
        if (s == 401 || s == 403) {
            reason = Reason.AUTHENTICATION;
            retryable = false;
        } else if (s == 404) {
            reason = Reason.NOT_FOUND;
            retryable = false;
        } else if (s == 408) {
            reason = Reason.TIMEOUT;
            retryable = true;
        } else if (s == 409) {
            reason = Reason.CONFLICT;
            retryable = true;
        } else if (s == 429) {
            reason = Reason.RATE_LIMITED;
            retryable = true;
        } else if (s >= 500) {
            reason = Reason.SERVER_ERROR;
            retryable = true;
        } else {
            reason = Reason.BAD_REQUEST;
            retryable = false;
        }
        Duration retryAfter =
                f.retryAfterSeconds() == null ? null : Duration.ofSeconds(Long.parseLong(f.retryAfterSeconds()));
        String message = "HTTP " + s + ": " + f.message().replace(SECRET, "***");
        return new LlmException(message, reason, retryable, s, retryAfter, null);
    }

    private static SentRequest decode(ChatRequest request, boolean streamed) {
        List<ToolCall> calls = new ArrayList<>();
        Map<String, String> results = new LinkedHashMap<>();
        for (ChatMessage m : request.messages()) {
            if (m instanceof AssistantMessage a) {
                calls.addAll(a.toolCalls());
            } else if (m instanceof ToolResultMessage t) {
                results.put(t.toolCallId(), t.content());
            }
        }
        return new SentRequest(
                streamed,
                calls,
                results,
                request.responseSchema().map(ResponseSchema::name).orElse(null));
    }
}
