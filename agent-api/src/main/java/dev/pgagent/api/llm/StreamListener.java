package dev.pgagent.api.llm;

/**
 * Receives a model's reply as it is written, during {@link LlmClient#chat(ChatRequest, StreamListener)}: text in
 * pieces, each tool call once it is whole (its arguments assembled from the provider's fragments), and reasoning in
 * pieces where the provider streams it. The usage comes with the {@link ChatResponse} the call returns. Methods are
 * called in the order the provider wrote, one at a time, on a thread of the client's; they must be quick. An
 * exception thrown here ends the call and is thrown to its caller.
 *
 * <pre>{@code
 * ChatResponse r = llm.chat(request, delta -> System.out.print(delta));
 * }</pre>
 */
@FunctionalInterface
public interface StreamListener {
    /** A listener that ignores everything. */
    StreamListener NONE = text -> {};

    /** Called for each piece of the reply's text, in order; the pieces joined are the reply's text. */
    void onText(String delta);

    /** Called once for each tool call, when it is whole. Default: ignores it. */
    default void onToolCall(ToolCall call) {}

    /** Called for each piece of the model's reasoning, where the provider streams it. Default: ignores it. */
    default void onThinking(String delta) {}
}
