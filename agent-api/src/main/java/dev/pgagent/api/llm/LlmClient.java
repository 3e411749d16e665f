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
}
