/**
 * Traces and metrics of pgagent through the OpenTelemetry API: {@link dev.pgagent.opentelemetry.AgentTelemetry} is
 * an {@link dev.pgagent.core.AgentListener} that turns the agent's events into spans (ask, model call, tool call,
 * statement) and metrics, following OpenTelemetry's GenAI and database semantic conventions.
 */
@NullMarked
package dev.pgagent.opentelemetry;

import org.jspecify.annotations.NullMarked;
