package dev.pgagent.api.llm;

/**
 * Sends one chat turn to a language model. Swapping a provider means passing another implementation.
 * Implementations must be safe for concurrent use by many threads, and never show the credentials they hold in an
 * exception message or in {@code toString()}. {@code dev.pgagent.testkit.contract.LlmClientContract} (agent-testkit)
 * checks an implementation against a scripted server.
 *
 * <pre>{@code
 * ChatResponse response = llm.chat(ChatRequest.builder()
 *     .addMessage(new UserMessage("How many customers are there?"))
 *     .build());
 * }</pre>
 *
 * <p>Only {@link #chat(ChatRequest)} must be implemented. A client that can stream overrides
 * {@link #chat(ChatRequest, StreamListener)}, and says what it can do in {@link #info()}, so that the agent adapts.
 */
@FunctionalInterface
public interface LlmClient {
    /**
     * Sends the request and waits for the model's reply.
     *
     * @throws dev.pgagent.api.LlmException if the provider call fails; see
     *     {@link dev.pgagent.api.LlmException#isRetryable()}
     * @throws dev.pgagent.api.CancelledException if the calling thread is interrupted while waiting
     */
    ChatResponse chat(ChatRequest request);

    /**
     * Sends the request and passes the reply to {@code listener} as it arrives, then returns it whole, usage
     * included. Interrupting the calling thread closes the stream at once. The default, for clients that cannot
     * stream, calls {@link #chat(ChatRequest)} and then gives the listener the whole text and each tool call.
     *
     * @throws dev.pgagent.api.LlmException if the provider call fails, also when the stream breaks off before its
     *     end (a partial reply is never returned)
     * @throws dev.pgagent.api.CancelledException if the calling thread is interrupted while waiting
     */
    default ChatResponse chat(ChatRequest request, StreamListener listener) {
        ChatResponse response = chat(request);
        String text = response.message().text();
        if (text != null && !text.isEmpty()) {
            listener.onText(text);
        }
        response.message().toolCalls().forEach(listener::onToolCall);
        return response;
    }

    /**
     * Returns the provider, the default model and what it can do. Default: {@link ProviderInfo#UNKNOWN} (tools and
     * parallel tool calls; no streaming, no native structured output).
     */
    default ProviderInfo info() {
        return ProviderInfo.UNKNOWN;
    }
}
