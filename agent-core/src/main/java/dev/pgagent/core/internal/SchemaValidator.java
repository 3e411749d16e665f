package dev.pgagent.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a JSON value against a JSON Schema and says what is wrong, each problem with its JSON path. Understands the
 * keywords structured output uses: {@code type} (one or several), {@code properties}, {@code required},
 * {@code additionalProperties}, {@code items}, {@code enum}, {@code const}, {@code anyOf}/{@code oneOf},
 * {@code minimum}/{@code maximum} (and exclusive), {@code minLength}/{@code maxLength}, {@code pattern},
 * {@code minItems}/{@code maxItems}, {@code uniqueItems}. Other keywords ({@code $ref}, {@code format}, ...) are not
 * checked. Stateless.
 */
final class SchemaValidator {
    private static final int MAX_PROBLEMS = 20;

    private SchemaValidator() {}

    /** Returns what is wrong with {@code value}; empty when it matches {@code schema}. */
    static List<String> problems(JsonNode value, JsonNode schema) {
        List<String> out = new ArrayList<>();
        check(value, schema, "$", out);
        return out.size() > MAX_PROBLEMS ? List.copyOf(out.subList(0, MAX_PROBLEMS)) : List.copyOf(out);
    }

    private static void check(JsonNode v, JsonNode s, String path, List<String> out) {
        if (!s.isObject() || out.size() > MAX_PROBLEMS) {
            return;
        }
        JsonNode type = s.get("type");
        if (type != null) {
            boolean ok = false;
            List<String> names = new ArrayList<>();
            if (type.isArray()) {
                for (JsonNode t : type) {
                    names.add(t.asText());
                    ok |= is(v, t.asText());
                }
            } else {
                names.add(type.asText());
                ok = is(v, type.asText());
            }
            if (!ok) {
                out.add(path + " must be " + String.join(" or ", names) + " but was " + describe(v));
                return;
            }
        }
        JsonNode en = s.get("enum");
        if (en != null && en.isArray()) {
            boolean found = false;
            for (JsonNode e : en) {
                found |= equal(e, v);
            }
            if (!found) {
                out.add(path + " must be one of " + en + " but was " + describe(v));
            }
        }
        if (s.has("const") && !equal(s.get("const"), v)) {
            out.add(path + " must be " + s.get("const") + " but was " + describe(v));
        }
        JsonNode any = s.has("anyOf") ? s.get("anyOf") : s.get("oneOf");
        if (any != null && any.isArray()) {
            boolean matched = false;
            for (JsonNode alt : any) {
                List<String> sub = new ArrayList<>();
                check(v, alt, path, sub);
                matched |= sub.isEmpty();
            }
            if (!matched) {
                out.add(path + " must match one of " + any.size() + " alternatives but matched none");
            }
        }
        if (v.isObject()) {
            object(v, s, path, out);
        } else if (v.isArray()) {
            array(v, s, path, out);
        } else if (v.isNumber()) {
            number(v, s, path, out);
        } else if (v.isTextual()) {
            string(v.asText(), s, path, out);
        }
    }

    private static void object(JsonNode v, JsonNode s, String path, List<String> out) {
        JsonNode props = s.path("properties");
        JsonNode required = s.get("required");
        if (required != null && required.isArray()) {
            for (JsonNode r : required) {
                if (!v.has(r.asText())) {
                    out.add(path + "." + r.asText() + " is required but missing");
                }
            }
        }
        JsonNode additional = s.get("additionalProperties");
        for (Map.Entry<String, JsonNode> f : v.properties()) {
            String p = path + "." + f.getKey();
            JsonNode ps = props.get(f.getKey());
            if (ps != null) {
                check(f.getValue(), ps, p, out);
            } else if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
                out.add(p + " is not allowed (no such property)");
            } else if (additional != null && additional.isObject()) {
                check(f.getValue(), additional, p, out);
            }
        }
    }

    private static void array(JsonNode v, JsonNode s, String path, List<String> out) {
        JsonNode items = s.get("items");
        if (items != null && items.isObject()) {
            for (int i = 0; i < v.size(); i++) {
                check(v.get(i), items, path + "[" + i + "]", out);
            }
        }
        if (s.has("minItems") && v.size() < s.get("minItems").asInt()) {
            out.add(path + " must have at least " + s.get("minItems").asInt() + " items but had " + v.size());
        }
        if (s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
            out.add(path + " must have at most " + s.get("maxItems").asInt() + " items but had " + v.size());
        }
        if (s.path("uniqueItems").asBoolean(false)) {
            Set<JsonNode> seen = new HashSet<>();
            for (JsonNode item : v) {
                if (!seen.add(item)) {
                    out.add(path + " must have unique items but repeated " + describe(item));
                    break;
                }
            }
        }
    }

    private static void number(JsonNode v, JsonNode s, String path, List<String> out) {
        double d = v.asDouble();
        if (s.has("minimum") && d < s.get("minimum").asDouble()) {
            out.add(path + " must be >= " + s.get("minimum") + " but was " + v);
        }
        if (s.has("maximum") && d > s.get("maximum").asDouble()) {
            out.add(path + " must be <= " + s.get("maximum") + " but was " + v);
        }
        if (s.has("exclusiveMinimum")
                && s.get("exclusiveMinimum").isNumber()
                && d <= s.get("exclusiveMinimum").asDouble()) {
            out.add(path + " must be > " + s.get("exclusiveMinimum") + " but was " + v);
        }
        if (s.has("exclusiveMaximum")
                && s.get("exclusiveMaximum").isNumber()
                && d >= s.get("exclusiveMaximum").asDouble()) {
            out.add(path + " must be < " + s.get("exclusiveMaximum") + " but was " + v);
        }
    }

    private static void string(String text, JsonNode s, String path, List<String> out) {
        int length = text.codePointCount(0, text.length());
        if (s.has("minLength") && length < s.get("minLength").asInt()) {
            out.add(path + " must have at least " + s.get("minLength").asInt() + " characters but had " + length);
        }
        if (s.has("maxLength") && length > s.get("maxLength").asInt()) {
            out.add(path + " must have at most " + s.get("maxLength").asInt() + " characters but had " + length);
        }
        if (s.path("pattern").isTextual()) {
            try {
                if (!Pattern.compile(s.get("pattern").asText()).matcher(text).find()) {
                    out.add(path + " must match " + s.get("pattern").asText() + " but was "
                            + describe(com.fasterxml.jackson.databind.node.TextNode.valueOf(text)));
                }
            } catch (PatternSyntaxException e) {
                // a pattern Java cannot read is not checked
            }
        }
    }

    private static boolean is(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            case "number" -> v.isNumber();
            case "integer" ->
                v.isIntegralNumber()
                        || (v.isNumber()
                                && v.asDouble() == Math.rint(v.asDouble())
                                && !Double.isInfinite(v.asDouble()));
            default -> true;
        };
    }

    private static boolean equal(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static String describe(JsonNode v) {
        String kind = v.isObject()
                ? "an object"
                : v.isArray()
                        ? "an array"
                        : v.isNull()
                                ? "null"
                                : v.isTextual() ? "the string " : v.isBoolean() ? "the boolean " : "the number ";
        if (v.isObject() || v.isArray() || v.isNull()) {
            return kind;
        }
        String text = v.toString();
        return kind + (text.length() > 60 ? text.substring(0, 60) + "..." : text);
    }
}
