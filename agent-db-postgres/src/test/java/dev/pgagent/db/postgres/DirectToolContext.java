package dev.pgagent.db.postgres;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolContext;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A test-only tool context whose gateway calls {@link PostgresDatabase#read} and {@link PostgresDatabase#explainJson}
 * directly, with no validation (agent-core provides the real, guarded gateway).
 */
final class DirectToolContext implements ToolContext {
    private final PostgresDatabase db;
    private final ExecutionLimits limits;
    int executed;

    DirectToolContext(PostgresDatabase db, ExecutionLimits limits) {
        this.db = db;
        this.limits = limits;
    }

    @Override
    public SqlGateway sql() {
        return new SqlGateway() {
            @Override
            public StatementOutcome execute(String sql) {
                executed++;
                Verdict v = Verdict.allow(StatementKind.READ, "test gateway", Set.of());
                try {
                    return StatementOutcome.executed(sql, v, db.read(sql, limits, new QueryCancellation()));
                } catch (DatabaseException e) {
                    return StatementOutcome.failed(
                            sql, v, e.getMessage(), e.sqlState().orElse(null), Duration.ZERO);
                } catch (CancelledException e) {
                    return new StatementOutcome(
                            sql, v, StatementOutcome.Status.CANCELLED, null, -1, e.getMessage(), null, Duration.ZERO);
                }
            }

            @Override
            public StatementOutcome explain(String sql) {
                Verdict v = Verdict.allow(StatementKind.READ, "test gateway", Set.of());
                try {
                    String json = db.explainJson(sql, limits, new QueryCancellation());
                    QueryResult r = QueryResult.builder()
                            .columns(List.of(new ResultColumn("QUERY PLAN", "json", Types.OTHER)))
                            .addRow(List.of(json))
                            .build();
                    return StatementOutcome.executed(sql, v, r);
                } catch (DatabaseException e) {
                    return StatementOutcome.failed(
                            sql, v, e.getMessage(), e.sqlState().orElse(null), Duration.ZERO);
                }
            }

            @Override
            public StatementOutcome explainAnalyze(String sql) {
                Verdict v = Verdict.allow(StatementKind.READ, "test gateway", Set.of());
                try {
                    String json = db.explainAnalyzeJson(sql, limits, new QueryCancellation());
                    QueryResult r = QueryResult.builder()
                            .columns(List.of(new ResultColumn("QUERY PLAN", "json", Types.OTHER)))
                            .addRow(List.of(json))
                            .build();
                    return StatementOutcome.executed(sql, v, r);
                } catch (DatabaseException e) {
                    return StatementOutcome.failed(
                            sql, v, e.getMessage(), e.sqlState().orElse(null), Duration.ZERO);
                }
            }

            @Override
            public Verdict check(String sql) {
                return Verdict.allow(StatementKind.READ, "test gateway", Set.of());
            }
        };
    }

    @Override
    public String sessionId() {
        return "test-session";
    }

    @Override
    public String askId() {
        return "test-ask";
    }

    @Override
    public boolean isCancelled() {
        return false;
    }
}
