package dev.pgagent.testkit;

import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SqlGateway} with scripted outcomes, for unit-testing tools without a database or a safety validator.
 * Statements are matched by their text with whitespace collapsed, case-insensitively, and a trailing semicolon
 * ignored. An unscripted statement gets the {@linkplain #otherwise fallback}; by default that is a
 * {@link StatementOutcome.Status#FAILED} outcome saying nothing was scripted, so a test notices. Every statement
 * passed to {@link #execute(String)} or {@link #explain(String)} is recorded. Thread-safe.
 *
 * <pre>{@code
 * FakeSqlGateway sql = FakeSqlGateway.create()
 *     .onQuery("select name from t",
 *         FakeSqlGateway.table(List.of("name"), List.of(List.of("a"), List.of("b"))))
 *     .onRefuse("drop table t", "DDL is not allowed")
 *     .onFail("select nope from t", "column \"nope\" does not exist", "42703");
 * }</pre>
 */
public final class FakeSqlGateway implements SqlGateway {
    private final Map<String, Function<String, StatementOutcome>> scripted = new LinkedHashMap<>();
    private final List<String> executed = new ArrayList<>();
    private Function<String, StatementOutcome> otherwise = sql -> StatementOutcome.failed(
            sql, read(), "FakeSqlGateway has no outcome scripted for: " + sql, null, Duration.ZERO);

    private FakeSqlGateway() {}

    /** Returns a gateway with nothing scripted. */
    public static FakeSqlGateway create() {
        return new FakeSqlGateway();
    }

    /** Returns a result table of text columns holding {@code rows}. */
    public static QueryResult table(List<String> columns, List<? extends List<@Nullable String>> rows) {
        QueryResult.Builder b = QueryResult.builder()
                .columns(columns.stream()
                        .map(c -> new ResultColumn(c, "text", Types.VARCHAR))
                        .toList());
        long bytes = 0;
        for (List<@Nullable String> row : rows) {
            b.addRow(row);
            for (String v : row) {
                bytes += v == null ? 0 : v.length();
            }
        }
        return b.byteCount(bytes).build();
    }

    /** Scripts {@code sql} to run as a read returning {@code result}. */
    public synchronized FakeSqlGateway onQuery(String sql, QueryResult result) {
        Objects.requireNonNull(result, "result == null");
        scripted.put(key(sql), s -> StatementOutcome.executed(s, read(), result));
        return this;
    }

    /** Scripts {@code sql} to be refused with {@code reason}. */
    public synchronized FakeSqlGateway onRefuse(String sql, String reason) {
        Objects.requireNonNull(reason, "reason == null");
        scripted.put(key(sql), s -> StatementOutcome.refused(s, Verdict.deny(StatementKind.OTHER, reason)));
        return this;
    }

    /** Scripts {@code sql} to fail in the database with {@code error} and the SQLSTATE {@code sqlState}. */
    public synchronized FakeSqlGateway onFail(String sql, String error, @Nullable String sqlState) {
        Objects.requireNonNull(error, "error == null");
        scripted.put(key(sql), s -> StatementOutcome.failed(s, read(), error, sqlState, Duration.ZERO));
        return this;
    }

    /** Scripts {@code sql} to produce whatever {@code outcome} returns for it. */
    public synchronized FakeSqlGateway on(String sql, Function<String, StatementOutcome> outcome) {
        scripted.put(key(sql), Objects.requireNonNull(outcome, "outcome == null"));
        return this;
    }

    /** Sets the outcome of unscripted statements. Default: a FAILED outcome saying nothing was scripted. */
    public synchronized FakeSqlGateway otherwise(Function<String, StatementOutcome> outcome) {
        this.otherwise = Objects.requireNonNull(outcome, "outcome == null");
        return this;
    }

    @Override
    public StatementOutcome execute(String sql) {
        Objects.requireNonNull(sql, "sql == null");
        Function<String, StatementOutcome> f;
        synchronized (this) {
            executed.add(sql);
            f = scripted.getOrDefault(key(sql), otherwise);
        }
        return f.apply(sql);
    }

    @Override
    public StatementOutcome explain(String sql) {
        return execute(sql);
    }

    /** Returns the verdict of the scripted outcome: deny for statements scripted as refused, else allow. */
    @Override
    public Verdict check(String sql) {
        Function<String, StatementOutcome> f;
        synchronized (this) {
            f = scripted.getOrDefault(key(sql), otherwise);
        }
        return f.apply(sql).verdict();
    }

    /** Returns a copy of the statements received so far, in order. */
    public synchronized List<String> executed() {
        return List.copyOf(executed);
    }

    private static Verdict read() {
        return Verdict.allow(StatementKind.READ, "scripted", Set.of());
    }

    private static String key(String sql) {
        Objects.requireNonNull(sql, "sql == null");
        String k = sql.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        return k.endsWith(";") ? k.substring(0, k.length() - 1).strip() : k;
    }
}
