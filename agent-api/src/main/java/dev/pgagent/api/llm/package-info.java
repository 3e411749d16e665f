/**
 * The chat model: messages, tool specifications, requests and responses, and the {@link dev.pgagent.api.llm.LlmClient}
 * SPI a provider adapter implements. All values are immutable and thread-safe.
 */
@NullMarked
package dev.pgagent.api.llm;

import org.jspecify.annotations.NullMarked;
