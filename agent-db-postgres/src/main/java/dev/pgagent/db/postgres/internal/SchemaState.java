package dev.pgagent.db.postgres.internal;

import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import java.util.Map;
import java.util.Set;

/**
 * A read schema together with what {@link SchemaIntrospector#refresh} needs to bring it up to date incrementally:
 * the snapshot it was read in, the relations' signatures, the other watched objects, and which relation belongs to
 * which table of the model. Immutable; the maps are not copied and must not be changed after construction.
 */
public final class SchemaState {
    private final SchemaModel model;
    private final CatalogSignature.Snapshot snapshot;
    private final Map<Long, RelationSignatures.Sig> relations;
    private final Set<String> others;
    private final Map<Long, TableInfo> byRoot;
    private final Map<Long, Long> rootOf;
    private final Map<Long, Set<Long>> references;
    private final int reread;

    SchemaState(
            SchemaModel model,
            CatalogSignature.Snapshot snapshot,
            Map<Long, RelationSignatures.Sig> relations,
            Set<String> others,
            Map<Long, TableInfo> byRoot,
            Map<Long, Long> rootOf,
            Map<Long, Set<Long>> references,
            int reread) {
        this.model = model;
        this.snapshot = snapshot;
        this.relations = relations;
        this.others = others;
        this.byRoot = byRoot;
        this.rootOf = rootOf;
        this.references = references;
        this.reread = reread;
    }

    /** Returns the schema. */
    public SchemaModel model() {
        return model;
    }

    /**
     * Returns how this state was produced: -1 by a full read, 0 by a refresh that re-read no table (the model is
     * the previous one, or one with the previous tables and new enum types), else the number of tables a refresh
     * re-read.
     */
    public int reread() {
        return reread;
    }

    CatalogSignature.Snapshot snapshot() {
        return snapshot;
    }

    Map<Long, RelationSignatures.Sig> relations() {
        return relations;
    }

    Set<String> others() {
        return others;
    }

    Map<Long, TableInfo> byRoot() {
        return byRoot;
    }

    Map<Long, Long> rootOf() {
        return rootOf;
    }

    Map<Long, Set<Long>> references() {
        return references;
    }
}
