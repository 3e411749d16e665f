/**
 * Shared sessions: the {@link dev.pgagent.api.session.SessionStore} SPI that lets any node continue a conversation or
 * resume an ask waiting for confirmation, with optimistic concurrency.
 */
@NullMarked
package dev.pgagent.api.session;

import org.jspecify.annotations.NullMarked;
