package dev.pgagent.safety.internal;

import org.jspecify.annotations.Nullable;

/** Normalises identifiers as PostgreSQL does: quoted ones keep their case, unquoted ones fold to lower case. */
public final class Names {
    private Names() {}

    /** Normalises one identifier, or a dotted name part by part. Returns "" for null. */
    public static String normalize(@Nullable String raw) {
        if (raw == null) {
            return "";
        }
        String s = raw.strip();
        if (s.indexOf('.') >= 0) {
            StringBuilder b = new StringBuilder();
            for (String part : splitDotted(s)) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(one(part));
            }
            return b.toString();
        }
        return one(s);
    }

    private static String one(String s) {
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1).replace("\"\"", "\"");
        }
        return SqlLexer.fold(s);
    }

    private static java.util.List<String> splitDotted(String s) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == '.' && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }
}
