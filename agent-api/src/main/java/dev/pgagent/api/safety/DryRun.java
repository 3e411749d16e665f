package dev.pgagent.api.safety;

import dev.pgagent.api.sql.QueryResult;
import java.io.Serializable;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a write would do, learned by running it in a transaction that was rolled back.
 *
 * @param affectedRows the number of rows the statement changed in the dry run; -1 if it failed or cannot be
 *     dry-run (DDL)
 * @param sample a sample of the affected rows (from {@code RETURNING *} where the statement allows it), or null
 * @param error the database's error when the dry run failed, else null
 */
public record DryRun(long affectedRows, @Nullable QueryResult sample, @Nullable String error) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A statement that is not dry-run (DDL is shown as text only). */
    public static final DryRun NOT_APPLICABLE = new DryRun(-1, null, null);

    /** Returns the sample of affected rows, if one was taken. */
    public Optional<QueryResult> sampleRows() {
        return Optional.ofNullable(sample);
    }

    /** Returns whether the dry run failed. */
    public boolean failed() {
        return error != null;
    }
}
