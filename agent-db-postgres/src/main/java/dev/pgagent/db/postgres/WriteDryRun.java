package dev.pgagent.db.postgres;

import dev.pgagent.api.sql.QueryResult;
import org.jspecify.annotations.Nullable;

/**
 * The result of a dry run of a write: what it would have changed. Nothing was committed. Immutable.
 *
 * @param affectedRows the number of rows the statement changed before it was rolled back
 * @param returnedRows the rows of its {@code RETURNING} clause (capped by the limits' row and byte caps), or null
 *     when the statement returns no rows
 */
public record WriteDryRun(long affectedRows, @Nullable QueryResult returnedRows) {}
