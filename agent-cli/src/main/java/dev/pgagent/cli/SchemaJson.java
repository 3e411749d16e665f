package dev.pgagent.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.EnumType;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.IndexInfo;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Writes the schema model as JSON while it walks it ({@code pg-agent schema --json}): no tree of 10,000 tables is
 * built first, and only jackson-core is loaded. The document is the one {@link JsonViews#schema(SchemaModel)}
 * describes, indented the same way.
 */
final class SchemaJson {
    private SchemaJson() {}

    /** Writes {@code schema} to {@code out}, indented, followed by a new line; flushes but does not close. */
    static void write(SchemaModel schema, OutputStream out) throws IOException {
        JsonFactory factory = new JsonFactory();
        factory.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("introspectedAt", schema.introspectedAt().toString());
            g.writeArrayFieldStart("tables");
            for (TableInfo t : schema.tables()) {
                table(g, t);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("enums");
            for (EnumType e : schema.enums()) {
                g.writeStartObject();
                g.writeStringField("schema", e.schema());
                g.writeStringField("name", e.name());
                strings(g, "labels", e.labels());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
        out.flush();
    }

    private static void table(JsonGenerator g, TableInfo t) throws IOException {
        g.writeStartObject();
        g.writeStringField("schema", t.schema());
        g.writeStringField("name", t.name());
        g.writeStringField("qualifiedName", t.qualifiedName());
        g.writeStringField("kind", t.kind().name());
        optional(g, "comment", t.comment());
        g.writeNumberField("rowEstimate", t.rowEstimate());
        g.writeArrayFieldStart("columns");
        for (ColumnInfo c : t.columns()) {
            g.writeStartObject();
            g.writeStringField("name", c.name());
            g.writeStringField("type", c.type());
            g.writeBooleanField("nullable", c.nullable());
            optional(g, "default", c.defaultValue());
            optional(g, "identity", c.identity());
            optional(g, "generated", c.generated());
            optional(g, "comment", c.comment());
            g.writeEndObject();
        }
        g.writeEndArray();
        strings(g, "primaryKey", t.primaryKey());
        g.writeArrayFieldStart("uniqueConstraints");
        for (List<String> u : t.uniqueConstraints()) {
            g.writeStartArray();
            for (String s : u) {
                g.writeString(s);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("foreignKeys");
        for (ForeignKey fk : t.foreignKeys()) {
            g.writeStartObject();
            g.writeStringField("name", fk.name());
            strings(g, "columns", fk.columns());
            g.writeStringField("referencedSchema", fk.referencedSchema());
            g.writeStringField("referencedTable", fk.referencedTable());
            strings(g, "referencedColumns", fk.referencedColumns());
            g.writeEndObject();
        }
        g.writeEndArray();
        strings(g, "checkConstraints", t.checkConstraints());
        g.writeArrayFieldStart("indexes");
        for (IndexInfo i : t.indexes()) {
            g.writeStartObject();
            g.writeStringField("name", i.name());
            g.writeStringField("definition", i.definition());
            g.writeBooleanField("unique", i.unique());
            g.writeBooleanField("primary", i.primary());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static void optional(JsonGenerator g, String name, @Nullable String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
