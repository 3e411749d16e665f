/**
 * The demo database (a small online shop generated deterministically, see {@link dev.pgagent.cli.demo.DemoDatabase})
 * and an embedded PostgreSQL to load it into.
 */
@NullMarked
package dev.pgagent.cli.demo;

import org.jspecify.annotations.NullMarked;
