package dev.pgagent.testkit;

import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.tool.ToolContext;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link ToolContext} for calling a tool directly in a unit test, with a {@link FakeSqlGateway} (or any gateway)
 * behind {@link #sql()}. Thread-safe.
 *
 * <pre>{@code
 * FakeSqlGateway sql = FakeSqlGateway.create()
 *     .onQuery("select count(*) from orders", FakeSqlGateway.table(List.of("count"),
 *         List.of(List.of("42"))));
 * ToolResult r = myTool.execute(ToolArguments.of(Map.of("table", "orders"), "{}"), FakeToolContext.of(sql));
 * assertThat(sql.executed()).containsExactly("select count(*) from orders");
 * }</pre>
 */
public final class FakeToolContext implements ToolContext {
    private final SqlGateway sql;
    private final String sessionId;
    private final String askId;
    private final AtomicBoolean cancelled = new AtomicBoolean();

    private FakeToolContext(SqlGateway sql, String sessionId, String askId) {
        this.sql = Objects.requireNonNull(sql, "sql == null");
        this.sessionId = Objects.requireNonNull(sessionId, "sessionId == null");
        this.askId = Objects.requireNonNull(askId, "askId == null");
    }

    /** Returns a context over {@code sql} with session {@code test-session} and ask {@code test-ask}. */
    public static FakeToolContext of(SqlGateway sql) {
        return new FakeToolContext(sql, "test-session", "test-ask");
    }

    /** Returns a context over {@code sql} with the given session and ask identifiers. */
    public static FakeToolContext of(SqlGateway sql, String sessionId, String askId) {
        return new FakeToolContext(sql, sessionId, askId);
    }

    /** Returns a context over a {@link FakeSqlGateway} with nothing scripted. */
    public static FakeToolContext create() {
        return of(FakeSqlGateway.create());
    }

    /** Marks the ask as cancelled, so {@link #isCancelled()} returns true from now on. */
    public void cancel() {
        cancelled.set(true);
    }

    @Override
    public SqlGateway sql() {
        return sql;
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public String askId() {
        return askId;
    }

    @Override
    public boolean isCancelled() {
        return cancelled.get();
    }
}
