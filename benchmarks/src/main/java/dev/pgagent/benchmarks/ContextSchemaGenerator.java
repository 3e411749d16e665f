package dev.pgagent.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
 * Generates the DDL of the context benchmark's database: the hand-written business schemas of
 * {@code context/schema.txt} (CRM, shop, purchasing, inventory, logistics, HR, billing, SaaS app, support, clinic,
 * school, finance, marketing, analytics), plus what real databases accumulate around them: raw staging copies of
 * every table, change-log tables, legacy copies, yearly archive tables and per-schema housekeeping tables. With
 * {@code replicas > 1} every schema is repeated with a numeric suffix (for the 10,000-table timing run).
 */
public final class ContextSchemaGenerator {
    private static final String RESOURCE = "/context/schema.txt";
    private static final int[] ARCHIVE_YEARS = {2018, 2019, 2020, 2021, 2022, 2023};
    private static final String[][] HOUSEKEEPING = {
        {
            "audit_log",
            "Audit trail of row changes in the %s schema",
            "id bigint pk|table_name text|row_id text|action text|actor text|logged_at timestamptz"
        },
        {"settings", "Key-value configuration of the %s module", "key text pk|value text|updated_at timestamptz"},
        {
            "import_batches",
            "Batches loaded into the %s schema by the ETL",
            "id bigint pk|source_file text|started_at timestamptz|finished_at timestamptz|row_count int|status text"
        },
        {
            "sync_state",
            "Replication cursor of the %s schema per source system",
            "source text pk|last_synced_at timestamptz|cursor_value text"
        },
        {
            "data_quality_issues",
            "Rows of the %s schema that failed a data quality rule",
            "id bigint pk|table_name text|row_id text|rule text|detected_at timestamptz|resolved boolean"
        },
        {
            "job_runs",
            "Scheduled jobs of the %s module and their outcome",
            "id bigint pk|job_name text|started_at timestamptz|finished_at timestamptz|status text|error text"
        },
        {
            "outbox",
            "Domain events of the %s module waiting to be published",
            "id bigint pk|aggregate text|payload jsonb|created_at timestamptz|published_at timestamptz"
        },
        {
            "schema_versions",
            "Database migrations applied to the %s schema",
            "version text pk|description text|applied_at timestamptz"
        },
    };

    /** A column definition. */
    record Column(
            String name,
            String type,
            boolean pk,
            boolean unique,
            @Nullable String refTable,
            @Nullable String refColumn,
            @Nullable String comment) {}

    /** A table definition (qualified name {@code schema.name}). */
    record Table(String schema, String name, @Nullable String comment, Set<String> flags, List<Column> columns) {
        String qualifiedName() {
            return schema + "." + name;
        }
    }

    /** An enum type. */
    record Enum(String schema, String name, List<String> labels) {}

    private final List<String> schemas = new ArrayList<>();
    private final Map<String, String> schemaComments = new LinkedHashMap<>();
    private final List<Enum> enums = new ArrayList<>();
    private final List<Table> tables = new ArrayList<>();

    private ContextSchemaGenerator() {}

    /** Returns the generator with the hand-written schemas and all derived tables. */
    public static ContextSchemaGenerator load() {
        ContextSchemaGenerator g = new ContextSchemaGenerator();
        g.parse(readResource());
        g.derive();
        return g;
    }

    /** Returns the number of tables. */
    public int tableCount() {
        return tables.size();
    }

    /** Returns the qualified names of all tables. */
    public List<String> tableNames() {
        return tables.stream().map(Table::qualifiedName).toList();
    }

    /** Returns the qualified names of the hand-written (not derived) tables. */
    public List<String> coreTableNames() {
        return tables.stream()
                .filter(t -> t.flags().contains("core"))
                .map(Table::qualifiedName)
                .toList();
    }

    private static String readResource() {
        try (InputStream in = ContextSchemaGenerator.class.getResourceAsStream(RESOURCE)) {
            Objects.requireNonNull(in, RESOURCE + " not found on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void parse(String text) {
        String schema = null;
        Table table = null;
        int lineNo = 0;
        for (String raw : text.split("\n")) {
            lineNo++;
            if (raw.isBlank() || raw.startsWith("#")) {
                continue;
            }
            String comment = null;
            String line = raw;
            int dash = raw.indexOf(" -- ");
            if (dash >= 0) {
                comment = raw.substring(dash + 4).strip();
                line = raw.substring(0, dash);
            }
            String[] parts = line.strip().split("\\s+");
            if (!raw.startsWith(" ")) {
                switch (parts[0]) {
                    case "schema" -> {
                        schema = parts[1];
                        schemas.add(schema);
                        schemaComments.put(schema, comment);
                        table = null;
                    }
                    case "enum" -> {
                        String[] qn = parts[1].split("\\.");
                        enums.add(new Enum(qn[0], qn[1], List.of(parts[2].split(","))));
                    }
                    case "table" -> {
                        Set<String> flags = new LinkedHashSet<>();
                        flags.add("core");
                        for (int i = 2; i < parts.length; i++) {
                            flags.add(parts[i].substring(1));
                        }
                        table = new Table(Objects.requireNonNull(schema), parts[1], comment, flags, new ArrayList<>());
                        tables.add(table);
                    }
                    default -> throw new IllegalStateException("line " + lineNo + ": " + raw);
                }
                continue;
            }
            Objects.requireNonNull(table, "column outside a table at line " + lineNo);
            boolean pk = false;
            boolean unique = false;
            String ref = null;
            String refCol = null;
            for (int i = 2; i < parts.length; i++) {
                switch (parts[i]) {
                    case "pk" -> pk = true;
                    case "unique" -> unique = true;
                    case "->" -> {
                        String[] r = parts[++i].split("\\.");
                        ref = r[0] + "." + r[1];
                        refCol = r.length > 2 ? r[2] : "id";
                    }
                    default -> throw new IllegalStateException("line " + lineNo + ": " + raw);
                }
            }
            table.columns().add(new Column(parts[0], parts[1], pk, unique, ref, refCol, comment));
        }
    }

    private void derive() {
        List<Table> core = List.copyOf(tables);
        Set<String> enumNames = new LinkedHashSet<>();
        enums.forEach(e -> enumNames.add(e.schema() + "." + e.name()));
        for (Table t : core) {
            if (t.flags().contains("history")) {
                String fkCol = singular(t.name()) + "_id";
                boolean hasId =
                        t.columns().stream().anyMatch(c -> c.pk() && c.name().equals("id"));
                tables.add(new Table(
                        t.schema(),
                        t.name() + "_history",
                        "Change log of " + t.qualifiedName() + " rows, written by a trigger",
                        Set.of("history"),
                        List.of(
                                new Column("id", "bigint", true, false, null, null, null),
                                new Column(
                                        fkCol,
                                        "bigint",
                                        false,
                                        false,
                                        hasId ? t.qualifiedName() : null,
                                        hasId ? "id" : null,
                                        null),
                                new Column("changed_at", "timestamptz", false, false, null, null, null),
                                new Column("changed_by", "text", false, false, null, null, null),
                                new Column("operation", "text", false, false, null, null, "INSERT, UPDATE or DELETE"),
                                new Column("old_values", "jsonb", false, false, null, null, null),
                                new Column("new_values", "jsonb", false, false, null, null, null))));
            }
            if (t.flags().contains("legacy")) {
                addSchema("legacy", "Tables of the old system, kept read-only after the 2020 migration");
                String legacyName = t.name() + "_old";
                if (tableNames().contains("legacy." + legacyName)) {
                    legacyName = t.schema() + "_" + legacyName;
                }
                tables.add(new Table(
                        "legacy",
                        legacyName,
                        "Copy of " + t.name() + " from the pre-2020 system; no longer updated",
                        Set.of("legacy"),
                        plainCopy(t, enumNames, false)));
            }
            if (t.flags().contains("archive")) {
                addSchema("archive", "Closed rows moved out of live tables, one table a year");
                for (int year : ARCHIVE_YEARS) {
                    tables.add(new Table(
                            "archive",
                            t.schema() + "_" + t.name() + "_" + year,
                            t.qualifiedName() + " rows of " + year + ", moved out of the live table",
                            Set.of("archive"),
                            plainCopy(t, enumNames, false)));
                }
            }
        }
        addSchema("staging", "Raw extracts loaded by the nightly ETL before validation");
        for (Table t : core) {
            List<Column> cols = new ArrayList<>(plainCopy(t, enumNames, true));
            cols.add(new Column("_batch_id", "bigint", false, false, null, null, null));
            cols.add(new Column("_loaded_at", "timestamptz", false, false, null, null, null));
            tables.add(new Table(
                    "staging",
                    "stg_" + t.schema() + "_" + t.name(),
                    "Raw nightly extract of " + t.qualifiedName() + " (unvalidated text columns)",
                    Set.of("staging"),
                    cols));
        }
        for (String s : List.copyOf(schemas)) {
            if (s.equals("staging") || s.equals("archive")) {
                continue;
            }
            for (String[] h : HOUSEKEEPING) {
                List<Column> cols = new ArrayList<>();
                for (String c : h[2].split("\\|")) {
                    String[] p = c.split(" ");
                    cols.add(new Column(p[0], p[1], p.length > 2, false, null, null, null));
                }
                tables.add(new Table(s, h[0], String.format(Locale.ROOT, h[1], s), Set.of("housekeeping"), cols));
            }
        }
    }

    private void addSchema(String name, String comment) {
        if (!schemas.contains(name)) {
            schemas.add(name);
            schemaComments.put(name, comment);
        }
    }

    private static List<Column> plainCopy(Table t, Set<String> enumNames, boolean asText) {
        List<Column> out = new ArrayList<>();
        for (Column c : t.columns()) {
            String type = asText || enumNames.contains(c.type()) ? "text" : c.type();
            out.add(new Column(c.name(), type, false, false, null, null, null));
        }
        return out;
    }

    static String singular(String name) {
        if (name.endsWith("ies")) {
            return name.substring(0, name.length() - 3) + "y";
        }
        if (name.endsWith("sses") || name.endsWith("xes")) {
            return name.substring(0, name.length() - 2);
        }
        return name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
    }

    /**
     * Returns the DDL, as batches of statements (one batch a schema, to keep each transaction's lock count small).
     *
     * @param replica 0 for the plain names; n > 0 appends {@code _rn} to every schema name
     */
    public List<List<String>> ddl(int replica) {
        String suffix = replica == 0 ? "" : "_r" + replica;
        Map<String, List<String>> bySchema = new LinkedHashMap<>();
        for (String s : schemas) {
            List<String> b = bySchema.computeIfAbsent(s, k -> new ArrayList<>());
            b.add("CREATE SCHEMA " + s + suffix);
            String c = schemaComments.get(s);
            if (c != null) {
                b.add("COMMENT ON SCHEMA " + s + suffix + " IS " + literal(c));
            }
        }
        for (Enum e : enums) {
            bySchema.get(e.schema())
                    .add("CREATE TYPE " + e.schema() + suffix + "." + e.name() + " AS ENUM ("
                            + String.join(
                                    ", ",
                                    e.labels().stream()
                                            .map(ContextSchemaGenerator::literal)
                                            .toList()) + ")");
        }
        List<String> fks = new ArrayList<>();
        for (Table t : tables) {
            List<String> b = bySchema.get(t.schema());
            String qn = t.schema() + suffix + "." + t.name();
            StringBuilder sb = new StringBuilder("CREATE TABLE ").append(qn).append(" (");
            List<String> pk = new ArrayList<>();
            for (int i = 0; i < t.columns().size(); i++) {
                Column c = t.columns().get(i);
                String type = c.type().contains(".") ? qualify(c.type(), suffix) : c.type();
                sb.append(i == 0 ? "" : ", ").append(c.name()).append(' ').append(type);
                if (c.unique()) {
                    sb.append(" UNIQUE");
                }
                if (c.pk()) {
                    pk.add(c.name());
                }
                if (c.refTable() != null) {
                    fks.add("ALTER TABLE " + qn + " ADD FOREIGN KEY (" + c.name() + ") REFERENCES "
                            + qualify(c.refTable(), suffix) + " (" + c.refColumn() + ")");
                }
            }
            if (!pk.isEmpty()) {
                sb.append(", PRIMARY KEY (").append(String.join(", ", pk)).append(')');
            }
            sb.append(')');
            b.add(sb.toString());
            if (t.comment() != null) {
                b.add("COMMENT ON TABLE " + qn + " IS " + literal(t.comment()));
            }
            for (Column c : t.columns()) {
                if (c.comment() != null) {
                    b.add("COMMENT ON COLUMN " + qn + "." + c.name() + " IS " + literal(c.comment()));
                }
            }
        }
        List<List<String>> out = new ArrayList<>(bySchema.values());
        out.add(fks);
        return out;
    }

    private static String qualify(String qualifiedName, String suffix) {
        int dot = qualifiedName.indexOf('.');
        return qualifiedName.substring(0, dot) + suffix + qualifiedName.substring(dot);
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
