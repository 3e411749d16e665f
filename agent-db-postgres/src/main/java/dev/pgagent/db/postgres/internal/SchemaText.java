package dev.pgagent.db.postgres.internal;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.EnumType;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.IndexInfo;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Renders a {@link SchemaModel} as compact text for a model's context. Stateless and thread-safe. */
public final class SchemaText {
    private static final int COMMENT_CUT = 100;
    private static final int DEFAULT_CUT = 48;

    private SchemaText() {}

    /**
     * Returns the compact schema overview: enum types, then one block a relation with one line a column.
     *
     * @param filter comma- or space-separated terms matched against {@code schema.name} (substring, or a glob
     *     with {@code *}), or null for everything
     */
    public static String overview(SchemaModel model, @Nullable String filter, int maxChars) {
        List<Pattern> terms = terms(filter);
        List<TableInfo> tables = model.tables().stream()
                .filter(t -> matches(terms, t.qualifiedName()))
                .toList();
        List<EnumType> enums = model.enums().stream()
                .filter(e -> matches(terms, e.qualifiedName()))
                .toList();
        StringBuilder sb = new StringBuilder();
        if (tables.isEmpty() && enums.isEmpty()) {
            if (terms.isEmpty()) {
                return "The database has no tables or views in the introspected schemas.";
            }
            return "No table or enum matches the filter '" + filter + "'. Schemas: "
                    + String.join(", ", model.schemas()) + ". Try get_schema without a filter or list_tables.";
        }
        sb.append(tables.size()).append(tables.size() == 1 ? " relation" : " relations");
        if (!terms.isEmpty()) {
            sb.append(" matching '").append(filter).append('\'');
        }
        sb.append(" (row counts are planner estimates; PK = primary key, FK = foreign key)\n");
        for (EnumType e : enums) {
            sb.append("enum ")
                    .append(e.qualifiedName())
                    .append(": ")
                    .append(String.join(", ", e.labels()))
                    .append('\n');
        }
        int budget = maxChars - 200;
        int shown = 0;
        StringBuilder block = new StringBuilder();
        for (TableInfo t : tables) {
            block.setLength(0);
            tableBlock(block, t);
            if (sb.length() + block.length() > budget) {
                break;
            }
            sb.append(block);
            shown++;
        }
        if (shown < tables.size()) {
            List<String> rest = tables.subList(shown, tables.size()).stream()
                    .map(TableInfo::qualifiedName)
                    .toList();
            StringBuilder names = new StringBuilder();
            for (String n : rest) {
                if (sb.length() + names.length() + n.length() + 150 > maxChars) {
                    names.append(", ...");
                    break;
                }
                names.append(names.length() == 0 ? "" : ", ").append(n);
            }
            sb.append("[output cut: ")
                    .append(rest.size())
                    .append(" more relations not detailed: ")
                    .append(names)
                    .append(". Use a filter or describe_table.]");
        }
        return sb.toString().stripTrailing();
    }

    private static void tableBlock(StringBuilder sb, TableInfo t) {
        sb.append(kindName(t.kind())).append(' ').append(t.qualifiedName());
        if (t.rowEstimate() >= 0) {
            sb.append(" ~").append(t.rowEstimate()).append(" rows");
        }
        if (!t.partitions().isEmpty()) {
            sb.append(" (").append(t.partitions().size()).append(" partitions)");
        }
        if (t.comment() != null) {
            sb.append(" -- ").append(cut(t.comment(), COMMENT_CUT));
        }
        sb.append('\n');
        Map<String, List<String>> fkByColumn = new HashMap<>();
        for (ForeignKey fk : t.foreignKeys()) {
            for (int i = 0; i < fk.columns().size(); i++) {
                fkByColumn
                        .computeIfAbsent(fk.columns().get(i), k -> new ArrayList<>())
                        .add(fk.referencedQualifiedName() + "."
                                + fk.referencedColumns().get(i));
            }
        }
        for (ColumnInfo c : t.columns()) {
            sb.append("  ").append(c.name()).append(' ').append(c.type());
            if (t.primaryKey().contains(c.name())) {
                sb.append(" PK");
            } else if (!c.nullable()) {
                sb.append(" NOT NULL");
            }
            for (String ref : fkByColumn.getOrDefault(c.name(), List.of())) {
                sb.append(" FK->").append(ref);
            }
            if (c.identity() != null) {
                sb.append(" IDENTITY");
            } else if (c.generated() != null) {
                sb.append(" GENERATED AS ").append(cut(c.generated(), DEFAULT_CUT));
            } else if (c.defaultValue() != null) {
                sb.append(" DEFAULT ").append(cut(c.defaultValue(), DEFAULT_CUT));
            }
            if (c.comment() != null) {
                sb.append(" -- ").append(cut(c.comment(), COMMENT_CUT));
            }
            sb.append('\n');
        }
        for (List<String> u : t.uniqueConstraints()) {
            sb.append("  UNIQUE (").append(String.join(", ", u)).append(")\n");
        }
    }

    /** Returns one line a relation, optionally limited to {@code schema}. */
    public static String list(SchemaModel model, @Nullable String schema, int maxChars) {
        List<TableInfo> tables = model.tables().stream()
                .filter(t -> schema == null || t.schema().equalsIgnoreCase(schema))
                .toList();
        if (tables.isEmpty()) {
            return schema == null
                    ? "The database has no tables or views in the introspected schemas."
                    : "No relations in schema '" + schema + "'. Schemas: " + String.join(", ", model.schemas());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(tables.size())
                .append(tables.size() == 1 ? " relation" : " relations")
                .append(" (kind, estimated rows, comment):\n");
        int shown = 0;
        for (TableInfo t : tables) {
            StringBuilder line = new StringBuilder();
            line.append(t.qualifiedName()).append(" | ").append(kindName(t.kind()));
            line.append(" | ").append(t.rowEstimate() >= 0 ? "~" + t.rowEstimate() : "?");
            if (!t.partitions().isEmpty()) {
                line.append(" | ").append(t.partitions().size()).append(" partitions");
            }
            if (t.comment() != null) {
                line.append(" | ").append(cut(t.comment(), 80));
            }
            line.append('\n');
            if (sb.length() + line.length() > maxChars - 150) {
                break;
            }
            sb.append(line);
            shown++;
        }
        if (shown < tables.size()) {
            sb.append("[output cut: ")
                    .append(tables.size() - shown)
                    .append(" more relations not listed; pass a schema, or use get_schema with a filter.]");
        }
        return sb.toString().stripTrailing();
    }

    /** Returns a full description of {@code t}, with the foreign keys of other relations that reference it. */
    public static String describe(SchemaModel model, TableInfo t, int maxChars) {
        StringBuilder sb = new StringBuilder();
        sb.append(kindName(t.kind())).append(' ').append(t.qualifiedName());
        sb.append(t.rowEstimate() >= 0 ? " (~" + t.rowEstimate() + " rows, planner estimate)" : " (row count unknown)")
                .append('\n');
        if (t.comment() != null) {
            sb.append("comment: ").append(cut(t.comment(), 1000)).append('\n');
        }
        sb.append("columns:\n");
        for (ColumnInfo c : t.columns()) {
            sb.append("  ").append(c.name()).append(' ').append(c.type()).append(c.nullable() ? "" : " NOT NULL");
            if (c.identity() != null) {
                sb.append(" GENERATED ").append(c.identity()).append(" AS IDENTITY");
            }
            if (c.generated() != null) {
                sb.append(" GENERATED ALWAYS AS (").append(c.generated()).append(") STORED");
            }
            if (c.defaultValue() != null) {
                sb.append(" DEFAULT ").append(c.defaultValue());
            }
            if (c.comment() != null) {
                sb.append(" -- ").append(cut(c.comment(), 300));
            }
            sb.append('\n');
        }
        if (!t.primaryKey().isEmpty()) {
            sb.append("primary key: (")
                    .append(String.join(", ", t.primaryKey()))
                    .append(")\n");
        }
        for (List<String> u : t.uniqueConstraints()) {
            sb.append("unique: (").append(String.join(", ", u)).append(")\n");
        }
        if (!t.foreignKeys().isEmpty()) {
            sb.append("foreign keys (outgoing):\n");
            for (ForeignKey fk : t.foreignKeys()) {
                sb.append("  ")
                        .append(fk.name())
                        .append(": (")
                        .append(String.join(", ", fk.columns()))
                        .append(") -> ")
                        .append(fk.referencedQualifiedName())
                        .append(" (")
                        .append(String.join(", ", fk.referencedColumns()))
                        .append(")\n");
            }
        }
        List<String> incoming = new ArrayList<>();
        for (TableInfo other : model.tables()) {
            for (ForeignKey fk : other.foreignKeys()) {
                if (fk.referencedSchema().equals(t.schema())
                        && fk.referencedTable().equals(t.name())) {
                    incoming.add("  " + other.qualifiedName() + " (" + String.join(", ", fk.columns()) + ") -> ("
                            + String.join(", ", fk.referencedColumns()) + ") [" + fk.name() + "]");
                }
            }
        }
        if (!incoming.isEmpty()) {
            sb.append("referenced by (incoming foreign keys):\n");
            incoming.forEach(s -> sb.append(s).append('\n'));
        }
        if (!t.checkConstraints().isEmpty()) {
            sb.append("check constraints:\n");
            t.checkConstraints().forEach(c -> sb.append("  ").append(c).append('\n'));
        }
        if (!t.indexes().isEmpty()) {
            sb.append("indexes:\n");
            for (IndexInfo i : t.indexes()) {
                sb.append("  ")
                        .append(i.name())
                        .append(i.primary() ? " (primary key)" : i.unique() ? " (unique)" : "")
                        .append(": ")
                        .append(i.definition())
                        .append('\n');
            }
        }
        if (!t.partitions().isEmpty()) {
            sb.append("partitions: ").append(String.join(", ", t.partitions())).append('\n');
        }
        String text = sb.toString().stripTrailing();
        if (text.length() > maxChars) {
            return text.substring(0, maxChars - 60) + "\n[output cut at " + maxChars + " characters]";
        }
        return text;
    }

    /** Returns up to {@code limit} relation names close to {@code name}, closest first. */
    public static List<String> closeMatches(SchemaModel model, String name, int limit) {
        String wanted = name.strip().toLowerCase(Locale.ROOT).replace("\"", "");
        String wantedRel = wanted.contains(".") ? wanted.substring(wanted.lastIndexOf('.') + 1) : wanted;
        record Scored(String name, int score) {}
        List<Scored> scored = new ArrayList<>();
        for (TableInfo t : model.tables()) {
            String rel = t.name().toLowerCase(Locale.ROOT);
            int d = distance(wantedRel, rel);
            if (rel.contains(wantedRel) || wantedRel.contains(rel)) {
                d = Math.min(d, 1 + Math.abs(rel.length() - wantedRel.length()) / 4);
            }
            if (d <= Math.max(2, wantedRel.length() / 3) || rel.contains(wantedRel) || wantedRel.contains(rel)) {
                scored.add(new Scored(t.qualifiedName(), d));
            }
        }
        scored.sort(Comparator.comparingInt(Scored::score).thenComparing(Scored::name));
        return scored.stream().limit(limit).map(Scored::name).toList();
    }

    /** Returns the relations named {@code name} (unqualified) in any schema, case-insensitively. */
    public static List<String> sameName(SchemaModel model, String name) {
        String rel = name.strip().replace("\"", "");
        return model.tables().stream()
                .filter(t -> t.name().equalsIgnoreCase(rel))
                .map(TableInfo::qualifiedName)
                .toList();
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String kindName(TableKind kind) {
        return switch (kind) {
            case TABLE -> "table";
            case PARTITIONED_TABLE -> "partitioned table";
            case VIEW -> "view";
            case MATERIALIZED_VIEW -> "materialized view";
            case FOREIGN_TABLE -> "foreign table";
        };
    }

    static String cut(String s, int max) {
        String flat = s.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max - 3) + "...";
    }

    private static List<Pattern> terms(@Nullable String filter) {
        if (filter == null || filter.isBlank()) {
            return List.of();
        }
        List<Pattern> out = new ArrayList<>();
        for (String term : filter.strip().split("[,\\s]+")) {
            if (term.isEmpty()) {
                continue;
            }
            String t = term.toLowerCase(Locale.ROOT).replace("\"", "");
            StringBuilder re = new StringBuilder();
            if (!t.contains("*")) {
                re.append(".*").append(Pattern.quote(t)).append(".*");
            } else {
                for (String part : t.split("\\*", -1)) {
                    if (re.length() > 0) {
                        re.append(".*");
                    }
                    re.append(Pattern.quote(part));
                }
            }
            out.add(Pattern.compile(re.toString(), Pattern.DOTALL));
        }
        return out;
    }

    private static boolean matches(List<Pattern> terms, String qualifiedName) {
        if (terms.isEmpty()) {
            return true;
        }
        String q = qualifiedName.toLowerCase(Locale.ROOT);
        String rel = q.substring(q.indexOf('.') + 1);
        for (Pattern p : terms) {
            if (p.matcher(q).matches() || p.matcher(rel).matches()) {
                return true;
            }
        }
        return false;
    }
}
