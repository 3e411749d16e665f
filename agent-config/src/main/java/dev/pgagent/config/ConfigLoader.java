package dev.pgagent.config;

import dev.pgagent.api.Experimental;
import dev.pgagent.config.ConfigException.Problem;
import dev.pgagent.config.internal.KeyDef;
import dev.pgagent.config.internal.Keys;
import dev.pgagent.config.internal.Permissions;
import dev.pgagent.config.internal.Suggest;
import dev.pgagent.config.internal.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Finds, reads and checks pgagent's YAML configuration file, and layers it with the environment and the host's
 * overrides into an {@link AgentConfig}. Immutable and thread-safe; {@link #load()} reads the file anew each call.
 *
 * <pre>{@code
 * AgentConfig config = ConfigLoader.builder()
 *     .override("profile", profileFlag, "flag --profile")   // null values are ignored
 *     .override("model.model", modelFlag, "flag --model")
 *     .build()
 *     .load();                                             // throws ConfigException listing every problem
 * DatabaseProfile db = config.database();
 * }</pre>
 *
 * <h2>Where the file is</h2>
 * The file given to {@link Builder#file(Path)}, else the one {@code PGAGENT_CONFIG} names (both must exist), else
 * {@code ./pgagent.yaml}, else {@code $XDG_CONFIG_HOME/pgagent/config.yaml}, else
 * {@code ~/.config/pgagent/config.yaml}. With none, the configuration is the defaults, the environment and the
 * overrides.
 *
 * <h2>Which value wins</h2>
 * Built-in defaults &lt; the file &lt; the environment &lt; the host's overrides. The environment variables are
 * {@code PGAGENT_PROFILE}, {@code PGAGENT_PROVIDER}, {@code PGAGENT_MODEL}, {@code OPENAI_BASE_URL},
 * {@code PGAGENT_MAX_STEPS}, {@code PGAGENT_TIMEOUT}, {@code PGAGENT_TOKEN_BUDGET}, {@code PGAGENT_LOG_LEVEL} and
 * {@code PGAGENT_LOG_FILE}. The libpq variables ({@code PGHOST}, {@code PGPORT}, {@code PGDATABASE}, {@code PGUSER},
 * {@code PGPASSWORD}, {@code PGSSLMODE}, {@code PGPASSFILE}; {@code DATABASE_URL} without a {@code databases} list)
 * work as they do for libpq: they fill in what a profile leaves out, and never replace what it says.
 * {@code OPENAI_API_KEY} is the API key when the file names no key source, and only while the base URL is OpenAI's
 * or comes from {@code OPENAI_BASE_URL}, so a key meant for OpenAI is not sent to another server the file names.
 *
 * <h2>Where the safety policy comes from</h2>
 * The safety policy (the {@code policy} sections, top level and per profile) and the {@code audit} section come
 * only from the file or the host's overrides: no environment variable sets them, and {@code ${...}} is refused in
 * them. A file that its group or others may write is refused as their source (its POSIX permissions are checked;
 * {@link #checkPolicySource(Path)} runs the same check for a client), since whoever can change it could loosen the
 * policy; a host that knows better turns this off with {@link Builder#allowWritablePolicyFile(boolean)}.
 *
 * <h2>Secrets</h2>
 * Passwords and API keys never stand in the file in clear text: {@code password:} and {@code apiKey:} must be a
 * single {@code ${VARIABLE}}, or the file names an environment variable ({@code passwordEnv}, {@code apiKeyEnv}) or
 * a file ({@code passwordFile}, {@code apiKeyFile}); a database password can also come from the password file
 * ({@code ~/.pgpass}) as libpq reads it. A clear-text secret, also one inside a URL, is refused with a message that
 * says how to move it, unless the host allows it with {@link Builder#allowPlaintextSecrets(boolean)}. Secrets are
 * {@link Secret}s: masked in every {@code toString()}, message and {@link EffectiveConfig}.
 *
 * <h2>Bounds</h2>
 * The file may hold at most 1 MiB, nest at most 32 levels deep and expand to at most 100,000 values through YAML
 * aliases; anything larger is refused before it costs memory.
 */
@Experimental
public final class ConfigLoader {
    /** The environment variable naming the configuration file. */
    public static final String ENV_CONFIG = "PGAGENT_CONFIG";
    /** The environment variable naming the profile to use. */
    public static final String ENV_PROFILE = "PGAGENT_PROFILE";
    /** The file name looked for in the working directory. */
    public static final String LOCAL_FILE = "pgagent.yaml";

    private final @Nullable Path file;
    private final Map<String, String> env;
    private final Path workingDirectory;
    private final Path homeDirectory;
    private final List<OverrideValue> overrides;
    private final boolean allowPlaintextSecrets;
    private final boolean allowWritablePolicyFile;

    /** One host override. */
    record OverrideValue(String key, String value, String label) {}

    private ConfigLoader(Builder b) {
        this.file = b.file;
        this.env = Map.copyOf(b.env);
        this.workingDirectory = b.workingDirectory;
        this.homeDirectory = b.homeDirectory;
        this.overrides = List.copyOf(b.overrides);
        this.allowPlaintextSecrets = b.allowPlaintextSecrets;
        this.allowWritablePolicyFile = b.allowWritablePolicyFile;
    }

    /** Returns a builder: discovery on, {@code System.getenv()}, no overrides, secrets checked. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder initialised with this loader's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.file = file;
        b.env = env;
        b.workingDirectory = workingDirectory;
        b.homeDirectory = homeDirectory;
        b.overrides.addAll(overrides);
        b.allowPlaintextSecrets = allowPlaintextSecrets;
        b.allowWritablePolicyFile = allowWritablePolicyFile;
        return b;
    }

    /**
     * Returns the file {@link #load()} would read, if any, as the class documentation describes.
     *
     * @throws ConfigException if the file given to the builder or named by {@code PGAGENT_CONFIG} does not exist
     */
    public Optional<Path> locate() {
        if (file != null) {
            requireFile(file, Origin.override("the configuration file given"));
            return Optional.of(file);
        }
        String named = env.get(ENV_CONFIG);
        if (named != null && !named.isBlank()) {
            Path p = expandHome(named.strip());
            requireFile(p, Origin.env(ENV_CONFIG));
            return Optional.of(p);
        }
        Path local = workingDirectory.resolve(LOCAL_FILE);
        if (Files.isRegularFile(local)) {
            return Optional.of(local);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg.strip()).isAbsolute()) {
            Path p = Path.of(xdg.strip(), "pgagent", "config.yaml");
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        Path p = homeDirectory.resolve(".config").resolve("pgagent").resolve("config.yaml");
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    private Path expandHome(String path) {
        if (path.equals("~")) {
            return homeDirectory;
        }
        if (path.startsWith("~/")) {
            return homeDirectory.resolve(path.substring(2));
        }
        Path p = Path.of(path);
        return p.isAbsolute() ? p : workingDirectory.resolve(p);
    }

    private static void requireFile(Path p, Origin origin) {
        if (!Files.isRegularFile(p)) {
            throw new ConfigException(List.of(new Problem(
                    origin,
                    "the configuration file " + p + (Files.exists(p) ? " is not a plain file" : " does not exist"))));
        }
    }

    /**
     * Finds and reads the file, layers it with the environment and the overrides, and checks everything.
     *
     * @throws ConfigException listing every problem found, each with its file position, variable or override
     */
    public AgentConfig load() {
        Optional<Path> located = locate();
        if (located.isEmpty()) {
            return load(null, null);
        }
        Path p = located.get();
        return load(p, read(p));
    }

    /** Reads {@code p}, bounded. */
    byte[] read(Path p) {
        try {
            long size = Files.size(p);
            if (size > YamlReader.MAX_BYTES) {
                throw new ConfigException(List.of(new Problem(
                        Origin.file(display(p), 1, 1),
                        "the file holds " + size + " bytes; a configuration file may hold at most "
                                + YamlReader.MAX_BYTES + " (1 MiB)")));
            }
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new ConfigException(List.of(new Problem(
                    Origin.file(display(p), 0, 0),
                    "the file cannot be read (" + e.getClass().getSimpleName() + ")")));
        }
    }

    /** Loads from {@code bytes} read from {@code path}, or from nothing when both are null. */
    AgentConfig load(@Nullable Path path, byte @Nullable [] bytes) {
        return new Assembly(this, path, path == null ? "" : display(path), bytes).run();
    }

    /** Returns how messages name {@code p}: relative to the working directory when inside it. */
    String display(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path wd = workingDirectory.toAbsolutePath().normalize();
        return abs.startsWith(wd) && !abs.equals(wd) ? wd.relativize(abs).toString() : p.toString();
    }

    /**
     * Returns why {@code file} may not be the source of a safety policy, if it may not: it is writable by its group
     * or by others (POSIX permissions; file systems without them pass). The loader runs this check on the file it
     * reads; a client can run it on any file it takes a policy from.
     */
    public static Optional<String> checkPolicySource(Path file) {
        Objects.requireNonNull(file, "file == null");
        return Permissions.writableByOthers(file)
                .map(perms -> file + " is writable by its group or others ("
                        + perms
                        + "), so it cannot set the safety policy or the audit: whoever can change it could loosen "
                        + "them; run chmod go-w " + file);
    }

    Map<String, String> env() {
        return env;
    }

    Path workingDirectory() {
        return workingDirectory;
    }

    Path homeDirectory() {
        return homeDirectory;
    }

    List<OverrideValue> overrides() {
        return overrides;
    }

    boolean allowPlaintextSecrets() {
        return allowPlaintextSecrets;
    }

    boolean allowWritablePolicyFile() {
        return allowWritablePolicyFile;
    }

    /** Returns every key an override may set: {@code profile}, the top-level keys, and {@code database.*}. */
    static Set<String> overridableKeys() {
        Set<String> keys = new LinkedHashSet<>();
        keys.add("profile");
        for (KeyDef d : Keys.top()) {
            keys.add(d.path());
        }
        for (KeyDef d : Keys.profile()) {
            if (!d.path().equals("name")) {
                keys.add("database." + d.path());
            }
        }
        return keys;
    }

    /** Builds a {@link ConfigLoader}. Not thread-safe. */
    public static final class Builder {
        private @Nullable Path file;
        private Map<String, String> env = System.getenv();
        private Path workingDirectory = Path.of(System.getProperty("user.dir", "."));
        private Path homeDirectory = Path.of(System.getProperty("user.home", "."));
        private final List<OverrideValue> overrides = new ArrayList<>();
        private boolean allowPlaintextSecrets;
        private boolean allowWritablePolicyFile;

        private Builder() {}

        /** Reads this file instead of looking for one; it must exist. Null looks for one. Default: look. */
        public Builder file(@Nullable Path file) {
            this.file = file;
            return this;
        }

        /** Sets the environment variables. Default: {@code System.getenv()}. */
        public Builder environment(Map<String, String> env) {
            this.env = Map.copyOf(Objects.requireNonNull(env, "env == null"));
            return this;
        }

        /** Sets the directory searched for {@code pgagent.yaml}. Default: {@code user.dir}. */
        public Builder workingDirectory(Path workingDirectory) {
            this.workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory == null");
            return this;
        }

        /** Sets the home directory ({@code ~}, {@code ~/.pgpass}, {@code ~/.config}). Default: {@code user.home}. */
        public Builder homeDirectory(Path homeDirectory) {
            this.homeDirectory = Objects.requireNonNull(homeDirectory, "homeDirectory == null");
            return this;
        }

        /**
         * Overrides one setting, above the file and the environment; its origin reads {@code override}. See
         * {@link #override(String, String, String)}.
         */
        public Builder override(String key, @Nullable String value) {
            return override(key, value, "override " + key);
        }

        /**
         * Overrides one setting, above the file and the environment. Keys: {@code profile} (the profile to use), any
         * top-level key ({@code model.model}, {@code agent.maxSteps}, {@code policy.level}, {@code audit.jsonl},
         * ...; a {@code policy.*} override applies to every profile), and {@code database.<key>} for the selected
         * profile ({@code database.url}, {@code database.user}, {@code database.password},
         * {@code database.policy.level}, ...). Values are written as in the file; lists are comma-separated.
         * {@code model.apiKey} and {@code database.password} are taken as they are (they do not come from a file).
         * Later overrides of a key win.
         *
         * @param value the value; null for no override (handy for flags that were not given)
         * @param label how {@code config show} names the source, for example {@code flag --model}
         * @throws IllegalArgumentException if {@code key} is not a key an override may set
         */
        public Builder override(String key, @Nullable String value, String label) {
            Objects.requireNonNull(key, "key == null");
            Objects.requireNonNull(label, "label == null");
            Set<String> known = overridableKeys();
            if (!known.contains(key)) {
                String hint = Suggest.closest(key, known)
                        .map(k -> "; did you mean " + k + "?")
                        .orElse("");
                throw new IllegalArgumentException(
                        "key must be a configuration key such as agent.maxSteps but was " + key + hint);
            }
            if (value != null) {
                overrides.add(new OverrideValue(key, value, label));
            }
            return this;
        }

        /** Adds every entry of {@code overrides} as {@link #override(String, String)} does, in the map's order. */
        public Builder overrides(Map<String, String> overrides) {
            Objects.requireNonNull(overrides, "overrides == null");
            overrides.forEach(this::override);
            return this;
        }

        /** Selects the profile {@code name}; same as {@code override("profile", name)}. Null: no override. */
        public Builder profile(@Nullable String name) {
            return override("profile", name, "override profile");
        }

        /**
         * Accepts passwords and API keys written in the file in clear text (with a warning) instead of refusing
         * them. For tests and throw-away setups. Default: false.
         */
        public Builder allowPlaintextSecrets(boolean allow) {
            this.allowPlaintextSecrets = allow;
            return this;
        }

        /**
         * Accepts a policy and audit settings from a file its group or others may write. Default: false (refused).
         */
        public Builder allowWritablePolicyFile(boolean allow) {
            this.allowWritablePolicyFile = allow;
            return this;
        }

        /** Returns the loader. */
        public ConfigLoader build() {
            return new ConfigLoader(this);
        }
    }
}
