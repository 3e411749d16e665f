/**
 * Safety: the {@link dev.pgagent.api.safety.SafetyValidator} SPI, the {@link dev.pgagent.api.safety.SafetyPolicy}
 * it enforces, the {@link dev.pgagent.api.safety.Verdict} it returns, and the confirmation types through which a
 * person approves statements that need it.
 */
@NullMarked
package dev.pgagent.api.safety;

import org.jspecify.annotations.NullMarked;
