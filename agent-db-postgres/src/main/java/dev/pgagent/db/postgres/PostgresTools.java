package dev.pgagent.db.postgres;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolContext;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.db.postgres.internal.SchemaText;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The built-in database tools: {@code execute_query}, {@code list_tables}, {@code describe_table},
 * {@code get_schema} and {@code explain_query}. {@code execute_query} and {@code explain_query} go through
 * {@link dev.pgagent.api.tool.ToolContext#sql()} (the agent's guarded gateway), never straight to the database;
 * the others read {@link PostgresDatabase#schema()}. Results are compact text sized for a model's context (at most
 * {@value #MAX_CHARS} characters, {@value #MAX_SCHEMA_CHARS} for {@code get_schema}) and say when they were cut.
 * Bad arguments are returned as error results; in a cancelled ask each tool throws
 * {@link dev.pgagent.api.CancelledException} before it does anything.
 *
 * <pre>{@code
 * List<Tool> tools = PostgresTools.builtIns(PostgresDatabase.of(dataSource));
 * }</pre>
 */
public final class PostgresTools {
    /** The size budget of a tool result, in characters. */
    public static final int MAX_CHARS = 12_000;

    /** The size budget of {@code get_schema}'s result, in characters. */
    public static final int MAX_SCHEMA_CHARS = 16_000;

    /** Name of the tool that runs one SQL statement. */
    public static final String EXECUTE_QUERY = "execute_query";

    /** Name of the tool that lists relations. */
    public static final String LIST_TABLES = "list_tables";

    /** Name of the tool that describes one relation. */
    public static final String DESCRIBE_TABLE = "describe_table";

    /** Name of the tool that returns the compact schema. */
    public static final String GET_SCHEMA = "get_schema";

    /** Name of the tool that explains a statement's plan. */
    public static final String EXPLAIN_QUERY = "explain_query";

    /** Name of the tool that runs the health checks of {@link DatabaseHealth}. */
    public static final String DATABASE_HEALTH = "database_health";

    private PostgresTools() {}

    /**
     * Returns the {@code database_health} tool: it runs {@link DatabaseHealth#check} through the call's guarded
     * gateway and returns the report as text. Not among {@link #builtIns}; a host adds it where a model should see
     * the database's maintenance state. Stateless and safe for concurrent use.
     */
    @dev.pgagent.api.Experimental
    public static Tool databaseHealth() {
        ToolSpec spec = new ToolSpec(
                DATABASE_HEALTH,
                "Checks the database's health from its catalog and statistics views: unused, duplicate and "
                        + "invalid indexes, tables never vacuumed or analyzed or with many dead rows, table and index "
                        + "bloat (estimated), transaction ID age against wraparound, sequences near exhaustion, "
                        + "connections in use against max_connections, the cache hit ratio, long transactions, "
                        + "sessions idle in a transaction, and replication lag. Each issue comes with a severity "
                        + "(INFO, WARNING, CRITICAL), the numbers and a fix. Reads only.",
                "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}");
        return tool(spec, (args, ctx) -> {
            String text = DatabaseHealth.check(ctx.sql()).toText();
            return ToolResult.of(text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS - 20) + "\n[cut]");
        });
    }

    /** Name of the tool that recommends indexes with {@link IndexAdvisor}. */
    public static final String SUGGEST_INDEXES = "suggest_indexes";

    /** Most statements the {@code suggest_indexes} tool reads from {@code pg_stat_statements}. */
    public static final int WORKLOAD_STATEMENTS = 20;

    /**
     * Returns the {@code suggest_indexes} tool with the advisor's default settings; see
     * {@link #suggestIndexes(PostgresDatabase, IndexAdvisor)}.
     */
    @dev.pgagent.api.Experimental
    public static Tool suggestIndexes(PostgresDatabase db) {
        return suggestIndexes(
                db,
                IndexAdvisor.builder()
                        .validator(sql -> dev.pgagent.api.safety.Verdict.deny(
                                dev.pgagent.api.safety.StatementKind.UNPARSEABLE, "replaced by the call's gateway"))
                        .build());
    }

    /**
     * Returns the {@code suggest_indexes} tool: it runs {@code settings} (budget, minimum gain, hypopg, whether a
     * rolled-back real build is allowed: the host's choices, never the model's) on the statements the model gives,
     * or, given none, on the top {@value #WORKLOAD_STATEMENTS} reads of {@code pg_stat_statements}, and returns the
     * advice as text. Each statement is explained once through the call's gateway
     * ({@link dev.pgagent.api.sql.SqlGateway#explain}: validation, plan check of denied data, audit), and one it
     * refuses is skipped; the others must pass the gateway's check ({@link dev.pgagent.api.sql.SqlGateway#check}) as
     * reads. The advisor's own catalog reads, hypothetical indexes and EXPLAINs run on one connection of
     * {@code db}'s data source in a transaction that is rolled back. Not among {@link #builtIns}; a host adds it where
     * a model should tune queries. Stateless and safe for concurrent use.
     */
    @dev.pgagent.api.Experimental
    public static Tool suggestIndexes(PostgresDatabase db, IndexAdvisor settings) {
        Objects.requireNonNull(db, "db == null");
        Objects.requireNonNull(settings, "settings == null");
        ToolSpec spec = new ToolSpec(
                SUGGEST_INDEXES,
                "Recommends indexes for read statements: candidate indexes from their filters, joins and sort keys "
                        + "are costed with hypothetical indexes (nothing is built) and the best are picked under a "
                        + "size budget. Each recommendation has the estimated cost before and after, its size and "
                        + "the CREATE INDEX CONCURRENTLY statement (not run). Without statements, the database's "
                        + "most time-consuming reads from pg_stat_statements are used.",
                "{\"type\":\"object\",\"properties\":{\"statements\":{\"type\":\"array\",\"items\":"
                        + "{\"type\":\"string\"},\"description\":\"The SELECT statements to tune, one per item; "
                        + "empty for the workload of pg_stat_statements\"},\"budget_mb\":{\"type\":\"integer\","
                        + "\"minimum\":1,\"description\":\"The most megabytes the new indexes may take "
                        + "together; default no budget\"}},\"additionalProperties\":false}");
        return tool(spec, (args, ctx) -> {
            List<String> statements = args.strings("statements").stream()
                    .filter(s -> !s.isBlank())
                    .toList();
            IndexAdvisor.Builder b = settings.toBuilder();
            Optional<Long> mb = args.integer("budget_mb");
            if (mb.isPresent()) {
                if (mb.get() < 1) {
                    return ToolResult.error("budget_mb must be >= 1 but was " + mb.get());
                }
                b.budgetBytes(mb.get() * 1024 * 1024);
            }
            IndexAdvisor.Workload workload = statements.isEmpty()
                    ? IndexAdvisor.topStatements(db.dataSource(), WORKLOAD_STATEMENTS)
                    : IndexAdvisor.Workload.of(statements);
            if (workload.statements().isEmpty()) {
                return ToolResult.error("No statements to advise on: " + String.join("; ", workload.notes()));
            }
            // each statement takes the guarded path once (validation, plan check of denied data, audit) as an
            // EXPLAIN; one the guard refuses is refused to the advisor too, the rest are checked as reads
            java.util.Map<String, dev.pgagent.api.safety.Verdict> refused = new java.util.HashMap<>();
            for (IndexAdvisor.WorkloadStatement w : workload.statements()) {
                StatementOutcome o = ctx.sql().explain(w.sql());
                if (o.status() == StatementOutcome.Status.REFUSED) {
                    refused.put(
                            IndexAdvisor.trimmed(w.sql()),
                            dev.pgagent.api.safety.Verdict.deny(
                                    o.verdict().kind(),
                                    nonNull(o.error(), o.verdict().reason()),
                                    o.verdict().tables()));
                }
            }
            b.validator(sql -> {
                dev.pgagent.api.safety.Verdict v = refused.get(sql);
                return v != null ? v : ctx.sql().check(sql);
            });
            return ToolResult.of(b.build().advise(db.dataSource(), workload).toText(MAX_CHARS));
        });
    }

    /**
     * Returns the five built-in tools over {@code db}, in this order: execute_query, list_tables, describe_table,
     * get_schema, explain_query. The tools are stateless and safe for concurrent use.
     */
    public static List<Tool> builtIns(PostgresDatabase db) {
        Objects.requireNonNull(db, "db == null");
        return List.of(executeQuery(), listTables(db), describeTable(db), getSchema(db), explainQuery(db));
    }

    private static Tool executeQuery() {
        ToolSpec spec = new ToolSpec(
                EXECUTE_QUERY,
                "Runs one SQL statement (PostgreSQL dialect) and returns its rows as a text table. Send exactly one "
                        + "statement, no transaction control. Reads run in a read-only transaction with a time limit; "
                        + "results are capped in rows and size, and the output says when rows were left out (then "
                        + "aggregate, filter or add LIMIT, or read the next page with offset). Writes run only if the "
                        + "policy allows them, after a person confirms.",
                "{\"type\":\"object\",\"properties\":{\"sql\":{\"type\":\"string\",\"description\":"
                        + "\"One SQL statement in PostgreSQL syntax,"
                        + " e.g. SELECT name FROM public.customers LIMIT 10\"},"
                        + "\"offset\":{\"type\":\"integer\",\"minimum\":0,\"description\":"
                        + "\"For a read whose earlier output said more rows exist: the rows to skip, as that output"
                        + " says, to read the next page of the same statement\"}},"
                        + "\"required\":[\"sql\"],\"additionalProperties\":false}");
        return tool(spec, (args, ctx) -> {
            String sql = args.requireString("sql");
            long offset = args.integer("offset").orElse(0L);
            if (offset < 0) {
                return ToolResult.error("offset must be >= 0 but was " + offset);
            }
            StatementOutcome o = ctx.sql().execute(offset > 0 ? Paging.page(sql, offset, 0) : sql);
            return switch (o.status()) {
                case EXECUTED -> {
                    QueryResult r = o.result();
                    if (r != null) {
                        yield ToolResult.of(pageText(r, offset), r);
                    }
                    yield ToolResult.of("OK: " + Math.max(0, o.affectedRows()) + " rows affected.");
                }
                case REFUSED ->
                    ToolResult.error("Refused by the safety policy: " + clause(nonNull(o.error(), "no reason"))
                            + ". Rewrite the statement so the policy allows it.");
                case FAILED ->
                    ToolResult.error("PostgreSQL error"
                            + (o.sqlState() == null ? "" : " [SQLSTATE " + o.sqlState() + "]") + ": "
                            + nonNull(o.error(), "unknown error"));
                case CANCELLED ->
                    ToolResult.error(
                            "Cancelled: " + clause(nonNull(o.error(), "the statement was cancelled or ran out of time"))
                                    + ". Try a cheaper query.");
                case PENDING_CONFIRMATION ->
                    ToolResult.of("The statement needs a person's confirmation and has not run yet. "
                            + nonNull(o.error(), ""));
                case DECLINED ->
                    ToolResult.error(
                            "The statement was declined and did not run; nothing changed. " + nonNull(o.error(), ""));
            };
        });
    }

    /**
     * Returns a read's text table, and, when rows follow those shown (cut by the caps, which fetch one row more
     * than they keep, or by the size budget), where the next page starts.
     */
    private static String pageText(QueryResult r, long offset) {
        ResultFormatter.Page page = ResultFormatter.page(r, MAX_CHARS - 200);
        boolean more = page.shownRows() < r.rowCount() || r.isTruncated();
        StringBuilder sb = new StringBuilder(page.text());
        if (offset > 0) {
            sb.append("\n(rows ")
                    .append(offset + 1)
                    .append(" to ")
                    .append(offset + page.shownRows())
                    .append(" of the statement)");
        }
        if (more && page.shownRows() == 0) {
            sb.append("\nThe rows are too wide to show; select fewer or shorter columns.");
        } else if (more) {
            sb.append("\nMore rows exist. To read on, call execute_query with the same sql and \"offset\": ")
                    .append(offset + page.shownRows())
                    .append('.');
        }
        return sb.toString();
    }

    private static Tool listTables(PostgresDatabase db) {
        ToolSpec spec = new ToolSpec(
                LIST_TABLES,
                "Lists the tables, partitioned tables, views, materialized views and foreign tables, one line each "
                        + "with kind, estimated row count and comment. Optionally only those of one schema.",
                "{\"type\":\"object\",\"properties\":{\"schema\":{\"type\":\"string\",\"description\":"
                        + "\"Only list relations of this schema, e.g. public\"}},\"additionalProperties\":false}");
        return tool(spec, (args, ctx) -> {
            Optional<String> schema = args.string("schema").map(String::strip).filter(s -> !s.isEmpty());
            SchemaModel model = db.schema();
            if (schema.isPresent() && model.schemas().stream().noneMatch(s -> s.equalsIgnoreCase(schema.get()))) {
                return ToolResult.error(
                        "Unknown schema '" + schema.get() + "'. Schemas: " + String.join(", ", model.schemas()));
            }
            return ToolResult.of(SchemaText.list(model, schema.orElse(null), MAX_CHARS));
        });
    }

    private static Tool describeTable(PostgresDatabase db) {
        ToolSpec spec = new ToolSpec(
                DESCRIBE_TABLE,
                "Describes one table or view: columns with types, nullability, defaults and comments; primary key, "
                        + "unique constraints, foreign keys in both directions (what it references and what "
                        + "references it), check constraints, indexes, comment and estimated row count.",
                "{\"type\":\"object\",\"properties\":{\"table\":{\"type\":\"string\",\"description\":"
                        + "\"Table name, optionally schema-qualified, e.g. orders or sales.orders\"}},"
                        + "\"required\":[\"table\"],\"additionalProperties\":false}");
        return tool(spec, (args, ctx) -> {
            String name = args.requireString("table").strip();
            SchemaModel model = db.schema();
            Optional<TableInfo> t = model.table(name);
            if (t.isPresent()) {
                return ToolResult.of(SchemaText.describe(model, t.get(), MAX_CHARS));
            }
            List<String> same = SchemaText.sameName(model, name);
            if (same.size() > 1 && !name.contains(".")) {
                return ToolResult.error("'" + name + "' is ambiguous: " + String.join(", ", same)
                        + ". Give the schema-qualified name.");
            }
            List<String> close = SchemaText.closeMatches(model, name, 8);
            return ToolResult.error("Unknown table '" + PgAgentException.abbreviate(name, 100) + "'."
                    + (close.isEmpty()
                            ? " Use list_tables to see the tables."
                            : " Did you mean: " + String.join(", ", close) + "?"));
        });
    }

    private static Tool getSchema(PostgresDatabase db) {
        ToolSpec spec = new ToolSpec(
                GET_SCHEMA,
                "Returns a compact overview of the database schema: enum types with their labels, then each "
                        + "relation with one line a column (type, PK, NOT NULL, FK->referenced column, default, "
                        + "comment). Use the filter on large databases; the output says when it was cut.",
                "{\"type\":\"object\",\"properties\":{\"filter\":{\"type\":\"string\",\"description\":"
                        + "\"Comma-separated parts of schema or table names; * is a wildcard, e.g. order*, "
                        + "customer\"}},\"additionalProperties\":false}");
        return tool(
                spec,
                (args, ctx) -> ToolResult.of(
                        SchemaText.overview(db.schema(), args.string("filter").orElse(null), MAX_SCHEMA_CHARS)));
    }

    private static Tool explainQuery(PostgresDatabase db) {
        ToolSpec spec = new ToolSpec(
                EXPLAIN_QUERY,
                "Shows the plan PostgreSQL chooses for one SQL statement: the plan tree with estimated cost and rows "
                        + "per step, then findings with fixes (sequential scans of large tables under a selective "
                        + "filter, functions on indexed columns, joins on unindexed foreign keys, nested loops over "
                        + "many rows; with analyze also row misestimates and sorts or hashes spilling to disk). "
                        + "Without analyze nothing runs. With analyze=true a query (never a write) is executed in a "
                        + "read-only transaction that is rolled back, under the time limit, and actual rows and "
                        + "times are shown. Use it to check or tune an expensive query.",
                "{\"type\":\"object\",\"properties\":{\"sql\":{\"type\":\"string\",\"description\":"
                        + "\"The statement to explain (without EXPLAIN)\"},\"analyze\":{\"type\":\"boolean\","
                        + "\"description\":\"Run the query to get actual rows and times (EXPLAIN ANALYZE); "
                        + "default false\"}},\"required\":[\"sql\"],"
                        + "\"additionalProperties\":false}");
        return tool(spec, (args, ctx) -> explain(db, args, ctx));
    }

    private static ToolResult explain(PostgresDatabase db, ToolArguments args, ToolContext ctx) {
        String sql = args.requireString("sql");
        boolean analyze = args.bool("analyze").orElse(false);
        StatementOutcome o = analyze ? ctx.sql().explainAnalyze(sql) : ctx.sql().explain(sql);
        if (!o.isExecuted()) {
            String why = nonNull(o.error(), o.status().name().toLowerCase(java.util.Locale.ROOT));
            return ToolResult.error(
                    switch (o.status()) {
                        case REFUSED -> "Refused by the safety policy: " + why;
                        case FAILED ->
                            "PostgreSQL error" + (o.sqlState() == null ? "" : " [SQLSTATE " + o.sqlState() + "]") + ": "
                                    + why;
                        default -> "Could not explain the statement: " + why;
                    });
        }
        QueryResult r = o.result();
        String json = r == null || r.rowCount() == 0 ? null : r.rows().get(0).get(0);
        if (json == null) {
            return ToolResult.error("EXPLAIN returned no plan.");
        }
        @Nullable SchemaModel model;
        try {
            model = db.schema();
        } catch (PgAgentException e) {
            model = null;
        }
        String summary;
        try {
            summary = PlanAnalysis.of(json, model).toText(MAX_CHARS);
        } catch (IllegalArgumentException e) {
            return ToolResult.error("EXPLAIN returned no readable plan: " + nonNull(e.getMessage(), "not JSON"));
        }
        return ToolResult.of(summary);
    }

    /**
     * Returns a tool that stops at once in a cancelled ask ({@link CancelledException}, which the agent handles) and
     * reports bad arguments (the {@link IllegalArgumentException} of {@link ToolArguments}' accessors, whose message is
     * written for the model) as an error result, as {@link Tool#execute} asks of expected failures.
     */
    private static Tool tool(ToolSpec spec, Tool.Handler handler) {
        return Tool.of(spec, (args, ctx) -> {
            ctx.throwIfCancelled();
            try {
                return handler.execute(args, ctx);
            } catch (IllegalArgumentException e) {
                return ToolResult.error("Invalid arguments for " + spec.name() + ": "
                        + nonNull(e.getMessage(), "they do not match the tool's schema") + ".");
            }
        });
    }

    /** Returns {@code text} without its closing full stops, so a sentence can go on after it. */
    private static String clause(String text) {
        String t = text.strip();
        while (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    private static String nonNull(@Nullable String value, String fallback) {
        return value == null ? fallback : value;
    }
}
