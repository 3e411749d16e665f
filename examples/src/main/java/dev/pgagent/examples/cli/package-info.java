/** The {@code pg-agent} command-line client; the entry point is {@link dev.pgagent.examples.cli.PgAgentCli}. */
@NullMarked
package dev.pgagent.examples.cli;

import org.jspecify.annotations.NullMarked;
