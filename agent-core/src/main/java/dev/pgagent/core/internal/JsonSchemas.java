package dev.pgagent.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Derives a JSON Schema from a Java record, in the form OpenAI's strict structured output accepts: every property
 * required, no additional properties, a component marked {@code @Nullable} (JSpecify) allowed to be null. Supported
 * component types: strings, characters and UUIDs; booleans; integral and decimal numbers (primitive, boxed,
 * {@link BigInteger}, {@link BigDecimal}); enums; nested records; lists, sets and arrays of these. Stateless.
 */
final class JsonSchemas {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonSchemas() {}

    /**
     * Returns the schema of {@code type}.
     *
     * @throws IllegalArgumentException if {@code type} is not a record or has a component of an unsupported type
     */
    static ObjectNode of(Class<?> type) {
        if (!type.isRecord()) {
            throw new IllegalArgumentException("type must be a record but was " + type.getName());
        }
        return record(type, new ArrayDeque<>());
    }

    /** Returns a schema name for {@code type}: its simple name, with characters the providers refuse replaced. */
    static String name(Class<?> type) {
        String n = type.getSimpleName().replaceAll("[^A-Za-z0-9_-]", "_");
        return n.isEmpty() ? "answer" : n.length() > 64 ? n.substring(0, 64) : n;
    }

    private static ObjectNode record(Class<?> type, Deque<Class<?>> path) {
        if (path.contains(type)) {
            throw new IllegalArgumentException("record " + type.getName() + " must not contain itself");
        }
        path.push(type);
        ObjectNode schema = NODES.objectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = schema.putArray("required");
        for (RecordComponent c : type.getRecordComponents()) {
            JsonNode s = of(c.getAnnotatedType(), type.getName() + "." + c.getName(), path);
            properties.set(c.getName(), s);
            required.add(c.getName());
        }
        schema.put("additionalProperties", false);
        path.pop();
        return schema;
    }

    private static JsonNode of(AnnotatedType annotated, String where, Deque<Class<?>> path) {
        ObjectNode s = nonNull(annotated, where, path);
        if (annotated.isAnnotationPresent(Nullable.class)) {
            JsonNode t = s.get("type");
            if (t != null && t.isTextual()) {
                s.putArray("type").add(t.asText()).add("null");
                if (s.has("enum")) {
                    ((ArrayNode) s.get("enum")).addNull();
                }
            } else {
                ObjectNode any = NODES.objectNode();
                any.putArray("anyOf").add(s).addObject().put("type", "null");
                return any;
            }
        }
        return s;
    }

    private static ObjectNode nonNull(AnnotatedType annotated, String where, Deque<Class<?>> path) {
        if (annotated instanceof AnnotatedArrayType array) {
            ObjectNode s = NODES.objectNode().put("type", "array");
            s.set("items", of(array.getAnnotatedGenericComponentType(), where + "[]", path));
            return s;
        }
        Type type = annotated.getType();
        Class<?> raw = raw(type);
        if (raw == null) {
            throw unsupported(where, type);
        }
        if (annotated instanceof AnnotatedParameterizedType p
                && (raw == List.class || raw == Set.class || raw == Collection.class)) {
            ObjectNode s = NODES.objectNode().put("type", "array");
            s.set("items", of(p.getAnnotatedActualTypeArguments()[0], where + "[]", path));
            if (raw == Set.class) {
                s.put("uniqueItems", true);
            }
            return s;
        }
        if (raw == String.class || raw == UUID.class) {
            return NODES.objectNode().put("type", "string");
        }
        if (raw == char.class || raw == Character.class) {
            return NODES.objectNode().put("type", "string").put("minLength", 1).put("maxLength", 1);
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return NODES.objectNode().put("type", "boolean");
        }
        if (raw == int.class
                || raw == long.class
                || raw == short.class
                || raw == byte.class
                || raw == Integer.class
                || raw == Long.class
                || raw == Short.class
                || raw == Byte.class
                || raw == BigInteger.class) {
            return NODES.objectNode().put("type", "integer");
        }
        if (raw == double.class
                || raw == float.class
                || raw == Double.class
                || raw == Float.class
                || raw == BigDecimal.class) {
            return NODES.objectNode().put("type", "number");
        }
        if (raw.isEnum()) {
            ObjectNode s = NODES.objectNode().put("type", "string");
            ArrayNode values = s.putArray("enum");
            for (Object c : raw.getEnumConstants()) {
                values.add(((Enum<?>) c).name());
            }
            return s;
        }
        if (raw.isRecord()) {
            return record(raw, path);
        }
        throw unsupported(where, type);
    }

    private static @Nullable Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof java.lang.reflect.ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        return null;
    }

    private static IllegalArgumentException unsupported(String where, Type type) {
        return new IllegalArgumentException("component " + where + " must have a type structured output supports "
                + "(string, number, boolean, enum, record, or a list, set or array of them) but was "
                + type.getTypeName());
    }
}
