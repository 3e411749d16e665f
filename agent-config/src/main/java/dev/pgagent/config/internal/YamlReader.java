package dev.pgagent.config.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.pgagent.config.internal.Node.Field;
import dev.pgagent.config.internal.Node.MapNode;
import dev.pgagent.config.internal.Node.ScalarKind;
import dev.pgagent.config.internal.Node.ScalarNode;
import dev.pgagent.config.internal.Node.SeqNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads one YAML document into {@link Node}s with positions, within bounds: at most {@link #MAX_BYTES} of text,
 * {@link #MAX_DEPTH} levels of nesting, and {@link #MAX_NODES} nodes counted with every alias expanded (so the
 * "billion laughs" document is refused after a few hundred bytes of work, not after gigabytes of memory). Aliases
 * are shared, never copied. Duplicate keys and unknown aliases are reported; merge keys ({@code <<: *base}) are
 * applied, keys written in the mapping itself winning. Not thread-safe; use one reader per document.
 */
public final class YamlReader {
    /** The largest file read, in bytes. */
    public static final int MAX_BYTES = 1 << 20;
    /** The deepest nesting of mappings and lists. */
    public static final int MAX_DEPTH = 32;
    /** The most nodes a document may hold, aliases expanded. */
    public static final long MAX_NODES = 100_000;

    private static final YAMLFactory FACTORY = factory();

    private final List<Issue> issues = new ArrayList<>();
    private final Map<String, Node> anchors = new HashMap<>();
    private @Nullable YAMLParser parser;

    /** A problem found at a position of the text. */
    public record Issue(int line, int column, String message) {}

    /** The document, or null when it could not be read at all, and the problems found. */
    public record Result(@Nullable Node root, List<Issue> issues) {
        public Result {
            issues = List.copyOf(issues);
        }
    }

    private static final class Fatal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Fatal() {
            super(null, null, false, false);
        }
    }

    private YamlReader() {}

    private static YAMLFactory factory() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_BYTES * 2);
        options.setNestingDepthLimit(MAX_DEPTH * 2);
        options.setMaxAliasesForCollections(1_000);
        return YAMLFactory.builder()
                .loaderOptions(options)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH * 2)
                        .maxStringLength(MAX_BYTES)
                        .maxNumberLength(100)
                        .build())
                .build();
    }

    /** Reads {@code bytes} (UTF-8). An empty document gives a null root and no issue. */
    public static Result read(byte[] bytes) {
        YamlReader r = new YamlReader();
        Node root = r.readAll(bytes);
        return new Result(root, r.issues);
    }

    private @Nullable Node readAll(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            issues.add(new Issue(
                    1,
                    1,
                    "the file holds " + bytes.length + " bytes; a configuration file may hold at most " + MAX_BYTES
                            + " (1 MiB)"));
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            issues.add(new Issue(1, 1, "the file is not UTF-8 text"));
            return null;
        }
        try (YAMLParser p = FACTORY.createParser(text)) {
            parser = p;
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            Node root = node(first, 1);
            JsonToken next = p.nextToken();
            if (next != null) {
                JsonLocation at = p.currentTokenLocation();
                issues.add(new Issue(
                        at.getLineNr(),
                        at.getColumnNr(),
                        "a configuration file holds one YAML document, but a second one starts here"));
            }
            return root;
        } catch (Fatal e) {
            return null;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            issues.add(new Issue(
                    at == null ? 1 : Math.max(1, at.getLineNr()),
                    at == null ? 1 : Math.max(1, at.getColumnNr()),
                    "YAML syntax error: " + firstLine(e.getOriginalMessage())));
            return null;
        } catch (IOException e) {
            issues.add(
                    new Issue(1, 1, "the file cannot be read: " + e.getClass().getSimpleName()));
            return null;
        }
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "unreadable";
        }
        String m = message.strip();
        int nl = m.indexOf('\n');
        String line = (nl < 0 ? m : m.substring(0, nl)).strip();
        // snakeyaml's messages name the construct; keep them, they are short and precise enough
        return line.isEmpty() ? "unreadable" : line;
    }

    private YAMLParser p() {
        YAMLParser p = parser;
        if (p == null) {
            throw new IllegalStateException("no parser");
        }
        return p;
    }

    private Node node(JsonToken token, int depth) throws IOException {
        YAMLParser p = p();
        JsonLocation at = p.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        if (p.isCurrentAlias()) {
            String name = p.getText();
            Node target = anchors.get(name);
            if (target == null) {
                issues.add(new Issue(
                        line,
                        column,
                        "unknown alias *" + name + " (an alias must follow its anchor &" + name
                                + ", and cannot refer to itself)"));
                return new ScalarNode(null, ScalarKind.NULL, line, column);
            }
            return target;
        }
        String anchor = token.isStructStart() || token.isScalarValue() ? p.getObjectId() : null;
        if (depth > MAX_DEPTH) {
            issues.add(new Issue(line, column, "the file nests deeper than " + MAX_DEPTH + " levels"));
            throw new Fatal();
        }
        Node node = switch (token) {
            case START_OBJECT -> mapping(line, column, depth);
            case START_ARRAY -> sequence(line, column, depth);
            default -> scalar(token, line, column);
        };
        if (node.weight() > MAX_NODES) {
            issues.add(new Issue(
                    line,
                    column,
                    "the document expands to more than " + MAX_NODES
                            + " values through its aliases; a configuration file needs far fewer"));
            throw new Fatal();
        }
        if (anchor != null) {
            anchors.put(anchor, node);
        }
        return node;
    }

    private Node mapping(int line, int column, int depth) throws IOException {
        YAMLParser p = p();
        Map<String, Field> fields = new LinkedHashMap<>();
        List<Node> merges = new ArrayList<>();
        long weight = 1;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
            if (t == null) {
                throw new Fatal();
            }
            JsonLocation at = p.currentTokenLocation();
            String key = p.currentName();
            if (key == null) {
                key = "";
            }
            Node value = node(p.nextToken(), depth + 1);
            weight += value.weight();
            if (weight > MAX_NODES) {
                issues.add(new Issue(
                        at.getLineNr(),
                        at.getColumnNr(),
                        "the document expands to more than " + MAX_NODES
                                + " values through its aliases; a configuration file needs far fewer"));
                throw new Fatal();
            }
            if (key.equals("<<")) {
                merges.add(value);
                continue;
            }
            Field earlier = fields.get(key);
            if (earlier != null) {
                issues.add(new Issue(
                        at.getLineNr(),
                        at.getColumnNr(),
                        "duplicate key '" + key + "' (first at line " + earlier.line() + ")"));
                continue;
            }
            fields.put(key, new Field(key, at.getLineNr(), at.getColumnNr(), value));
        }
        for (Node merge : merges) {
            List<Node> sources = merge instanceof SeqNode seq ? seq.items() : List.of(merge);
            for (Node source : sources) {
                if (!(source instanceof MapNode m)) {
                    issues.add(new Issue(
                            source.line(),
                            source.column(),
                            "<< must be followed by a mapping or an alias of one, but was " + source.kind()));
                    continue;
                }
                m.fields().forEach(fields::putIfAbsent);
            }
        }
        return new MapNode(fields, line, column, weight);
    }

    private Node sequence(int line, int column, int depth) throws IOException {
        YAMLParser p = p();
        List<Node> items = new ArrayList<>();
        long weight = 1;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new Fatal();
            }
            JsonLocation at = p.currentTokenLocation();
            Node item = node(t, depth + 1);
            weight += item.weight();
            if (weight > MAX_NODES) {
                issues.add(new Issue(
                        at.getLineNr(),
                        at.getColumnNr(),
                        "the document expands to more than " + MAX_NODES
                                + " values through its aliases; a configuration file needs far fewer"));
                throw new Fatal();
            }
            items.add(item);
        }
        return new SeqNode(items, line, column, weight);
    }

    private Node scalar(JsonToken token, int line, int column) throws IOException {
        YAMLParser p = p();
        return switch (token) {
            case VALUE_NULL -> new ScalarNode(null, ScalarKind.NULL, line, column);
            case VALUE_TRUE -> new ScalarNode("true", ScalarKind.BOOL, line, column);
            case VALUE_FALSE -> new ScalarNode("false", ScalarKind.BOOL, line, column);
            case VALUE_NUMBER_INT -> new ScalarNode(p.getNumberValue().toString(), ScalarKind.INT, line, column);
            case VALUE_NUMBER_FLOAT -> new ScalarNode(p.getText(), ScalarKind.FLOAT, line, column);
            case VALUE_STRING -> {
                String text = p.getText();
                yield text == null || text.isEmpty() && p.getTypeId() == null
                        ? new ScalarNode(null, ScalarKind.NULL, line, column)
                        : new ScalarNode(text, ScalarKind.STRING, line, column);
            }
            default -> new ScalarNode(p.getText(), ScalarKind.OTHER, line, column);
        };
    }
}
