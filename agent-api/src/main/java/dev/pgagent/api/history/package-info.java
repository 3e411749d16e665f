/**
 * The record of asks: the {@link dev.pgagent.api.history.HistoryStore} SPI an agent records each ask to, the
 * {@link dev.pgagent.api.history.HistorySearch} a host reads it back through, and the
 * {@link dev.pgagent.api.history.QueryMemory} of (question, SQL) pairs the agent shows the model as examples.
 */
@NullMarked
@Experimental
package dev.pgagent.api.history;

import dev.pgagent.api.Experimental;
import org.jspecify.annotations.NullMarked;
