package dev.pgagent.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolContext;
import dev.pgagent.api.tool.ToolResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The tools an agent offers, by name. With one database: its built-in tools, then the host's. With several: each
 * built-in tool once, taking a required {@code database} argument that routes the call to that database's tool and
 * guard, a {@code list_databases} tool, then the host's tools (whose {@link ToolContext#sql()} reaches the default
 * database and {@link ToolContext#database(String)} the others). Immutable.
 */
final class ToolRegistry {
    static final String DATABASE_ARGUMENT = "database";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<String, Tool> tools;
    private final List<ToolSpec> specs;

    ToolRegistry(List<DatabaseBinding> databases, List<Tool> hostTools) {
        List<Tool> all = new ArrayList<>();
        if (databases.size() == 1) {
            all.addAll(databases.get(0).tools());
        } else {
            all.addAll(routed(databases));
            all.add(listDatabases(databases));
        }
        all.addAll(hostTools);
        Map<String, Tool> byName = new LinkedHashMap<>();
        for (Tool t : all) {
            Tool previous = byName.putIfAbsent(t.name(), t);
            if (previous != null) {
                throw new IllegalStateException(
                        "tool names must be unique but '" + t.name() + "' is used by both " + previous + " and " + t);
            }
        }
        this.tools = Collections.unmodifiableMap(byName);
        this.specs = byName.values().stream().map(Tool::spec).toList();
    }

    Map<String, Tool> tools() {
        return tools;
    }

    @Nullable
    Tool get(String name) {
        return tools.get(name);
    }

    List<ToolSpec> specs() {
        return specs;
    }

    private static List<Tool> routed(List<DatabaseBinding> databases) {
        List<String> names = databases.stream().map(DatabaseBinding::name).toList();
        Map<String, Map<String, Tool>> byTool = new LinkedHashMap<>();
        for (DatabaseBinding db : databases) {
            for (Tool t : db.tools()) {
                byTool.computeIfAbsent(t.name(), k -> new LinkedHashMap<>()).put(db.name(), t);
            }
        }
        List<Tool> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, Tool>> e : byTool.entrySet()) {
            Map<String, Tool> perDb = e.getValue();
            Tool first = perDb.values().iterator().next();
            List<String> dbs = names.stream().filter(perDb::containsKey).toList();
            ToolSpec spec = new ToolSpec(
                    first.name(),
                    first.spec().description(),
                    withDatabase(first.spec().parametersSchema(), dbs));
            out.add(new RoutedTool(spec, perDb));
        }
        return out;
    }

    /** Adds a required {@code database} property (one of {@code names}) to a JSON Schema of an object. */
    static String withDatabase(String schema, List<String> names) {
        try {
            ObjectNode root = (ObjectNode) MAPPER.readTree(schema);
            ObjectNode props =
                    root.has("properties") ? (ObjectNode) root.get("properties") : root.putObject("properties");
            ObjectNode db = MAPPER.createObjectNode();
            db.put("type", "string");
            db.put(
                    "description",
                    "The database to use: one of " + String.join(", ", names) + " (list_databases describes them).");
            ArrayNode values = db.putArray("enum");
            names.forEach(values::add);
            ObjectNode reordered = MAPPER.createObjectNode();
            reordered.set(DATABASE_ARGUMENT, db);
            props.properties().forEach(f -> reordered.set(f.getKey(), f.getValue()));
            root.set("properties", reordered);
            ArrayNode required = MAPPER.createArrayNode().add(DATABASE_ARGUMENT);
            if (root.has("required")) {
                root.get("required").forEach(required::add);
            }
            root.set("required", required);
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException(
                    "a built-in tool's parameters schema must be a JSON object but was " + schema, e);
        }
    }

    /** A built-in tool offered once for several databases; its {@code database} argument picks one. */
    private static final class RoutedTool implements Tool {
        private final ToolSpec spec;
        private final Map<String, Tool> perDb;

        RoutedTool(ToolSpec spec, Map<String, Tool> perDb) {
            this.spec = spec;
            this.perDb = Map.copyOf(perDb);
        }

        @Override
        public ToolSpec spec() {
            return spec;
        }

        @Override
        public ToolResult execute(ToolArguments arguments, ToolContext context) {
            String name = arguments.string(DATABASE_ARGUMENT).orElse("");
            Tool tool = perDb.get(name);
            if (tool == null) {
                List<String> known =
                        context.databases().stream().filter(perDb::containsKey).toList();
                return ToolResult.error(
                        name.isEmpty()
                                ? "the argument 'database' is required: one of " + String.join(", ", known)
                                : "unknown database '" + name + "'; the databases are " + String.join(", ", known)
                                        + " (list_databases describes them)");
            }
            Map<String, @Nullable Object> rest = new LinkedHashMap<>(arguments.asMap());
            rest.remove(DATABASE_ARGUMENT);
            String json;
            try {
                json = MAPPER.writeValueAsString(rest);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("the arguments could not be passed on: " + e.getOriginalMessage());
            }
            return tool.execute(ToolArguments.of(rest, json), context.database(name));
        }

        @Override
        public String toString() {
            return "RoutedTool[" + spec.name() + " on " + perDb.keySet() + "]";
        }
    }

    private static Tool listDatabases(List<DatabaseBinding> databases) {
        ToolSpec spec = new ToolSpec(
                "list_databases",
                "Lists the databases you can use, with what each holds and its safety policy. Pass a database's "
                        + "name as the 'database' argument of the other tools.",
                ToolSpec.NO_PARAMETERS);
        return Tool.of(spec, (args, ctx) -> {
            StringBuilder sb = new StringBuilder();
            for (DatabaseBinding db : databases) {
                sb.append("- ").append(db.name());
                if (!db.description().isBlank()) {
                    sb.append(": ").append(db.description().strip());
                }
                sb.append(" (policy ")
                        .append(db.policy()
                                .level()
                                .name()
                                .toLowerCase(Locale.ROOT)
                                .replace('_', '-'))
                        .append(")\n");
            }
            return ToolResult.of(sb.toString().strip());
        });
    }
}
