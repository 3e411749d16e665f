/**
 * Versioned migrations in Flyway's layout: {@link dev.pgagent.core.migration.Migrations} turns a proposed change (an
 * index, a column, a constraint: SQL and a description) into a {@code V<version>__<description>.sql} file with an
 * undo script where one exists, shows which files are applied, and applies pending ones through the agent's guarded
 * path, recording them in Flyway's {@code flyway_schema_history} table.
 */
@NullMarked
package dev.pgagent.core.migration;

import org.jspecify.annotations.NullMarked;
