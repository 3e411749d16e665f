/**
 * PostgreSQL adapter: data sources from libpq-style settings ({@link dev.pgagent.db.postgres.PgDataSources}),
 * schema introspection from {@code pg_catalog} ({@link dev.pgagent.api.schema.SchemaModel}), guarded execution
 * ({@link dev.pgagent.db.postgres.PostgresDatabase}) and the built-in tools
 * ({@link dev.pgagent.db.postgres.PostgresTools}).
 */
@NullMarked
package dev.pgagent.db.postgres;

import org.jspecify.annotations.NullMarked;
