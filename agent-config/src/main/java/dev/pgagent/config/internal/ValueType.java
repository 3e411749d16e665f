package dev.pgagent.config.internal;

import dev.pgagent.config.internal.Node.ScalarKind;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type of a setting: how text becomes a value, the rule named in messages ("an integer >= 1"), and how a value
 * is written back for people. Immutable.
 */
public abstract class ValueType {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern SIZE =
            Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Pattern PROFILE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,62}");

    private final String rule;

    private ValueType(String rule) {
        this.rule = rule;
    }

    /** Returns the rule a value must follow, as in "must be <rule>". */
    public final String rule() {
        return rule;
    }

    /**
     * Returns the value of {@code text}.
     *
     * @param kind what YAML made of the text; {@link ScalarKind#STRING} for environment variables and overrides
     * @throws IllegalArgumentException if the text does not follow {@link #rule()}
     */
    public abstract Object parse(String text, ScalarKind kind);

    /** Returns {@code value} as a person would write it in the file. */
    public String format(Object value) {
        return String.valueOf(value);
    }

    /** Returns whether values are lists. */
    public boolean isList() {
        return false;
    }

    /** Returns whether values are file paths (resolved against the file's folder, {@code ~/} expanded). */
    public boolean isPath() {
        return false;
    }

    /** Returns any text. */
    public static ValueType string() {
        return new ValueType("text") {
            @Override
            public Object parse(String text, ScalarKind kind) {
                if (kind == ScalarKind.OTHER) {
                    throw new IllegalArgumentException();
                }
                return text;
            }
        };
    }

    /** Returns the name of an environment variable. */
    public static ValueType envName() {
        return matching(ENV_NAME, "the name of an environment variable (letters, digits, _)");
    }

    /** Returns a plain SQL identifier (a schema name): letters, digits and '_', not starting with a digit. */
    public static ValueType identifier() {
        return matching(
                IDENTIFIER, "a plain SQL identifier (letters, digits, '_', not starting with a digit, at most 63)");
    }

    /** Returns a profile name. */
    public static ValueType profileName() {
        return matching(PROFILE_NAME, "a name of letters, digits, '_' and '-' that starts with a letter");
    }

    private static ValueType matching(Pattern pattern, String rule) {
        return new ValueType(rule) {
            @Override
            public Object parse(String text, ScalarKind kind) {
                if (!pattern.matcher(text).matches()) {
                    throw new IllegalArgumentException();
                }
                return text;
            }
        };
    }

    /** Returns an int in [min, max]. */
    public static ValueType integer(int min, int max) {
        String rule = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer from " + min + " to " + max;
        return new ValueType(rule) {
            @Override
            public Object parse(String text, ScalarKind kind) {
                long v = parseLong(text, kind);
                if (v < min || v > max) {
                    throw new IllegalArgumentException();
                }
                return (int) v;
            }
        };
    }

    /** Returns a long >= min. */
    public static ValueType longInteger(long min) {
        return new ValueType("an integer >= " + min) {
            @Override
            public Object parse(String text, ScalarKind kind) {
                long v = parseLong(text, kind);
                if (v < min) {
                    throw new IllegalArgumentException();
                }
                return v;
            }
        };
    }

    /** Returns any long. */
    public static ValueType anyLong() {
        return new ValueType("an integer") {
            @Override
            public Object parse(String text, ScalarKind kind) {
                return parseLong(text, kind);
            }
        };
    }

    private static long parseLong(String text, ScalarKind kind) {
        if (kind != ScalarKind.INT && kind != ScalarKind.STRING) {
            throw new IllegalArgumentException();
        }
        try {
            return Long.parseLong(text.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Returns a double in [min, max], or (min, max] when {@code minExclusive}. */
    public static ValueType decimal(double min, double max, boolean minExclusive) {
        String rule = max == Double.MAX_VALUE
                ? "a number >= " + fmt(min)
                : "a number from " + fmt(min) + (minExclusive ? " (exclusive)" : "") + " to " + fmt(max);
        return new ValueType(rule) {
            @Override
            public Object parse(String text, ScalarKind kind) {
                if (kind != ScalarKind.INT && kind != ScalarKind.FLOAT && kind != ScalarKind.STRING) {
                    throw new IllegalArgumentException();
                }
                double v;
                try {
                    v = Double.parseDouble(text.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(e);
                }
                if (Double.isNaN(v) || v > max || v < min || (minExclusive && v == min)) {
                    throw new IllegalArgumentException();
                }
                return v;
            }
        };
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** Returns true or false. */
    public static ValueType bool() {
        return new ValueType("true or false") {
            @Override
            public Object parse(String text, ScalarKind kind) {
                if (kind != ScalarKind.BOOL && kind != ScalarKind.STRING) {
                    throw new IllegalArgumentException();
                }
                return switch (text.strip().toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "on" -> Boolean.TRUE;
                    case "false", "no", "off" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException();
                };
            }
        };
    }

    /** Returns a duration: {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h30m}, {@code 1d} or ISO-8601. */
    public static ValueType duration(boolean allowZero) {
        return new ValueType("a " + (allowZero ? "" : "positive ") + "duration such as 500ms, 30s, 2m, 1h or PT30S") {
            @Override
            public Object parse(String text, ScalarKind kind) {
                Duration d = parseDuration(text.strip());
                if (d.isNegative() || (!allowZero && d.isZero())) {
                    throw new IllegalArgumentException();
                }
                return d;
            }

            @Override
            public String format(Object value) {
                return formatDuration((Duration) value);
            }
        };
    }

    /** Parses a duration as {@link #duration(boolean)} describes; a bare {@code 0} is zero. */
    public static Duration parseDuration(String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                return Duration.parse(text.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(e);
            }
        }
        Matcher m = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException();
            }
            double amount = Double.parseDouble(m.group(1));
            long unitMillis = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            double millis = amount * unitMillis;
            if (millis > 1e15) {
                throw new IllegalArgumentException();
            }
            total = total.plusMillis(Math.round(millis));
            at = m.end();
        }
        if (at == 0) {
            throw new IllegalArgumentException();
        }
        return total;
    }

    /** Writes a duration the short way: {@code 2m}, {@code 30s}, {@code 500ms}. */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    /** Returns a size in bytes >= min: {@code 1048576}, {@code 512KiB}, {@code 16MiB}, {@code 1GB}. */
    public static ValueType size(long min) {
        return new ValueType("a size >= " + min + " bytes such as 65536, 512KiB or 16MiB") {
            @Override
            public Object parse(String text, ScalarKind kind) {
                Matcher m = SIZE.matcher(text.strip().replace("_", ""));
                if (!m.matches()) {
                    throw new IllegalArgumentException();
                }
                long unit = switch (m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT)) {
                    case "kb" -> 1_000L;
                    case "kib" -> 1L << 10;
                    case "mb" -> 1_000_000L;
                    case "mib" -> 1L << 20;
                    case "gb" -> 1_000_000_000L;
                    case "gib" -> 1L << 30;
                    default -> 1L;
                };
                long v;
                try {
                    v = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
                } catch (ArithmeticException | NumberFormatException e) {
                    throw new IllegalArgumentException(e);
                }
                if (v < min) {
                    throw new IllegalArgumentException();
                }
                return v;
            }

            @Override
            public String format(Object value) {
                long v = (Long) value;
                if (v % (1L << 30) == 0) {
                    return v / (1L << 30) + "GiB";
                }
                if (v % (1L << 20) == 0) {
                    return v / (1L << 20) + "MiB";
                }
                if (v % (1L << 10) == 0) {
                    return v / (1L << 10) + "KiB";
                }
                return Long.toString(v);
            }
        };
    }

    /**
     * Returns one of {@code names} (lower case, words joined by '-'); {@code READ_ONLY}, {@code read_only} and
     * {@code Read-Only} all read as {@code read-only}.
     */
    public static ValueType choice(String... names) {
        List<String> all = List.of(names);
        String rule = "one of " + String.join(", ", all);
        return new ValueType(rule) {
            @Override
            public Object parse(String text, ScalarKind kind) {
                String v = text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
                if (!all.contains(v)) {
                    throw new IllegalArgumentException();
                }
                return v;
            }
        };
    }

    /** Returns an http or https URL. */
    public static ValueType httpUrl() {
        return new ValueType("an http:// or https:// URL") {
            @Override
            public Object parse(String text, ScalarKind kind) {
                try {
                    URI uri = new URI(text.strip());
                    String scheme = uri.getScheme();
                    if (scheme == null
                            || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                            || uri.getHost() == null) {
                        throw new IllegalArgumentException();
                    }
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException(e);
                }
                return text.strip();
            }
        };
    }

    /** Returns a PostgreSQL JDBC URL or a postgresql:// URI. */
    public static ValueType databaseUrl() {
        return new ValueType("a jdbc:postgresql:// URL or a postgresql:// URI") {
            @Override
            public Object parse(String text, ScalarKind kind) {
                String t = text.strip();
                if (!(t.startsWith("jdbc:postgresql:")
                        || t.startsWith("postgresql://")
                        || t.startsWith("postgres://"))) {
                    throw new IllegalArgumentException();
                }
                return t;
            }
        };
    }

    /** Returns a file path ({@code ~/} stands for the home directory). */
    public static ValueType path() {
        return new ValueType("a file path") {
            @Override
            public Object parse(String text, ScalarKind kind) {
                if (text.isBlank() || text.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException();
                }
                return text.strip();
            }

            @Override
            public boolean isPath() {
                return true;
            }
        };
    }

    /** Returns a list of {@code element}: a YAML list, or one value with items separated by commas. */
    public static ValueType list(ValueType element) {
        return new ValueType("a list of " + plural(element.rule())) {
            @Override
            public Object parse(String text, ScalarKind kind) {
                return element.parse(text, kind);
            }

            @Override
            public boolean isList() {
                return true;
            }

            @Override
            @SuppressWarnings("unchecked")
            public String format(Object value) {
                List<Object> items = (List<Object>) value;
                return items.isEmpty()
                        ? "[]"
                        : "["
                                + String.join(
                                        ", ",
                                        items.stream().map(element::format).toList()) + "]";
            }
        };
    }

    private static String plural(String rule) {
        return "values, each " + rule;
    }
}
