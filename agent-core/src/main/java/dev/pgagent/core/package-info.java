/**
 * The agent: {@link dev.pgagent.core.PostgresAgent} and its builder, {@link dev.pgagent.core.AgentSession}s (one per
 * user conversation), the {@link dev.pgagent.core.AgentResponse} of an ask, step listeners and the audit sinks that
 * ship with the library ({@link dev.pgagent.core.AuditSinks}).
 */
@NullMarked
package dev.pgagent.core;

import org.jspecify.annotations.NullMarked;
