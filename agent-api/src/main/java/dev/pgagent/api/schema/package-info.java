/**
 * The schema vocabulary every module shares: relations, columns, keys, foreign keys, indexes and enum types as a
 * database adapter reads them ({@link dev.pgagent.api.schema.SchemaModel}), the
 * {@link dev.pgagent.api.schema.SchemaSource} through which an adapter supplies the current schema and says when it
 * changed, and the {@link dev.pgagent.api.schema.ValueSampler} that reads example values of columns.
 */
@NullMarked
package dev.pgagent.api.schema;

import org.jspecify.annotations.NullMarked;
