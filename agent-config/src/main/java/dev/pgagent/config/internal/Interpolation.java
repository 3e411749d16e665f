package dev.pgagent.config.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Expands environment variables in a value: {@code ${NAME}}, {@code ${NAME:-fallback}} (the fallback when NAME is
 * unset or empty), and {@code $$} for a literal {@code $}. A {@code $} followed by anything else stays as it is.
 */
public final class Interpolation {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SINGLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private Interpolation() {}

    /** The expanded text and the variables it read. */
    public record Result(String text, List<String> variables) {
        public Result {
            variables = List.copyOf(variables);
        }
    }

    /**
     * Returns {@code text} with its references expanded.
     *
     * @throws IllegalArgumentException if a reference is malformed or names an unset variable; the message names
     *     the variable, never a value
     */
    public static Result expand(String text, Map<String, String> env) {
        if (text.indexOf('$') < 0) {
            return new Result(text, List.of());
        }
        StringBuilder out = new StringBuilder(text.length());
        List<String> vars = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = text.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            if (next != '{') {
                out.append(c);
                i++;
                continue;
            }
            int end = text.indexOf('}', i + 2);
            if (end < 0) {
                throw new IllegalArgumentException("has a ${ without its closing }");
            }
            String body = text.substring(i + 2, end);
            int dash = body.indexOf(":-");
            String name = dash < 0 ? body : body.substring(0, dash);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("refers to ${" + abbreviate(body) + "}, which is not a variable "
                        + "name (letters, digits, _)");
            }
            String value = env.get(name);
            vars.add(name);
            if (dash >= 0 && (value == null || value.isEmpty())) {
                value = body.substring(dash + 2);
            }
            if (value == null) {
                throw new IllegalArgumentException("refers to ${" + name + "}, which is not set");
            }
            out.append(value);
            i = end + 1;
        }
        return new Result(out.toString(), vars);
    }

    /** Returns whether {@code text} references any variable. */
    public static boolean hasReference(String text) {
        return text.replace("$$", "").contains("${");
    }

    /** Returns the variable name if {@code text} is exactly one plain {@code ${NAME}} reference, else null. */
    public static @org.jspecify.annotations.Nullable String singleReference(String text) {
        java.util.regex.Matcher m = SINGLE.matcher(text.strip());
        return m.matches() ? m.group(1) : null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
