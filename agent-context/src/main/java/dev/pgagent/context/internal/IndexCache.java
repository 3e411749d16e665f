package dev.pgagent.context.internal;

import dev.pgagent.api.schema.SchemaModel;
import org.jspecify.annotations.Nullable;

/** Holds the index of the last schema seen (by identity), building a new one when the schema changes. Thread-safe. */
public final class IndexCache {
    private volatile @Nullable SchemaIndex last;

    /** Returns the index of {@code schema}, building it if it is not the last one seen. */
    public SchemaIndex get(SchemaModel schema) {
        SchemaIndex i = last;
        if (i != null && i.schema() == schema) {
            return i;
        }
        SchemaIndex built = SchemaIndex.of(schema);
        last = built;
        return built;
    }

    /** Makes {@code index} the one held. */
    public void put(SchemaIndex index) {
        last = index;
    }
}
