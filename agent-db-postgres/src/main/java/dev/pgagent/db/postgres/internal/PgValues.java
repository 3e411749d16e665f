package dev.pgagent.db.postgres.internal;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns values as PostgreSQL prints them (text format) into JSON: numbers stay exact, booleans become
 * {@code true}/{@code false}, {@code json}/{@code jsonb} is embedded, arrays become JSON arrays (elements converted by
 * the element type), timestamps become ISO 8601 with a {@code T} and an offset of the form {@code +hh:mm}, bytea
 * stays {@code \x} hex or becomes base64; everything else is a JSON string. Stateless and thread-safe.
 */
public final class PgValues {
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");
    private static final Pattern TIMESTAMPTZ = Pattern.compile("([0-9]{4,}-[0-9]{2}-[0-9]{2})"
            + " ([0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?)([+-][0-9]{2})(:[0-9]{2})?(:[0-9]{2})?");
    private static final Pattern TIMESTAMP =
            Pattern.compile("([0-9]{4,}-[0-9]{2}-[0-9]{2}) ([0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?)");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PgValues() {}

    /** The JSON kind of a PostgreSQL type. */
    public enum Kind {
        NUMBER,
        BOOLEAN,
        JSON,
        TIMESTAMPTZ,
        TIMESTAMP,
        BYTEA,
        ARRAY,
        STRING
    }

    /** Returns the JSON kind of the type named {@code typeName} ({@code pg_type.typname}). */
    public static Kind kind(String typeName) {
        if (typeName.startsWith("_")) {
            return Kind.ARRAY;
        }
        return switch (typeName) {
            // pgjdbc names an integer column with a sequence default (serial, identity) serial or bigserial
            case "int2", "int4", "int8", "oid", "float4", "float8", "numeric", "serial", "bigserial", "smallserial" ->
                Kind.NUMBER;
            case "bool" -> Kind.BOOLEAN;
            case "json", "jsonb" -> Kind.JSON;
            case "timestamptz" -> Kind.TIMESTAMPTZ;
            case "timestamp" -> Kind.TIMESTAMP;
            case "bytea" -> Kind.BYTEA;
            default -> Kind.STRING;
        };
    }

    /** Appends {@code value} (text as PostgreSQL printed it, null for NULL) to {@code out} as JSON. */
    public static void appendJson(StringBuilder out, String typeName, @Nullable String value, boolean base64) {
        if (value == null) {
            out.append("null");
            return;
        }
        appendJson(out, kind(typeName), typeName, value, base64);
    }

    private static void appendJson(StringBuilder out, Kind kind, String typeName, String value, boolean base64) {
        switch (kind) {
            case NUMBER -> {
                if (JSON_NUMBER.matcher(value).matches()) {
                    out.append(value);
                } else {
                    appendString(out, value); // NaN, Infinity
                }
            }
            case BOOLEAN ->
                out.append(
                        "t".equals(value) || "true".equals(value)
                                ? "true"
                                : "f".equals(value) || "false".equals(value) ? "false" : quoted(value));
            case JSON -> out.append(value);
            case TIMESTAMPTZ -> appendString(out, isoTimestamptz(value));
            case TIMESTAMP -> appendString(out, isoTimestamp(value));
            case BYTEA -> appendString(out, bytea(value, base64));
            case ARRAY -> appendArray(out, typeName, value, base64);
            case STRING -> appendString(out, value);
        }
    }

    private static String quoted(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2);
        appendString(sb, value);
        return sb.toString();
    }

    /** Returns a {@code timestamptz} as ISO 8601 ({@code 2024-05-01T12:00:00+02:00}); other forms unchanged. */
    public static String isoTimestamptz(String value) {
        Matcher m = TIMESTAMPTZ.matcher(value);
        if (!m.matches()) {
            return value; // infinity, BC dates
        }
        return m.group(1)
                + 'T'
                + m.group(2)
                + m.group(3)
                + (m.group(4) == null ? ":00" : m.group(4))
                + (m.group(5) == null ? "" : m.group(5));
    }

    /** Returns a {@code timestamp} as ISO 8601 ({@code 2024-05-01T12:00:00}); other forms unchanged. */
    public static String isoTimestamp(String value) {
        Matcher m = TIMESTAMP.matcher(value);
        return m.matches() ? m.group(1) + 'T' + m.group(2) : value;
    }

    /** Returns a bytea printed as {@code \x...} hex, as it is or as base64. */
    public static String bytea(String value, boolean base64) {
        if (!base64 || !value.startsWith("\\x")) {
            return value;
        }
        int n = (value.length() - 2) / 2;
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) ((Character.digit(value.charAt(2 + 2 * i), 16) << 4)
                    | Character.digit(value.charAt(3 + 2 * i), 16));
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Returns hex digits of {@code bytes} after {@code \x}, as PostgreSQL prints bytea. */
    public static String hex(byte[] bytes) {
        char[] out = new char[2 + bytes.length * 2];
        out[0] = '\\';
        out[1] = 'x';
        for (int i = 0; i < bytes.length; i++) {
            out[2 + 2 * i] = HEX[(bytes[i] >> 4) & 0xf];
            out[3 + 2 * i] = HEX[bytes[i] & 0xf];
        }
        return new String(out);
    }

    /** Appends {@code s} as a JSON string. */
    public static void appendString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void appendArray(StringBuilder out, String typeName, String value, boolean base64) {
        String elementType = typeName.substring(1);
        char delimiter = "box".equals(elementType) ? ';' : ',';
        int start = 0;
        if (value.startsWith("[")) {
            // explicit bounds ([0:2]={...}): JSON arrays start at 0 anyway; the bounds are dropped
            int eq = value.indexOf("={");
            if (eq < 0) {
                appendString(out, value);
                return;
            }
            start = eq + 1;
        }
        if (start >= value.length() || value.charAt(start) != '{') {
            appendString(out, value);
            return;
        }
        Object parsed;
        try {
            int[] pos = {start};
            parsed = parseArray(value, pos, delimiter);
            if (pos[0] != value.length()) {
                throw new IllegalArgumentException("trailing text");
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            appendString(out, value); // not array syntax after all: keep the text
            return;
        }
        appendParsed(out, parsed, kind(elementType), elementType, base64);
    }

    private static void appendParsed(
            StringBuilder out, @Nullable Object node, Kind kind, String elementType, boolean base64) {
        if (node == null) {
            out.append("null");
        } else if (node instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                appendParsed(out, list.get(i), kind, elementType, base64);
            }
            out.append(']');
        } else {
            appendJson(out, kind, elementType, (String) node, base64);
        }
    }

    /** Parses {@code {a,b,{c}}} from {@code pos[0]} (at a '{'); elements are Strings, nulls or nested lists. */
    static List<@Nullable Object> parseArray(String s, int[] pos, char delimiter) {
        if (s.charAt(pos[0]) != '{') {
            throw new IllegalArgumentException("expected {");
        }
        pos[0]++;
        List<@Nullable Object> items = new ArrayList<>();
        if (s.charAt(pos[0]) == '}') {
            pos[0]++;
            return items;
        }
        while (true) {
            char c = s.charAt(pos[0]);
            if (c == '{') {
                items.add(parseArray(s, pos, delimiter));
            } else if (c == '"') {
                StringBuilder sb = new StringBuilder();
                int i = pos[0] + 1;
                while (true) {
                    char ch = s.charAt(i);
                    if (ch == '\\') {
                        sb.append(s.charAt(i + 1));
                        i += 2;
                    } else if (ch == '"') {
                        i++;
                        break;
                    } else {
                        sb.append(ch);
                        i++;
                    }
                }
                pos[0] = i;
                items.add(sb.toString());
            } else {
                int i = pos[0];
                while (s.charAt(i) != delimiter && s.charAt(i) != '}') {
                    i++;
                }
                String raw = s.substring(pos[0], i).strip();
                pos[0] = i;
                items.add("NULL".equalsIgnoreCase(raw) ? null : raw);
            }
            char next = s.charAt(pos[0]);
            pos[0]++;
            if (next == '}') {
                return items;
            }
            if (next != delimiter) {
                throw new IllegalArgumentException("expected a delimiter");
            }
        }
    }
}
