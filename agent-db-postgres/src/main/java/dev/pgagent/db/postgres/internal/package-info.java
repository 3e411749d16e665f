/** Implementation details of the PostgreSQL adapter; not API, may change without notice. */
@NullMarked
package dev.pgagent.db.postgres.internal;

import org.jspecify.annotations.NullMarked;
