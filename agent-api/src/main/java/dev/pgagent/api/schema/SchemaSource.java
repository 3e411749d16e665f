package dev.pgagent.api.schema;

import java.util.function.Consumer;

/**
 * Supplies the current schema of one database: what a database adapter implements and what schema context, search
 * and the agent's prompt read. Implementations cache and check freshness themselves; {@link #schema()} returns the
 * current model and a new instance when the schema changed, so a consumer that keeps derived data (an index, a
 * rendered summary) rebuilds it when the instance is not the one it saw last. Implementations must be safe for
 * concurrent use.
 *
 * <pre>{@code
 * SchemaSource source = () -> model;                 // a fixed schema, for tests
 * SchemaSource live = postgresDatabase;              // the PostgreSQL adapter: cached, refreshed on change
 * }</pre>
 */
@FunctionalInterface
public interface SchemaSource {

    /**
     * Returns the current schema.
     *
     * @throws dev.pgagent.api.DatabaseException if the schema cannot be read
     */
    SchemaModel schema();

    /**
     * Registers {@code listener} to be called with the new model each time this source notices the schema changed
     * (after the change was read, on the thread that read it). The default does nothing: a source that cannot tell
     * is polled through {@link #schema()} instead. A listener that throws is logged and ignored by the source.
     *
     * @return a handle that removes the listener when closed
     */
    default AutoCloseable onChange(Consumer<SchemaModel> listener) {
        java.util.Objects.requireNonNull(listener, "listener == null");
        return () -> {};
    }

    /** Returns a source of a fixed model. */
    static SchemaSource of(SchemaModel model) {
        java.util.Objects.requireNonNull(model, "model == null");
        return () -> model;
    }
}
