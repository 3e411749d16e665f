/** Finds a PostgreSQL for the project's own integration tests. Not a published module. */
@NullMarked
package dev.pgagent.testsupport;

import org.jspecify.annotations.NullMarked;
