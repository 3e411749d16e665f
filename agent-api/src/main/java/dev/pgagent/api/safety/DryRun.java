package dev.pgagent.api.safety;

import dev.pgagent.api.sql.QueryResult;
import java.io.Serializable;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a write would do, learned by running it in a transaction that was rolled back, or, for an estimate-only dry
 * run, from the planner's estimate ({@code EXPLAIN}, nothing executed). A rolled-back dry run changes no rows, but it
 * can leave traces: sequences it advanced stay advanced (gaps in ids), and triggers or functions with
 * non-transactional effects (notifications sent after commit are not, but e-mail, files, dblink calls are) have run.
 *
 * @param affectedRows the number of rows the statement changed in the dry run (or the planner's estimate); -1 if it
 *     failed or cannot be dry-run (DDL)
 * @param sample a sample of the affected rows (from {@code RETURNING *} where the statement allows it), or null
 * @param error the database's error when the dry run failed, else null
 * @param estimated whether {@code affectedRows} is the planner's estimate (nothing executed)
 */
public record DryRun(
        long affectedRows,
        @Nullable QueryResult sample,
        @Nullable String error,
        boolean estimated) implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Creates the result of an executed (rolled-back) dry run. */
    public DryRun(long affectedRows, @Nullable QueryResult sample, @Nullable String error) {
        this(affectedRows, sample, error, false);
    }

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
