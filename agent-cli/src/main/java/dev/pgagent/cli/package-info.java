/** The {@code pg-agent} command-line client; the entry point is {@link dev.pgagent.cli.PgAgentCli}. */
@NullMarked
package dev.pgagent.cli;

import org.jspecify.annotations.NullMarked;
