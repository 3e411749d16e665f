package dev.pgagent.config.internal;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A node of a parsed YAML document with its position (1-based line and column). Aliases share the node they
 * refer to, so a document's size in memory stays that of its text; {@link #weight()} counts the nodes as if every
 * alias were expanded, which is what the reader bounds.
 */
public sealed interface Node permits Node.MapNode, Node.SeqNode, Node.ScalarNode {
    /** Returns the line, from 1. */
    int line();

    /** Returns the column, from 1. */
    int column();

    /** Returns the number of nodes under and including this one, aliases expanded. */
    long weight();

    /** Returns a short name of the node's kind for messages: "a mapping", "a list", "a value". */
    String kind();

    /** One key of a mapping, with the key's own position. */
    record Field(String key, int line, int column, Node value) {}

    /** A mapping, in document order, merge keys ({@code <<}) applied. */
    record MapNode(Map<String, Field> fields, int line, int column, long weight) implements Node {
        public MapNode {
            fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
        }

        @Override
        public String kind() {
            return "a mapping";
        }
    }

    /** A sequence. */
    record SeqNode(List<Node> items, int line, int column, long weight) implements Node {
        public SeqNode {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "a list";
        }
    }

    /** A scalar; {@code text} is null for YAML null, numbers are in canonical decimal form. */
    record ScalarNode(@Nullable String text, ScalarKind scalarKind, int line, int column) implements Node {
        @Override
        public long weight() {
            return 1;
        }

        @Override
        public String kind() {
            return "a value";
        }
    }

    /** What the YAML parser made of a scalar. */
    enum ScalarKind {
        /** Text (quoted, or plain text that is no number, boolean or null). */
        STRING,
        /** An integer. */
        INT,
        /** A floating-point number. */
        FLOAT,
        /** true or false. */
        BOOL,
        /** null, ~, or nothing. */
        NULL,
        /** Binary or otherwise tagged data. */
        OTHER
    }
}
