package dev.pgagent.api.llm;

/** Something a provider and model can do, as {@link ProviderInfo#capabilities()} reports it. */
public enum Capability {
    /** The model calls tools. */
    TOOLS,
    /** The model may call several tools in one turn. */
    PARALLEL_TOOL_CALLS,
    /** The client streams replies ({@link LlmClient#chat(ChatRequest, StreamListener)} delivers them as written). */
    STREAMING,
    /** The provider constrains the reply to a {@link ResponseSchema} itself; otherwise the schema goes in the prompt. */
    STRUCTURED_OUTPUT,
    /** The model reasons before answering (reasoning effort or extended thinking apply). */
    REASONING
}
