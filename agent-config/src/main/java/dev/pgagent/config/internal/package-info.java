/** Implementation details of agent-config: the bounded YAML reader, value types, secret sources. Not API. */
@NullMarked
package dev.pgagent.config.internal;

import org.jspecify.annotations.NullMarked;
