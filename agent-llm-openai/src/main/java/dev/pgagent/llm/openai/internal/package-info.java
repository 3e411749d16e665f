/**
 * Wire format, mapping, error mapping and retry arithmetic of the OpenAI adapter. Not API: may change at any time.
 */
@NullMarked
package dev.pgagent.llm.openai.internal;

import org.jspecify.annotations.NullMarked;
