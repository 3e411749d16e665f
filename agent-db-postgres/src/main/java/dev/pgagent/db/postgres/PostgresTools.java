package dev.pgagent.db.postgres;

import dev.pgagent.api.tool.Tool;
import java.util.List;
import java.util.Objects;

/**
 * The built-in database tools: {@code execute_query}, {@code list_tables}, {@code describe_table},
 * {@code get_schema} and {@code explain_query}. {@code execute_query} and {@code explain_query} go through
 * {@link dev.pgagent.api.tool.ToolContext#sql()} (the agent's guarded gateway), never straight to the database;
 * the others read {@link PostgresDatabase#schema()}. Results are compact text sized for a model's context, and say
 * when they were cut.
 */
public final class PostgresTools {
    private PostgresTools() {}

    /** Returns the five built-in tools over {@code db}, in a stable order. */
    public static List<Tool> builtIns(PostgresDatabase db) {
        Objects.requireNonNull(db, "db == null");
        throw new UnsupportedOperationException("not yet implemented");
    }
}
