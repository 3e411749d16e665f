/**
 * The demo database (a small online shop generated deterministically, see {@link dev.pgagent.examples.demo.DemoDatabase})
 * and an embedded PostgreSQL to load it into.
 */
@NullMarked
package dev.pgagent.examples.demo;

import org.jspecify.annotations.NullMarked;
