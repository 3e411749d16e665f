/** Implementation of the schema context: text analysis, the inverted index, scoring and rendering. Not API. */
@NullMarked
package dev.pgagent.context.internal;

import org.jspecify.annotations.NullMarked;
