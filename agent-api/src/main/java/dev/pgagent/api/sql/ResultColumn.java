package dev.pgagent.api.sql;

import java.util.Objects;

/**
 * Typed metadata of one result column.
 *
 * @param name the column label as PostgreSQL reported it
 * @param typeName the PostgreSQL type name (for example {@code numeric}, {@code timestamptz}, {@code _int4} for
 *     arrays)
 * @param jdbcType the {@link java.sql.Types} code the driver reported
 */
public record ResultColumn(String name, String typeName, int jdbcType) implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Validates the components. */
    public ResultColumn {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(typeName, "typeName == null");
    }
}
