package dev.pgagent.api.schema;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a database's schema, read from {@code pg_catalog}: its relations (partitions folded under their
 * parents, see {@link TableInfo}) and enum types. Immutable and thread-safe.
 *
 * @param tables the relations, ordered by schema then name
 * @param enums the enum types, ordered by schema then name
 * @param introspectedAt when the catalog was read
 */
public record SchemaModel(List<TableInfo> tables, List<EnumType> enums, Instant introspectedAt) {

    /** Validates and copies the components. */
    public SchemaModel {
        tables = List.copyOf(Objects.requireNonNull(tables, "tables == null"));
        enums = List.copyOf(Objects.requireNonNull(enums, "enums == null"));
        Objects.requireNonNull(introspectedAt, "introspectedAt == null");
    }

    /**
     * Finds a relation by {@code name} or {@code schema.name}, case-insensitively. An exact (case-sensitive) match
     * wins over case-insensitive ones; a name matching several relations (say, in several schemas) is ambiguous and
     * yields empty. Double quotes around either part are ignored.
     *
     * @return the unique match, or empty when there is none or the name is ambiguous
     */
    public Optional<TableInfo> table(String name) {
        Objects.requireNonNull(name, "name == null");
        String n = name.strip();
        String schema = null;
        String rel = n;
        int dot = dotOutsideQuotes(n);
        if (dot >= 0) {
            schema = unquote(n.substring(0, dot));
            rel = unquote(n.substring(dot + 1));
        } else {
            rel = unquote(n);
        }
        List<TableInfo> exact = new ArrayList<>();
        List<TableInfo> loose = new ArrayList<>();
        for (TableInfo t : tables) {
            if (schema != null && !t.schema().equalsIgnoreCase(schema)) {
                continue;
            }
            if (t.name().equals(rel) && (schema == null || t.schema().equals(schema))) {
                exact.add(t);
            } else if (t.name().equalsIgnoreCase(rel)) {
                loose.add(t);
            }
        }
        if (exact.size() == 1) {
            return Optional.of(exact.get(0));
        }
        if (exact.isEmpty() && loose.size() == 1) {
            return Optional.of(loose.get(0));
        }
        return Optional.empty();
    }

    /** Returns the enum type named {@code name} or {@code schema.name}, case-insensitively, if unique. */
    public Optional<EnumType> enumType(String name) {
        Objects.requireNonNull(name, "name == null");
        String n = name.strip().toLowerCase(Locale.ROOT);
        List<EnumType> hits = enums.stream()
                .filter(e -> e.name().toLowerCase(Locale.ROOT).equals(n)
                        || e.qualifiedName().toLowerCase(Locale.ROOT).equals(n))
                .toList();
        return hits.size() == 1 ? Optional.of(hits.get(0)) : Optional.empty();
    }

    /** Returns the distinct schema names that hold at least one relation or enum, sorted. */
    public List<String> schemas() {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        tables.forEach(t -> names.add(t.schema()));
        enums.forEach(e -> names.add(e.schema()));
        return List.copyOf(names);
    }

    @Override
    public String toString() {
        return "SchemaModel{tables=" + tables.size() + ", enums=" + enums.size() + ", introspectedAt=" + introspectedAt
                + '}';
    }

    private static int dotOutsideQuotes(String s) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static String unquote(String s) {
        String t = s.strip();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            return t.substring(1, t.length() - 1).replace("\"\"", "\"");
        }
        return t;
    }
}
