package dev.pgagent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.EnumType;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.IndexInfo;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.context.SchemaContext;
import dev.pgagent.context.ScoredTable;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentStep;
import dev.pgagent.core.ToolInvocation;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Builds the JSON documents the command-line client prints. Stateless. */
final class JsonViews {
    static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private JsonViews() {}

    /** Returns {@code node} on one line. */
    static String line(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns {@code node} indented. */
    static String pretty(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the verdict on {@code sql}: sql, decision, classification, reason, tables, confirmation. */
    static ObjectNode verdict(String sql, Verdict v) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("sql", sql);
        n.put("decision", v.decision().name());
        n.put("classification", v.kind().name());
        n.put("reason", v.reason());
        ArrayNode tables = n.putArray("tables");
        v.tables().forEach(tables::add);
        if (v.confirmation() != dev.pgagent.api.safety.ConfirmationKind.NONE) {
            n.put("confirmation", v.confirmation().name());
        }
        return n;
    }

    /** Returns the whole outcome of an ask. */
    static ObjectNode response(String question, AgentResponse r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("question", question);
        n.put("status", r.status().name());
        n.put("answer", r.answer());
        r.error().ifPresent(e -> n.put("error", e));
        r.limit().ifPresent(l -> n.put("limit", l.name()));
        ArrayNode queries = n.putArray("queries");
        for (StatementOutcome o : r.statements()) {
            queries.add(outcome(o));
        }
        ArrayNode steps = n.putArray("steps");
        for (AgentStep s : r.steps()) {
            steps.add(step(s));
        }
        n.set("usage", usage(r.usage()));
        n.put("elapsedMs", r.elapsed().toMillis());
        ArrayNode tables = n.putArray("tables");
        for (QueryResult t : r.tables()) {
            tables.add(table(t));
        }
        ArrayNode pending = n.putArray("pendingConfirmations");
        for (ConfirmationRequest c : r.pendingConfirmations()) {
            ObjectNode p = pending.addObject();
            p.put("id", c.id());
            p.put("sql", c.sql());
            p.put("kind", c.kind().name());
            p.put("affectedRows", c.dryRun().affectedRows());
        }
        return n;
    }

    /** Returns one statement's verdict and outcome. */
    static ObjectNode outcome(StatementOutcome o) {
        ObjectNode q = verdict(o.sql(), o.verdict());
        q.put("outcome", o.status().name());
        if (o.result() != null) {
            q.put("rows", o.result().rowCount());
            q.put("truncation", o.result().truncation().name());
        }
        if (o.affectedRows() >= 0) {
            q.put("affectedRows", o.affectedRows());
        }
        putIfNotNull(q, "error", o.error());
        putIfNotNull(q, "sqlState", o.sqlState());
        q.put("elapsedMs", millis(o.elapsed()));
        return q;
    }

    private static ObjectNode step(AgentStep s) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("index", s.index());
        putIfNotNull(n, "text", s.message().text());
        ArrayNode calls = n.putArray("toolCalls");
        for (ToolInvocation inv : s.toolInvocations()) {
            ToolCall call = inv.call();
            ObjectNode c = calls.addObject();
            c.put("id", call.id());
            c.put("name", call.name());
            c.set("arguments", parseOrText(call.arguments()));
            c.put("error", inv.result().error());
            c.put("result", inv.result().content());
            c.put("elapsedMs", millis(inv.elapsed()));
        }
        n.set("usage", usage(s.usage()));
        n.put("elapsedMs", millis(s.elapsed()));
        return n;
    }

    private static JsonNode parseOrText(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return MAPPER.getNodeFactory().textNode(json);
        }
    }

    private static ObjectNode usage(TokenUsage u) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("inputTokens", u.inputTokens());
        n.put("outputTokens", u.outputTokens());
        n.put("totalTokens", u.totalTokens());
        return n;
    }

    /** Returns a result table: columns with types, rows of values (strings or null), truncation. */
    static ObjectNode table(QueryResult t) {
        ObjectNode n = MAPPER.createObjectNode();
        ArrayNode cols = n.putArray("columns");
        for (ResultColumn c : t.columns()) {
            ObjectNode col = cols.addObject();
            col.put("name", c.name());
            col.put("type", c.typeName());
        }
        ArrayNode rows = n.putArray("rows");
        for (List<@Nullable String> row : t.rows()) {
            ArrayNode r = rows.addArray();
            for (String v : row) {
                if (v == null) {
                    r.addNull();
                } else {
                    r.add(v);
                }
            }
        }
        n.put("rowCount", t.rowCount());
        n.put("truncation", t.truncation().name());
        return n;
    }

    /** Returns the full schema model. */
    static ObjectNode schema(SchemaModel schema) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("introspectedAt", schema.introspectedAt().toString());
        ArrayNode tables = n.putArray("tables");
        for (TableInfo t : schema.tables()) {
            tables.add(table(t));
        }
        ArrayNode enums = n.putArray("enums");
        for (EnumType e : schema.enums()) {
            ObjectNode en = enums.addObject();
            en.put("schema", e.schema());
            en.put("name", e.name());
            ArrayNode labels = en.putArray("labels");
            e.labels().forEach(labels::add);
        }
        return n;
    }

    private static ObjectNode table(TableInfo t) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schema", t.schema());
        n.put("name", t.name());
        n.put("qualifiedName", t.qualifiedName());
        n.put("kind", t.kind().name());
        putIfNotNull(n, "comment", t.comment());
        n.put("rowEstimate", t.rowEstimate());
        ArrayNode cols = n.putArray("columns");
        for (ColumnInfo c : t.columns()) {
            ObjectNode col = cols.addObject();
            col.put("name", c.name());
            col.put("type", c.type());
            col.put("nullable", c.nullable());
            putIfNotNull(col, "default", c.defaultValue());
            putIfNotNull(col, "identity", c.identity());
            putIfNotNull(col, "generated", c.generated());
            putIfNotNull(col, "comment", c.comment());
        }
        strings(n.putArray("primaryKey"), t.primaryKey());
        ArrayNode uniques = n.putArray("uniqueConstraints");
        t.uniqueConstraints().forEach(u -> strings(uniques.addArray(), u));
        ArrayNode fks = n.putArray("foreignKeys");
        for (ForeignKey fk : t.foreignKeys()) {
            ObjectNode f = fks.addObject();
            f.put("name", fk.name());
            strings(f.putArray("columns"), fk.columns());
            f.put("referencedSchema", fk.referencedSchema());
            f.put("referencedTable", fk.referencedTable());
            strings(f.putArray("referencedColumns"), fk.referencedColumns());
        }
        strings(n.putArray("checkConstraints"), t.checkConstraints());
        ArrayNode indexes = n.putArray("indexes");
        for (IndexInfo i : t.indexes()) {
            ObjectNode ix = indexes.addObject();
            ix.put("name", i.name());
            ix.put("definition", i.definition());
            ix.put("unique", i.unique());
            ix.put("primary", i.primary());
        }
        return n;
    }

    /** Returns what the model would be given for {@code question}. */
    static ObjectNode context(String question, int budget, SchemaContext c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("question", question);
        n.put("budget", budget);
        n.put("tokens", c.tokens());
        ArrayNode tables = n.putArray("tables");
        for (ScoredTable t : c.tables()) {
            ObjectNode st = tables.addObject();
            st.put("name", t.qualifiedName());
            st.put("score", Math.round(t.score() * 10_000) / 10_000.0);
            st.put("viaForeignKey", t.viaForeignKey());
        }
        n.put("text", c.text());
        return n;
    }

    /** Returns an error line for input that could not be used. */
    static ObjectNode inputError(long lineNumber, String message) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("line", lineNumber);
        n.put("error", message);
        return n;
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static void strings(ArrayNode target, List<String> values) {
        values.forEach(target::add);
    }

    private static void putIfNotNull(ObjectNode n, String name, @Nullable String value) {
        if (value != null) {
            n.put(name, value);
        }
    }

    private static long millis(Duration d) {
        return d.toMillis();
    }
}
