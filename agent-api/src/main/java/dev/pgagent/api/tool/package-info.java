/**
 * Tools the model can call: the {@link dev.pgagent.api.tool.Tool} SPI, its arguments, its result, and the
 * {@link dev.pgagent.api.tool.ToolContext} a tool receives. Built-in tools and a host's own are the same kind of
 * thing.
 */
@NullMarked
package dev.pgagent.api.tool;

import org.jspecify.annotations.NullMarked;
