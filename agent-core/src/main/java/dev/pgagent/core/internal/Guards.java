package dev.pgagent.core.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The guard of each database of an agent, by name, the default one first. Immutable. */
final class Guards {
    private final Map<String, Guard> byName;
    private final Guard defaultGuard;
    private final List<String> names;

    Guards(List<Guard> guards) {
        if (guards.isEmpty()) {
            throw new IllegalArgumentException("guards must not be empty");
        }
        Map<String, Guard> m = new LinkedHashMap<>();
        for (Guard g : guards) {
            if (m.putIfAbsent(g.database().name(), g) != null) {
                throw new IllegalStateException(
                        "database names must be unique but '" + g.database().name() + "' is used twice");
            }
        }
        this.byName = Collections.unmodifiableMap(m);
        this.defaultGuard = guards.get(0);
        this.names = List.copyOf(m.keySet());
    }

    Guard defaultGuard() {
        return defaultGuard;
    }

    /** Returns the guard of {@code name}; the empty name is the default database. */
    @Nullable
    Guard get(String name) {
        return name.isEmpty() ? defaultGuard : byName.get(name);
    }

    List<String> names() {
        return names;
    }

    int size() {
        return byName.size();
    }
}
