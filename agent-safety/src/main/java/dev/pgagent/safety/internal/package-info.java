/** Internal visitors and helpers of the safety validator; not API. */
@NullMarked
package dev.pgagent.safety.internal;

import org.jspecify.annotations.NullMarked;
