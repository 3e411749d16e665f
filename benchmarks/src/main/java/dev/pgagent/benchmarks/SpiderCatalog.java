package dev.pgagent.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The Spider 1.0 dev catalog as one PostgreSQL database: every schema of {@code tables.json} (166 applications, 876
 * tables) becomes a schema named after its {@code db_id}, lower case, with its tables, primary keys and foreign keys
 * (a referenced column that is not the whole primary key gets a UNIQUE constraint so that the key can be declared;
 * a referencing column takes the referenced column's type). Only the {@code _original} names are used: the
 * annotators' paraphrases would tell the ranker what the questions call things. The tables are empty: Spider's
 * rows are not part of the data set used here. Questions come from {@code questions.jsonl}; even lines (0-based)
 * are the tuning half, odd lines the held-out half.
 */
final class SpiderCatalog {
    private final List<List<String>> ddl;
    private final List<ContextBenchmark.Question> questions;
    private final int schemaCount;
    private final int tableCount;

    private SpiderCatalog(
            List<List<String>> ddl, List<ContextBenchmark.Question> questions, int schemaCount, int tableCount) {
        this.ddl = ddl;
        this.questions = questions;
        this.schemaCount = schemaCount;
        this.tableCount = tableCount;
    }

    /** Loads {@code tables.json} and {@code questions.jsonl} from {@code dir}. */
    static SpiderCatalog load(Path dir) {
        String tablesJson = read(dir.resolve("tables.json"));
        List<List<String>> ddl = new ArrayList<>();
        int tables = 0;
        List<?> dbs = (List<?>) Objects.requireNonNull(MiniJson.parse(tablesJson));
        for (Object o : dbs) {
            Map<?, ?> db = (Map<?, ?>) Objects.requireNonNull(o);
            List<String> statements = schemaDdl(db);
            tables += ((List<?>) db.get("table_names_original")).size();
            ddl.add(statements);
        }
        List<ContextBenchmark.Question> questions = new ArrayList<>();
        int line = 0;
        for (String l : read(dir.resolve("questions.jsonl")).split("\n")) {
            if (l.isBlank()) {
                continue;
            }
            Map<?, ?> q = (Map<?, ?>) Objects.requireNonNull(MiniJson.parse(l));
            List<String> gold = new ArrayList<>();
            for (Object t : (List<?>) q.get("tables")) {
                gold.add(((String) t).toLowerCase(Locale.ROOT));
            }
            questions.add(new ContextBenchmark.Question(
                    line, line % 2 == 0 ? "tuning" : "held-out", (String) q.get("question"), gold));
            line++;
        }
        return new SpiderCatalog(ddl, questions, dbs.size(), tables);
    }

    /** Returns the DDL, one list of statements a schema. */
    List<List<String>> ddl() {
        return ddl;
    }

    /** Returns the labelled questions, in file order. */
    List<ContextBenchmark.Question> questions() {
        return questions;
    }

    /** Returns the number of schemas (applications). */
    int schemaCount() {
        return schemaCount;
    }

    /** Returns the number of tables. */
    int tableCount() {
        return tableCount;
    }

    private static List<String> schemaDdl(Map<?, ?> db) {
        String schema = ((String) db.get("db_id")).toLowerCase(Locale.ROOT);
        List<?> tableNames = (List<?>) db.get("table_names_original");
        List<?> columns = (List<?>) db.get("column_names_original");
        List<?> types = (List<?>) db.get("column_types");
        int n = tableNames.size();
        String[] colTable = new String[columns.size()];
        int[] colOwner = new int[columns.size()];
        String[] colName = new String[columns.size()];
        String[] colType = new String[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            List<?> pair = (List<?>) columns.get(c);
            int owner = ((Double) pair.get(0)).intValue();
            colOwner[c] = owner;
            colName[c] = ((String) pair.get(1)).toLowerCase(Locale.ROOT);
            colTable[c] = owner < 0 ? null : ((String) tableNames.get(owner)).toLowerCase(Locale.ROOT);
            colType[c] = switch ((String) types.get(c)) {
                case "number" -> "numeric";
                case "boolean" -> "boolean";
                default -> "text";
            };
        }
        // Primary keys: one column index, or (in some releases) a list of them for a composite key.
        Map<Integer, Set<Integer>> pk = new LinkedHashMap<>();
        for (Object p : (List<?>) db.get("primary_keys")) {
            List<?> cols = p instanceof List<?> l ? l : List.of(p);
            for (Object c : cols) {
                int ci = ((Double) c).intValue();
                pk.computeIfAbsent(colOwner[ci], k -> new LinkedHashSet<>()).add(ci);
            }
        }
        List<int[]> fks = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Object f : (List<?>) db.get("foreign_keys")) {
            List<?> pair = (List<?>) f;
            int from = ((Double) pair.get(0)).intValue();
            int to = ((Double) pair.get(1)).intValue();
            if (from == to || colOwner[from] < 0 || colOwner[to] < 0 || !seen.add(from + ">" + to)) {
                continue;
            }
            colType[from] = colType[to];
            fks.add(new int[] {from, to});
        }
        List<String> out = new ArrayList<>();
        out.add("CREATE SCHEMA " + id(schema));
        for (int t = 0; t < n; t++) {
            String table = ((String) tableNames.get(t)).toLowerCase(Locale.ROOT);
            StringBuilder sb = new StringBuilder("CREATE TABLE ")
                    .append(id(schema))
                    .append('.')
                    .append(id(table))
                    .append(" (");
            Set<String> names = new LinkedHashSet<>();
            for (int c = 0; c < columns.size(); c++) {
                if (colOwner[c] == t && names.add(colName[c])) {
                    if (names.size() > 1) {
                        sb.append(", ");
                    }
                    sb.append(id(colName[c])).append(' ').append(colType[c]);
                }
            }
            Set<Integer> key = pk.get(t);
            if (key != null) {
                sb.append(", PRIMARY KEY (");
                Set<String> keyNames = new LinkedHashSet<>();
                for (int c : key) {
                    keyNames.add(id(colName[c]));
                }
                sb.append(String.join(", ", keyNames)).append(')');
            }
            out.add(sb.append(')').toString());
        }
        Set<Integer> unique = new LinkedHashSet<>();
        for (int[] fk : fks) {
            int to = fk[1];
            Set<Integer> key = pk.get(colOwner[to]);
            boolean isWholeKey = key != null && key.size() == 1 && key.contains(to);
            if (!isWholeKey && unique.add(to)) {
                out.add("ALTER TABLE " + id(schema) + "." + id(colTable[to]) + " ADD UNIQUE (" + id(colName[to]) + ")");
            }
        }
        for (int[] fk : fks) {
            out.add("ALTER TABLE " + id(schema) + "." + id(colTable[fk[0]]) + " ADD FOREIGN KEY ("
                    + id(colName[fk[0]]) + ") REFERENCES " + id(schema) + "." + id(colTable[fk[1]]) + " ("
                    + id(colName[fk[1]]) + ")");
        }
        return out;
    }

    private static String id(@Nullable String s) {
        if (s == null) {
            throw new IllegalArgumentException("a Spider name must be present but was null");
        }
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
