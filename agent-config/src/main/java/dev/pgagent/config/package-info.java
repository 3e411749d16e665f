/** Loads pgagent's YAML configuration file. */
@NullMarked
package dev.pgagent.config;

import org.jspecify.annotations.NullMarked;
