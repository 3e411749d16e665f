package dev.pgagent.config;

import dev.pgagent.api.Experimental;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Lists every setting of a loaded configuration with its value as people read it and where it came from, for
 * {@code config show} (like {@code git config --show-origin}). Secrets appear masked, URLs without passwords.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * profile                        = sales                  # env PGAGENT_PROFILE
 * model.model                    = gpt-4o                 # flag --model
 * agent.maxSteps                 = 8                      # default
 * policy.statementTimeout        = 10s                    # pgagent.yaml:31:21
 * databases.sales.password       = ****** (env PGPASSWORD_SALES)   # pgagent.yaml:12:18
 * }</pre>
 */
@Experimental
public final class EffectiveConfig {
    private final List<Entry> entries;

    /**
     * One setting.
     *
     * @param key the dotted key, such as {@code agent.maxSteps} or {@code databases.sales.url}
     * @param value the value as people read it; masked for secrets, {@code (none)} when unset
     * @param origin where the value came from
     */
    public record Entry(String key, String value, Origin origin) {
        /** Checks the components. */
        public Entry {
            Objects.requireNonNull(key, "key == null");
            Objects.requireNonNull(value, "value == null");
            Objects.requireNonNull(origin, "origin == null");
        }
    }

    EffectiveConfig(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Returns the settings, in file order: the profile, model, agent, policy, databases, audit, logging. */
    public List<Entry> entries() {
        return entries;
    }

    /** Returns the setting at {@code key}, if there is one. */
    public Optional<Entry> get(String key) {
        Objects.requireNonNull(key, "key == null");
        return entries.stream().filter(e -> e.key().equals(key)).findFirst();
    }

    /** Returns one {@code key = value  # origin} line a setting, keys and values aligned. */
    public String render() {
        int keyWidth = entries.stream().mapToInt(e -> e.key().length()).max().orElse(0);
        int valueWidth = Math.min(
                48, entries.stream().mapToInt(e -> e.value().length()).max().orElse(0));
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            sb.append(pad(e.key(), keyWidth))
                    .append(" = ")
                    .append(pad(e.value(), valueWidth))
                    .append("  # ")
                    .append(e.origin())
                    .append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    @Override
    public String toString() {
        return render();
    }
}
