/** The agent loop, the guarded SQL gateway, prompt assembly, history and audit fan-out. Not API. */
@NullMarked
package dev.pgagent.core.internal;

import org.jspecify.annotations.NullMarked;
