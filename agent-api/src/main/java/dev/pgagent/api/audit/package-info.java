/**
 * Audit: the {@link dev.pgagent.api.audit.AuditSink} SPI and the {@link dev.pgagent.api.audit.AuditEvent} it
 * receives.
 */
@NullMarked
package dev.pgagent.api.audit;

import org.jspecify.annotations.NullMarked;
