package dev.pgagent.core.eval;

/** What a question's database ({@code db_id}) selects. */
public enum DatabaseMapping {
    /** Nothing: every question is asked of the agent's default database, and its {@code db_id} is only reported. */
    NONE,
    /**
     * A database of the agent by name (see {@code PostgresAgent.Builder.addDatabase}): the gold SQL runs there, the
     * model is told to answer from it, and the context is built from its schema.
     */
    DATABASE,
    /**
     * A schema of the default database, as when a catalog such as Spider's puts each application in a schema of its
     * own ({@code db_id} is read as an unquoted identifier: {@code Cre_Doc} names the schema {@code cre_doc}): the gold
     * SQL's unqualified tables are qualified with the schema, the model is told which schema the
     * question is about, and gold tables without a schema are taken to be in it.
     */
    SCHEMA
}
