/**
 * The SQL safety validator on JSqlParser: {@link dev.pgagent.safety.JSqlParserSafetyValidator} classifies a SQL
 * text and enforces a {@link dev.pgagent.api.safety.SafetyPolicy}.
 */
@NullMarked
package dev.pgagent.safety;

import org.jspecify.annotations.NullMarked;
