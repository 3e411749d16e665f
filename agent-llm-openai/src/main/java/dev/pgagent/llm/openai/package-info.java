/**
 * An {@link dev.pgagent.api.llm.LlmClient} for OpenAI's Chat Completions API and the servers that speak it (Azure
 * OpenAI, Ollama, vLLM, LM Studio, OpenRouter). Start at {@link dev.pgagent.llm.openai.OpenAiLlmClient#builder()}.
 */
@NullMarked
package dev.pgagent.llm.openai;

import org.jspecify.annotations.NullMarked;
