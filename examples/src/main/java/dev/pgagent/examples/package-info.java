/**
 * Runnable examples of embedding pgagent: {@link dev.pgagent.examples.Quickstart} (an agent in ten lines),
 * {@link dev.pgagent.examples.CustomTool} (a host tool the model can call) and {@link dev.pgagent.examples.SwapProvider}
 * (the same agent against another OpenAI-compatible server).
 */
@NullMarked
package dev.pgagent.examples;

import org.jspecify.annotations.NullMarked;
