/**
 * Wire format, mapping and error mapping of the Anthropic adapter. Not API: may change at any time.
 */
@NullMarked
package dev.pgagent.llm.anthropic.internal;

import org.jspecify.annotations.NullMarked;
