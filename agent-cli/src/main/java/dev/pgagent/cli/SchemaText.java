package dev.pgagent.cli;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.EnumType;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import java.util.Locale;

/** Renders a schema model as compact text for a terminal. */
final class SchemaText {
    private SchemaText() {}

    /** Returns every table with its columns, then the enum types. */
    static String render(SchemaModel schema) {
        StringBuilder sb = new StringBuilder();
        for (TableInfo t : schema.tables()) {
            sb.append(header(t)).append('\n');
            int width =
                    t.columns().stream().mapToInt(c -> c.name().length()).max().orElse(0);
            for (ColumnInfo c : t.columns()) {
                sb.append("  ")
                        .append(String.format("%-" + width + "s", c.name()))
                        .append("  ")
                        .append(c.type());
                if (!c.nullable()) {
                    sb.append(" not null");
                }
                if (t.primaryKey().contains(c.name())) {
                    sb.append(" pk");
                }
                for (ForeignKey fk : t.foreignKeys()) {
                    int i = fk.columns().indexOf(c.name());
                    if (i >= 0 && fk.columns().size() == 1) {
                        sb.append(" -> ")
                                .append(fk.referencedSchema())
                                .append('.')
                                .append(fk.referencedTable())
                                .append('.')
                                .append(fk.referencedColumns().get(i));
                    }
                }
                if (c.comment() != null) {
                    sb.append("  -- ").append(c.comment());
                }
                sb.append('\n');
            }
            for (ForeignKey fk : t.foreignKeys()) {
                if (fk.columns().size() > 1) {
                    sb.append("  (")
                            .append(String.join(", ", fk.columns()))
                            .append(") -> ")
                            .append(fk.referencedSchema())
                            .append('.')
                            .append(fk.referencedTable())
                            .append(" (")
                            .append(String.join(", ", fk.referencedColumns()))
                            .append(")\n");
                }
            }
            if (t.primaryKey().size() > 1) {
                sb.append("  primary key (")
                        .append(String.join(", ", t.primaryKey()))
                        .append(")\n");
            }
            sb.append('\n');
        }
        for (EnumType e : schema.enums()) {
            sb.append("enum ")
                    .append(e.schema())
                    .append('.')
                    .append(e.name())
                    .append(": ")
                    .append(String.join(", ", e.labels()))
                    .append('\n');
        }
        return sb.toString();
    }

    /** Returns the one-line summary of a table: name, kind, row estimate and comment. */
    static String header(TableInfo t) {
        StringBuilder sb = new StringBuilder(t.qualifiedName()).append(" (").append(kind(t.kind()));
        if (t.kind() != TableKind.VIEW) {
            // -1: PostgreSQL has no estimate yet (never vacuumed or analysed); 0 would claim it is empty
            sb.append(t.rowEstimate() < 0 ? ", not analysed" : ", ~" + ResponsePrinter.count(t.rowEstimate(), "row"));
        }
        sb.append(')');
        if (t.comment() != null) {
            sb.append(": ").append(t.comment());
        }
        return sb.toString();
    }

    private static String kind(TableKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
