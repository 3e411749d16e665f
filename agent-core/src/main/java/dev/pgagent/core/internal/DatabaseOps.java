package dev.pgagent.core.internal;

import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.ExportResult;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.db.postgres.ExecutionLimits;
import dev.pgagent.db.postgres.ExportTarget;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.db.postgres.QueryCancellation;
import dev.pgagent.db.postgres.WriteDryRun;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/** The database operations the guarded gateway needs; {@link #of(PostgresDatabase)} is the real one. */
public interface DatabaseOps {
    /** See {@link PostgresDatabase#read}. */
    QueryResult read(String sql, ExecutionLimits limits, QueryCancellation cancellation);

    /** See {@link PostgresDatabase#explainJson}. */
    String explainJson(String sql, ExecutionLimits limits, QueryCancellation cancellation);

    /**
     * See {@link PostgresDatabase#explainAnalyzeJson}. This default refuses, for operations that cannot run
     * EXPLAIN ANALYZE.
     */
    default String explainAnalyzeJson(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
        throw new dev.pgagent.api.DatabaseException("refused: EXPLAIN ANALYZE is not available here", null, null);
    }

    /** See {@link PostgresDatabase#dryRun}. */
    WriteDryRun dryRun(String sql, ExecutionLimits limits, QueryCancellation cancellation);

    /** See {@link PostgresDatabase#apply}. */
    long apply(String sql, long expectedRows, ExecutionLimits limits, QueryCancellation cancellation);

    /** See {@link PostgresDatabase#applyAtMost}. */
    long applyAtMost(String sql, long maxRows, ExecutionLimits limits, QueryCancellation cancellation);

    /**
     * See {@link PostgresDatabase#export}. The default refuses: operations that cannot export (test doubles) need
     * not implement it.
     */
    default ExportResult export(
            String sql,
            ExportOptions options,
            ExecutionLimits limits,
            QueryCancellation cancellation,
            ExportTarget target,
            @Nullable UnaryOperator<QueryResult> rowFilter) {
        throw new UnsupportedOperationException("these database operations cannot export");
    }

    /** Returns operations backed by {@code db}. */
    static DatabaseOps of(PostgresDatabase db) {
        Objects.requireNonNull(db, "db == null");
        return new DatabaseOps() {
            @Override
            public QueryResult read(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
                return db.read(sql, limits, cancellation);
            }

            @Override
            public String explainJson(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
                return db.explainJson(sql, limits, cancellation);
            }

            @Override
            public String explainAnalyzeJson(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
                return db.explainAnalyzeJson(sql, limits, cancellation);
            }

            @Override
            public WriteDryRun dryRun(String sql, ExecutionLimits limits, QueryCancellation cancellation) {
                return db.dryRun(sql, limits, cancellation);
            }

            @Override
            public long apply(String sql, long expectedRows, ExecutionLimits limits, QueryCancellation cancellation) {
                return db.apply(sql, expectedRows, limits, cancellation);
            }

            @Override
            public long applyAtMost(String sql, long maxRows, ExecutionLimits limits, QueryCancellation cancellation) {
                return db.applyAtMost(sql, maxRows, limits, cancellation);
            }

            @Override
            public ExportResult export(
                    String sql,
                    ExportOptions options,
                    ExecutionLimits limits,
                    QueryCancellation cancellation,
                    ExportTarget target,
                    @Nullable UnaryOperator<QueryResult> rowFilter) {
                return db.export(sql, options, limits, cancellation, target, rowFilter);
            }
        };
    }
}
