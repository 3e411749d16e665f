/** Gold SQL analysis (JSqlParser) and the results file of the evaluation harness. Not API. */
@NullMarked
package dev.pgagent.core.eval.internal;

import org.jspecify.annotations.NullMarked;
