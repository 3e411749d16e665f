/**
 * The pgagent contract: the exception hierarchy and annotations shared by every module. Sub-packages hold the chat
 * model ({@code llm}), tools ({@code tool}), SQL values ({@code sql}), safety ({@code safety}) and audit
 * ({@code audit}). This module depends on nothing but the JDK and JSpecify annotations.
 */
@NullMarked
package dev.pgagent.api;

import org.jspecify.annotations.NullMarked;
