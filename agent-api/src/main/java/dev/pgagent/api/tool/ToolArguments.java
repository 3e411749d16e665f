package dev.pgagent.api.tool;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of one tool call, parsed from the model's JSON object. Values are what a JSON parser yields:
 * {@code String}, {@code Number}, {@code Boolean}, {@code List}, {@code Map}, or null. Accessors throw
 * {@link IllegalArgumentException} with a message written for the model when an argument is missing or of the wrong
 * type; the agent reports that message back to it. Immutable.
 */
public final class ToolArguments {
    /** No arguments. */
    public static final ToolArguments EMPTY = new ToolArguments(Map.of(), "{}");

    private final Map<String, @Nullable Object> values;
    private final String json;

    private ToolArguments(Map<String, @Nullable Object> values, String json) {
        this.values = values;
        this.json = json;
    }

    /**
     * Returns arguments holding {@code values}.
     *
     * @param values the parsed JSON object
     * @param json the JSON text the model wrote
     */
    public static ToolArguments of(Map<String, ? extends @Nullable Object> values, String json) {
        Objects.requireNonNull(values, "values == null");
        Objects.requireNonNull(json, "json == null");
        return new ToolArguments(Collections.unmodifiableMap(new LinkedHashMap<>(values)), json);
    }

    /** Returns the arguments as a map. */
    public Map<String, @Nullable Object> asMap() {
        return values;
    }

    /** Returns the JSON text the model wrote. */
    public String json() {
        return json;
    }

    /** Returns whether an argument is present and not null. */
    public boolean has(String name) {
        return values.get(name) != null;
    }

    /** Returns a string argument, if present. */
    public Optional<String> string(String name) {
        Object v = values.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        throw new IllegalArgumentException("argument '" + name + "' must be a string");
    }

    /** Returns a string argument that must be present and not blank. */
    public String requireString(String name) {
        String s = string(name).orElseThrow(() -> new IllegalArgumentException("argument '" + name + "' is required"));
        if (s.isBlank()) {
            throw new IllegalArgumentException("argument '" + name + "' must not be empty");
        }
        return s;
    }

    /** Returns an integer argument, if present; integral numbers given as strings are accepted. */
    public Optional<Long> integer(String name) {
        Object v = values.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return Optional.of(n.longValue());
        }
        if (v instanceof String s) {
            try {
                return Optional.of(Long.parseLong(s.strip()));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("argument '" + name + "' must be an integer");
    }

    /** Returns a boolean argument, if present. */
    public Optional<Boolean> bool(String name) {
        Object v = values.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Boolean b) {
            return Optional.of(b);
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Optional.of(Boolean.parseBoolean(s));
        }
        throw new IllegalArgumentException("argument '" + name + "' must be a boolean");
    }

    /** Returns a list-of-strings argument; empty if absent. */
    public List<String> strings(String name) {
        Object v = values.get(name);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> list && list.stream().allMatch(e -> e instanceof String)) {
            return list.stream().map(String.class::cast).toList();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        throw new IllegalArgumentException("argument '" + name + "' must be a list of strings");
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ToolArguments other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "ToolArguments" + values;
    }
}
