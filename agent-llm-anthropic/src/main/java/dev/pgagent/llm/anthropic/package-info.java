/**
 * The Anthropic adapter: {@link dev.pgagent.llm.anthropic.AnthropicLlmClient}, an
 * {@link dev.pgagent.api.llm.LlmClient} for the Messages API.
 */
@NullMarked
package dev.pgagent.llm.anthropic;

import org.jspecify.annotations.NullMarked;
