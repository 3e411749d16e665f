package dev.pgagent.config;

import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.llm.ToolChoice;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.config.ConfigException.Problem;
import dev.pgagent.config.EffectiveConfig.Entry;
import dev.pgagent.config.internal.DatabaseUrl;
import dev.pgagent.config.internal.Interpolation;
import dev.pgagent.config.internal.KeyDef;
import dev.pgagent.config.internal.Keys;
import dev.pgagent.config.internal.Node;
import dev.pgagent.config.internal.Node.Field;
import dev.pgagent.config.internal.Node.MapNode;
import dev.pgagent.config.internal.Node.ScalarKind;
import dev.pgagent.config.internal.Node.ScalarNode;
import dev.pgagent.config.internal.Node.SeqNode;
import dev.pgagent.config.internal.Permissions;
import dev.pgagent.config.internal.PgPass;
import dev.pgagent.config.internal.Suggest;
import dev.pgagent.config.internal.ValueType;
import dev.pgagent.config.internal.YamlReader;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Turns one file's text, the environment and the overrides into an {@link AgentConfig}, or every problem. */
final class Assembly {
    private static final int MAX_SECRET_FILE_BYTES = 64 * 1024;
    private static final Set<String> URL_KEYS = Set.of("url", "readReplicaUrl");
    /** The default and the bound of a profile's maxReplicaLag (as PostgresDatabase's, which this module cannot see). */
    private static final Duration DEFAULT_MAX_REPLICA_LAG = Duration.ofSeconds(10);

    private static final Duration MAX_REPLICA_LAG = Duration.ofHours(1);
    private static final String PROFILE_POLICY = "policy.";

    /** A value and where it came from; {@code key} is how messages and {@code config show} name it. */
    record Setting(Object value, Origin origin, String key) {}

    /** One entry of the databases list, as bound from the file. */
    static final class Profile {
        final int index;
        final Origin origin;

        @Nullable
        String name;

        final Map<String, Setting> values = new LinkedHashMap<>();
        final boolean implicit;

        Profile(int index, Origin origin, @Nullable String name, boolean implicit) {
            this.index = index;
            this.origin = origin;
            this.name = name;
            this.implicit = implicit;
        }

        String label() {
            return name != null ? name : "[" + (index + 1) + "]";
        }
    }

    private final ConfigLoader loader;
    private final @Nullable Path file;
    private final String fileName;
    private final byte @Nullable [] bytes;
    private final Map<String, String> env;
    private final List<Problem> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    /** Top-level values of the file, then the environment, then overrides (policy.* overrides aside). */
    private final Map<String, Setting> top = new LinkedHashMap<>();
    /** policy.* overrides, applied above every profile's own policy. */
    private final Map<String, Setting> policyOverrides = new LinkedHashMap<>();
    /** database.* overrides, for the selected profile; keys without the prefix. */
    private final Map<String, Setting> databaseOverrides = new LinkedHashMap<>();

    private final List<Profile> profiles = new ArrayList<>();
    /** Qualified keys whose value was refused; cross-field checks skip them. */
    private final Set<String> invalid = new HashSet<>();

    private @Nullable Setting profileChoice;
    private @Nullable Origin firstSafetyKey;
    private boolean databasesInFile;

    Assembly(ConfigLoader loader, @Nullable Path file, String fileName, byte @Nullable [] bytes) {
        this.loader = loader;
        this.file = file;
        this.fileName = fileName;
        this.bytes = bytes;
        this.env = loader.env();
    }

    AgentConfig run() {
        if (bytes != null) {
            YamlReader.Result parsed = YamlReader.read(bytes);
            for (YamlReader.Issue i : parsed.issues()) {
                problems.add(new Problem(Origin.file(fileName, i.line(), i.column()), i.message()));
            }
            Node root = parsed.root();
            if (root == null && !problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            if (root instanceof MapNode map) {
                bindRoot(map);
            } else if (root != null && !(root instanceof ScalarNode s && s.text() == null)) {
                problems.add(new Problem(
                        at(root),
                        "the file must be a mapping of sections (model, agent, policy, "
                                + "databases, audit, logging, pool) but was " + root.kind()));
            }
            checkPolicySource();
        }
        bindEnvironment();
        bindOverrides();
        if (profiles.isEmpty() && !databasesInFile) {
            profiles.add(new Profile(0, Origin.builtIn(), "default", true));
        }
        Profile selected = select();

        ModelConfig model = model();
        AgentSettings agent = agent();
        Map<String, Setting> topPolicy = policySettings(null, false);
        SafetyPolicy policy = policy(topPolicy, null);
        List<DatabaseProfile> databases = new ArrayList<>();
        DatabaseProfile chosen = null;
        List<Entry> profileEntries = new ArrayList<>();
        for (Profile p : profiles) {
            boolean isSelected = p == selected;
            DatabaseProfile d = database(p, isSelected, profileEntries);
            if (d != null) {
                databases.add(d);
                if (isSelected) {
                    chosen = d;
                }
            }
        }
        AuditConfig audit = audit();
        LoggingConfig logging = logging();
        if (!problems.isEmpty() || model == null || agent == null || policy == null || chosen == null) {
            if (problems.isEmpty()) {
                problems.add(new Problem(Origin.builtIn(), "the configuration is incomplete"));
            }
            throw new ConfigException(problems);
        }
        EffectiveConfig effective = effective(model, profileEntries, selected);
        return new AgentConfig(
                file,
                model,
                agent,
                policy,
                databases,
                chosen,
                audit,
                logging,
                (Integer) value("pool.maxSize"),
                effective,
                warnings);
    }

    // ---------------------------------------------------------------- the file

    private Origin at(Node node) {
        return Origin.file(fileName, node.line(), node.column());
    }

    private Origin at(Field field) {
        return Origin.file(fileName, field.line(), field.column());
    }

    private void problem(Origin origin, String message) {
        problems.add(new Problem(origin, message));
    }

    private void bindRoot(MapNode root) {
        List<KeyDef> defs = Keys.top();
        for (Field f : root.fields().values()) {
            String key = f.key();
            if (key.equals("databases")) {
                databasesInFile = true;
                bindProfiles(f);
            } else if (Keys.SECTIONS.contains(key)) {
                if (key.equals("policy") || key.equals("audit")) {
                    safetyKey(at(f));
                }
                section(f, key + ".", defs, top, "");
            } else {
                Optional<KeyDef> def = Keys.find(defs, key);
                if (def.isPresent()) {
                    bindValue(def.get(), f, top, "");
                } else {
                    unknownKey(f, "", defs, "");
                }
            }
        }
    }

    private void safetyKey(Origin origin) {
        if (firstSafetyKey == null) {
            firstSafetyKey = origin;
        }
    }

    private void section(Field f, String prefix, List<KeyDef> defs, Map<String, Setting> out, String qualifier) {
        Node value = f.value();
        if (value instanceof MapNode m) {
            bindMap(m, prefix, defs, out, qualifier);
        } else if (!(value instanceof ScalarNode s && s.text() == null)) {
            String name = qualifier + prefix.substring(0, prefix.length() - 1);
            problem(at(value), name + " must be a mapping of keys but was " + value.kind());
        }
    }

    private void bindMap(MapNode map, String prefix, List<KeyDef> defs, Map<String, Setting> out, String qualifier) {
        for (Field f : map.fields().values()) {
            String path = prefix + f.key();
            Optional<KeyDef> def = Keys.find(defs, path);
            if (def.isPresent()) {
                bindValue(def.get(), f, out, qualifier);
            } else if (defs.stream().anyMatch(d -> d.path().startsWith(path + "."))) {
                if (path.equals("policy")) {
                    safetyKey(at(f));
                }
                section(f, path + ".", defs, out, qualifier);
            } else {
                unknownKey(f, prefix, defs, qualifier);
            }
        }
    }

    private void unknownKey(Field f, String prefix, List<KeyDef> defs, String qualifier) {
        Set<String> siblings = new LinkedHashSet<>();
        for (KeyDef d : defs) {
            if (d.path().startsWith(prefix)) {
                String rest = d.path().substring(prefix.length());
                siblings.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
            }
        }
        if (prefix.isEmpty() && qualifier.isEmpty()) {
            siblings.add("databases");
        }
        String parent = qualifier + (prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1));
        if (parent.endsWith(".")) {
            parent = parent.substring(0, parent.length() - 1);
        }
        StringBuilder msg = new StringBuilder("unknown key '").append(f.key()).append('\'');
        if (!parent.isEmpty()) {
            msg.append(" in ").append(parent);
        }
        Optional<String> close = Suggest.closest(f.key(), siblings);
        if (close.isPresent()) {
            msg.append("; did you mean '").append(close.get()).append("'?");
        } else {
            Optional<String> elsewhere = elsewhere(f.key());
            if (elsewhere.isPresent()) {
                msg.append("; it belongs in ").append(elsewhere.get());
            } else {
                msg.append("; known keys here: ").append(String.join(", ", siblings));
            }
        }
        problem(at(f), msg.toString());
    }

    private static Optional<String> elsewhere(String key) {
        for (KeyDef d : Keys.top()) {
            if (d.name().equalsIgnoreCase(key) && d.path().contains(".")) {
                return Optional.of(d.path().substring(0, d.path().lastIndexOf('.')) + " (" + d.path() + ")");
            }
        }
        for (KeyDef d : Keys.PROFILE) {
            if (d.name().equalsIgnoreCase(key)) {
                return Optional.of("a databases entry");
            }
        }
        return Optional.empty();
    }

    private void bindProfiles(Field f) {
        Node value = f.value();
        if (value instanceof ScalarNode s && s.text() == null) {
            return;
        }
        if (!(value instanceof SeqNode seq)) {
            problem(
                    at(value),
                    "databases must be a list of profiles, each starting with '- name:', but was " + value.kind());
            return;
        }
        Map<String, Profile> byName = new LinkedHashMap<>();
        for (int i = 0; i < seq.items().size(); i++) {
            Node item = seq.items().get(i);
            if (!(item instanceof MapNode m)) {
                problem(
                        at(item),
                        "databases[" + (i + 1) + "] must be a mapping with name, url, ... but was " + item.kind());
                continue;
            }
            Field nameField = m.fields().get("name");
            String name = null;
            if (nameField == null) {
                problem(at(item), "databases[" + (i + 1) + "] has no name; every profile needs one");
            } else if (nameField.value() instanceof ScalarNode s && s.text() != null) {
                name = s.text();
            }
            Profile p = new Profile(i, at(item), name, false);
            if (name != null) {
                Profile first = byName.get(name);
                if (first != null && nameField != null) {
                    problem(
                            at(nameField.value()),
                            "duplicate profile name '" + name + "' (first at line " + first.origin.line() + ")");
                } else {
                    byName.put(name, p);
                }
            }
            bindMap(m, "", Keys.profile(), p.values, "databases." + p.label() + ".");
            if (name != null && !p.values.containsKey("name")) {
                p.name = null;
            }
            profiles.add(p);
        }
    }

    private void bindValue(KeyDef def, Field f, Map<String, Setting> out, String qualifier) {
        Node node = f.value();
        String key = qualifier + def.path();
        if (node instanceof ScalarNode s && s.text() == null) {
            return;
        }
        boolean policyKey = def.policy() != null || key.startsWith("audit.");
        if (def.type().isList()) {
            List<Object> values = new ArrayList<>();
            List<ScalarNode> items = new ArrayList<>();
            if (node instanceof SeqNode seq) {
                for (Node item : seq.items()) {
                    if (!(item instanceof ScalarNode s)) {
                        problem(at(item), key + " must be " + def.type().rule() + " but has " + item.kind());
                        invalid.add(key);
                        return;
                    }
                    if (s.text() != null) {
                        items.add(s);
                    }
                }
            } else if (node instanceof ScalarNode s) {
                String text = expand(s, key, policyKey);
                if (text == null) {
                    return;
                }
                for (String part : text.split(",")) {
                    if (!part.isBlank()) {
                        items.add(new ScalarNode(part.strip(), ScalarKind.STRING, s.line(), s.column()));
                    }
                }
            } else {
                problem(at(node), key + " must be " + def.type().rule() + " but was " + node.kind());
                invalid.add(key);
                return;
            }
            for (ScalarNode item : items) {
                String text = node instanceof SeqNode ? expand(item, key, policyKey) : item.text();
                if (text == null) {
                    return;
                }
                try {
                    values.add(def.type().parse(text, item.scalarKind()));
                } catch (IllegalArgumentException e) {
                    problem(at(item), key + " must be " + def.type().rule() + " but has '" + abbreviate(text) + "'");
                    invalid.add(key);
                    return;
                }
            }
            out.put(def.path(), new Setting(List.copyOf(values), at(node), key));
            return;
        }
        if (!(node instanceof ScalarNode s)) {
            problem(at(node), key + " must be " + def.type().rule() + " but was " + node.kind());
            invalid.add(key);
            return;
        }
        String raw = Objects.requireNonNull(s.text());
        if (def.secret()) {
            Secret secret = secretFromFile(raw, key, at(node), def);
            if (secret != null) {
                out.put(def.path(), new Setting(secret, at(node), key));
            } else {
                invalid.add(key);
            }
            return;
        }
        String text = expand(s, key, policyKey);
        if (text == null) {
            return;
        }
        if (URL_KEYS.contains(def.path())) {
            String rawPassword = DatabaseUrl.rawPassword(raw);
            if (rawPassword != null && Interpolation.singleReference(rawPassword) == null) {
                if (!loader.allowPlaintextSecrets()) {
                    problem(
                            at(node),
                            key + " holds a password in clear text, which is refused: take it out of the "
                                    + "URL and use passwordEnv, passwordFile or ~/.pgpass (or write it as ${VARIABLE})");
                    invalid.add(key);
                    return;
                }
                warnings.add(at(node) + ": " + key + " holds a password in clear text");
            }
        }
        Object value;
        try {
            value = def.type().parse(text, s.scalarKind());
        } catch (IllegalArgumentException e) {
            problem(at(node), key + " must be " + def.type().rule() + " but was '" + abbreviate(text) + "'");
            invalid.add(key);
            return;
        }
        if (def.type().isPath()) {
            value = path((String) value, file == null ? loader.workingDirectory() : parentOf(file));
        }
        out.put(def.path(), new Setting(value, at(node), key));
    }

    private static Path parentOf(Path p) {
        Path parent = p.toAbsolutePath().getParent();
        return parent == null ? p.toAbsolutePath() : parent;
    }

    /** Returns the scalar's text with ${...} expanded, or null after reporting a problem. */
    private @Nullable String expand(ScalarNode s, String key, boolean policyKey) {
        String text = Objects.requireNonNull(s.text());
        if (s.scalarKind() != ScalarKind.STRING || text.indexOf('$') < 0) {
            return text;
        }
        if (policyKey && Interpolation.hasReference(text)) {
            problem(
                    at(s),
                    key + " uses ${...}, which is not allowed here: the safety policy and the audit come only "
                            + "from the file or the host, never from the environment");
            invalid.add(key);
            return null;
        }
        try {
            return Interpolation.expand(text, env).text();
        } catch (IllegalArgumentException e) {
            problem(at(s), key + " " + e.getMessage());
            invalid.add(key);
            return null;
        }
    }

    private @Nullable Secret secretFromFile(String raw, String key, Origin origin, KeyDef def) {
        String variable = Interpolation.singleReference(raw);
        if (variable != null) {
            String value = env.get(variable);
            if (value == null) {
                problem(origin, key + " refers to ${" + variable + "}, which is not set");
                return null;
            }
            if (value.isEmpty()) {
                problem(origin, key + " refers to ${" + variable + "}, which is empty");
                return null;
            }
            return Secret.of(value, "env " + variable);
        }
        if (!loader.allowPlaintextSecrets()) {
            problem(origin, plaintextMessage(key, def));
            return null;
        }
        String value;
        try {
            value = Interpolation.expand(raw, env).text();
        } catch (IllegalArgumentException e) {
            problem(origin, key + " " + e.getMessage());
            return null;
        }
        if (value.isEmpty()) {
            problem(origin, key + " is empty");
            return null;
        }
        warnings.add(origin + ": " + key + " is written in clear text");
        return Secret.of(value, "clear text at " + origin);
    }

    private static String plaintextMessage(String key, KeyDef def) {
        if (def.path().equals("model.apiKey")) {
            return key + " is written in clear text, which is refused: keep the key out of the file with "
                    + "apiKeyEnv: OPENAI_API_KEY (or apiKey: ${OPENAI_API_KEY}) and export it, or with "
                    + "apiKeyFile: /path/to/key";
        }
        String profile = key.startsWith("databases.") ? key.substring(10, key.lastIndexOf('.')) : "main";
        String variable = "PGPASSWORD_" + profile.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
        return key + " is written in clear text, which is refused: keep the password out of the file with "
                + "passwordEnv: " + variable + " (or password: ${" + variable + "}) and export it, with "
                + "passwordFile: /path/to/secret, or in ~/.pgpass";
    }

    private void checkPolicySource() {
        Origin origin = firstSafetyKey;
        if (origin == null || file == null || loader.allowWritablePolicyFile()) {
            return;
        }
        Permissions.writableByOthers(file)
                .ifPresent(perms -> problem(
                        origin,
                        fileName + " is writable by its group "
                                + "or others (" + perms
                                + "), so it cannot set the safety policy or the audit: whoever can change "
                                + "it could loosen them; run chmod go-w " + fileName));
    }

    // ---------------------------------------------------------------- environment and overrides

    private void bindEnvironment() {
        for (KeyDef def : Keys.top()) {
            String variable = def.env();
            if (variable == null) {
                continue;
            }
            String value = env.get(variable);
            if (value == null || value.isBlank()) {
                continue;
            }
            Setting s = parse(def, def.path(), value.strip(), Origin.env(variable));
            if (s != null) {
                top.put(def.path(), s);
            }
        }
        String profile = env.get(ConfigLoader.ENV_PROFILE);
        if (profile != null && !profile.isBlank()) {
            profileChoice = new Setting(profile.strip(), Origin.env(ConfigLoader.ENV_PROFILE), "profile");
        }
    }

    private void bindOverrides() {
        for (ConfigLoader.OverrideValue o : loader.overrides()) {
            Origin origin = Origin.override(o.label());
            String key = o.key();
            if (key.equals("profile")) {
                profileChoice = new Setting(o.value().strip(), origin, "profile");
            } else if (key.startsWith("database.")) {
                String rel = key.substring("database.".length());
                KeyDef def = Keys.find(Keys.profile(), rel).orElseThrow();
                Setting s = def.secret() ? secretOverride(o, origin, key) : parse(def, key, o.value(), origin);
                if (s != null) {
                    databaseOverrides.put(rel, s);
                }
            } else {
                KeyDef def = Keys.find(Keys.top(), key).orElseThrow();
                Setting s = def.secret() ? secretOverride(o, origin, key) : parse(def, key, o.value(), origin);
                if (s != null) {
                    (key.startsWith("policy.") ? policyOverrides : top).put(key, s);
                }
            }
        }
    }

    private @Nullable Setting secretOverride(ConfigLoader.OverrideValue o, Origin origin, String key) {
        if (o.value().isEmpty()) {
            problem(origin, key + " is empty");
            return null;
        }
        return new Setting(Secret.of(o.value(), o.label()), origin, key);
    }

    /** Parses a value given as text (environment, override); null after reporting a problem. */
    private @Nullable Setting parse(KeyDef def, String key, String text, Origin origin) {
        try {
            Object value;
            if (def.type().isList()) {
                List<Object> items = new ArrayList<>();
                for (String part : text.split(",")) {
                    if (!part.isBlank()) {
                        items.add(def.type().parse(part.strip(), ScalarKind.STRING));
                    }
                }
                value = List.copyOf(items);
            } else {
                value = def.type().parse(text, ScalarKind.STRING);
                if (def.type().isPath()) {
                    value = path((String) value, loader.workingDirectory());
                }
            }
            return new Setting(value, origin, key);
        } catch (IllegalArgumentException e) {
            problem(origin, key + " must be " + def.type().rule() + " but was '" + abbreviate(text) + "'");
            invalid.add(key);
            return null;
        }
    }

    private Path path(String text, Path base) {
        if (text.equals("~")) {
            return loader.homeDirectory();
        }
        if (text.startsWith("~/")) {
            return loader.homeDirectory().resolve(text.substring(2));
        }
        Path p = Path.of(text);
        return p.isAbsolute() ? p : base.resolve(p).normalize();
    }

    // ---------------------------------------------------------------- profile selection

    private Profile select() {
        Setting def = top.get("default");
        List<String> names = profiles.stream()
                .map(p -> p.name)
                .filter(Objects::nonNull)
                .distinct()
                .toList();
        if (def != null) {
            if (profiles.isEmpty() || profiles.get(0).implicit) {
                problem(def.origin(), "default names '" + def.value() + "' but databases defines no profiles");
            } else if (!names.contains((String) def.value())) {
                problem(def.origin(), unknownProfile((String) def.value(), "default", names));
            }
        }
        Setting choice = profileChoice;
        if (choice != null) {
            String name = (String) choice.value();
            for (Profile p : profiles) {
                if (name.equals(p.name)) {
                    return p;
                }
            }
            if (!profiles.isEmpty() && profiles.get(0).implicit) {
                problem(
                        choice.origin(),
                        "profile '" + name + "' is not defined: there is no databases list"
                                + (file == null ? " (and no configuration file)" : " in " + fileName));
            } else {
                problem(choice.origin(), unknownProfile(name, "profile", names));
            }
        }
        if (def != null) {
            for (Profile p : profiles) {
                if (def.value().equals(p.name)) {
                    return p;
                }
            }
        }
        return profiles.isEmpty() ? new Profile(0, Origin.builtIn(), "default", true) : profiles.get(0);
    }

    private static String unknownProfile(String name, String what, List<String> names) {
        String hint = Suggest.closest(name, names)
                .map(n -> "; did you mean '" + n + "'?")
                .orElse("");
        return what + " names '" + name + "', which is not a profile in databases" + hint + " (profiles: "
                + String.join(", ", names) + ")";
    }

    // ---------------------------------------------------------------- sections

    private Setting get(String path) {
        Setting s = top.get(path);
        if (s != null) {
            return s;
        }
        KeyDef def = Keys.find(Keys.top(), path).orElseThrow();
        return new Setting(Objects.requireNonNullElse(def.defaultValue(), NONE), Origin.builtIn(), path);
    }

    private static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "(none)";
        }
    };

    private @Nullable Object value(String path) {
        Object v = get(path).value();
        return v == NONE ? null : v;
    }

    private @Nullable String string(String path) {
        return (String) value(path);
    }

    private int integer(String path) {
        return (Integer) Objects.requireNonNull(value(path));
    }

    private Duration duration(String path) {
        return (Duration) Objects.requireNonNull(value(path));
    }

    private boolean bool(String path) {
        return (Boolean) Objects.requireNonNull(value(path));
    }

    private @Nullable Secret apiKey;
    private @Nullable Origin apiKeyOrigin;

    private @Nullable ModelConfig model() {
        ModelOptions.Builder options = ModelOptions.builder();
        try {
            options.temperature((Double) value("model.options.temperature"))
                    .topP((Double) value("model.options.topP"))
                    .maxTokens((Integer) value("model.options.maxTokens"))
                    .seed((Long) value("model.options.seed"))
                    .parallelToolCalls((Boolean) value("model.options.parallelToolCalls"));
            String choice = string("model.options.toolChoice");
            if (choice != null) {
                options.toolChoice(ToolChoice.valueOf(Keys.constant(choice)));
            }
            @SuppressWarnings("unchecked")
            List<String> stop = (List<String>) Objects.requireNonNull(value("model.options.stop"));
            options.stop(stop);
        } catch (IllegalArgumentException e) {
            Origin where = top.values().stream()
                    .filter(x -> x.key().startsWith("model.options."))
                    .map(Setting::origin)
                    .findFirst()
                    .orElse(Origin.builtIn());
            problem(where, "model.options: " + e.getMessage());
        }
        adjustForProvider();
        resolveApiKey();
        return new ModelConfig(
                Objects.requireNonNull(string("model.provider")),
                string("model.baseUrl"),
                Objects.requireNonNull(string("model.model")),
                apiKey,
                string("model.organization"),
                string("model.project"),
                string("model.azureApiVersion"),
                bool("model.useMaxCompletionTokens"),
                integer("model.maxConcurrentRequests"),
                options.build(),
                duration("model.timeouts.connect"),
                duration("model.timeouts.read"),
                duration("model.timeouts.call"),
                integer("model.retries.maxAttempts"),
                duration("model.retries.initialBackoff"),
                (Double) Objects.requireNonNull(value("model.retries.backoffMultiplier")),
                duration("model.retries.maxBackoff"));
    }

    private boolean anthropic() {
        return "anthropic".equals(string("model.provider"));
    }

    /**
     * With {@code provider: anthropic}, the environment's base URL is ANTHROPIC_BASE_URL (an OPENAI_BASE_URL meant for
     * another server is not used) and the default model is Anthropic's.
     */
    private void adjustForProvider() {
        if (!anthropic()) {
            return;
        }
        Setting baseUrl = top.get("model.baseUrl");
        if (baseUrl != null && baseUrl.origin().equals(Origin.env("OPENAI_BASE_URL"))) {
            top.remove("model.baseUrl");
        }
        String anthropicUrl = env.get("ANTHROPIC_BASE_URL");
        if (!top.containsKey("model.baseUrl") && anthropicUrl != null && !anthropicUrl.isBlank()) {
            KeyDef def = Keys.find(Keys.top(), "model.baseUrl").orElseThrow();
            Setting s = parse(def, "model.baseUrl", anthropicUrl.strip(), Origin.env("ANTHROPIC_BASE_URL"));
            if (s != null) {
                top.put("model.baseUrl", s);
            }
        }
        if (!top.containsKey("model.model")) {
            top.put("model.model", new Setting(Keys.DEFAULT_ANTHROPIC_MODEL, Origin.builtIn(), "model.model"));
        }
    }

    private void resolveApiKey() {
        List<Setting> sources = new ArrayList<>();
        for (String k : List.of("model.apiKey", "model.apiKeyEnv", "model.apiKeyFile")) {
            Setting s = top.get(k);
            if (s != null) {
                sources.add(s);
            }
        }
        Setting chosen = chooseSource(sources, "model.apiKey, model.apiKeyEnv and model.apiKeyFile");
        if (chosen != null) {
            apiKeyOrigin = chosen.origin();
            apiKey = resolveSecret(chosen);
            return;
        }
        boolean anthropic = anthropic();
        String variable = anthropic ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
        String key = env.get(variable);
        Setting baseUrl = top.get("model.baseUrl");
        boolean providers = baseUrl == null
                || (anthropic ? Keys.ANTHROPIC_BASE_URL : Keys.OPENAI_BASE_URL).equals(baseUrl.value())
                || baseUrl.origin().equals(Origin.env(anthropic ? "ANTHROPIC_BASE_URL" : "OPENAI_BASE_URL"));
        if (key != null && !key.isEmpty()) {
            if (providers) {
                apiKey = Secret.of(key, "env " + variable);
                apiKeyOrigin = Origin.env(variable);
            } else {
                warnings.add(variable + " is not sent to " + baseUrl.value() + " (set at " + baseUrl.origin()
                        + "); to send it there, set model.apiKeyEnv: " + variable);
            }
        }
    }

    /** Picks the source of highest precedence; two at the same precedence are a problem. */
    private @Nullable Setting chooseSource(List<Setting> sources, String names) {
        Setting best = null;
        for (Setting s : sources) {
            if (best == null || s.origin().kind().compareTo(best.origin().kind()) > 0) {
                best = s;
            } else if (s.origin().kind() == best.origin().kind()) {
                problem(
                        s.origin(),
                        "set only one of " + names + " (" + best.key() + " is set at " + best.origin() + ")");
            }
        }
        return best;
    }

    /** Resolves a secret source setting: a Secret, an environment variable's name, or a file. */
    private @Nullable Secret resolveSecret(Setting s) {
        if (s.value() instanceof Secret secret) {
            return secret;
        }
        if (s.key().endsWith("Env")) {
            String variable = (String) s.value();
            String value = env.get(variable);
            if (value == null || value.isEmpty()) {
                problem(
                        s.origin(),
                        s.key() + " names " + variable + ", which is " + (value == null ? "not set" : "empty"));
                return null;
            }
            return Secret.of(value, "env " + variable);
        }
        Path p = (Path) s.value();
        try {
            if (!Files.isRegularFile(p)) {
                problem(
                        s.origin(),
                        s.key() + " names " + p + ", which "
                                + (Files.exists(p) ? "is not a plain file" : "does not exist"));
                return null;
            }
            if (Files.size(p) > MAX_SECRET_FILE_BYTES) {
                problem(s.origin(), s.key() + " names " + p + ", which is larger than 64 KiB: not a secret file");
                return null;
            }
            String value = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
            if (value.endsWith("\n")) {
                value = value.substring(0, value.length() - (value.endsWith("\r\n") ? 2 : 1));
            }
            if (value.isEmpty()) {
                problem(s.origin(), s.key() + " names " + p + ", which is empty");
                return null;
            }
            return Secret.of(value, "file " + p);
        } catch (IOException e) {
            problem(
                    s.origin(),
                    s.key() + " names " + p + ", which cannot be read ("
                            + e.getClass().getSimpleName() + ")");
            return null;
        }
    }

    private AgentSettings agent() {
        return new AgentSettings(
                integer("agent.maxSteps"),
                integer("agent.maxToolCallsPerStep"),
                duration("agent.timeout"),
                (Long) Objects.requireNonNull(value("agent.tokenBudget")),
                integer("agent.historyTokenBudget"),
                integer("agent.schemaContextTokens"),
                bool("agent.valueGrounding"),
                string("agent.instructions"));
    }

    private AuditConfig audit() {
        String pgDatabase = string("audit.postgres.database");
        Setting pgSetting = top.get("audit.postgres.database");
        if (pgDatabase != null && pgSetting != null) {
            List<String> names = profiles.stream()
                    .filter(p -> !p.implicit)
                    .map(p -> p.name)
                    .filter(Objects::nonNull)
                    .distinct()
                    .toList();
            if (!names.contains(pgDatabase)) {
                problem(pgSetting.origin(), unknownProfile(pgDatabase, "audit.postgres.database", names));
            }
        }
        Setting tokenSetting = top.get("audit.http.tokenEnv");
        Secret token = tokenSetting == null ? null : resolveSecret(tokenSetting);
        String url = string("audit.http.url");
        return new AuditConfig(
                (Path) value("audit.jsonl"),
                bool("audit.chained"),
                bool("audit.slf4j"),
                AuditConfig.FailurePolicy.valueOf(Keys.constant(Objects.requireNonNull(value("audit.failurePolicy")))),
                pgDatabase,
                Objects.requireNonNull(string("audit.postgres.schema")),
                url == null ? null : java.net.URI.create(url),
                token);
    }

    private LoggingConfig logging() {
        return new LoggingConfig(
                LoggingConfig.Level.valueOf(Keys.constant(Objects.requireNonNull(value("logging.level")))),
                (Path) value("logging.file"));
    }

    // ---------------------------------------------------------------- policies

    /**
     * Returns the effective setting of every policy key, keyed by its name ({@code level}): the default, the
     * file's top-level value, the profile's, the policy.* override, the database.policy.* override.
     */
    private Map<String, Setting> policySettings(@Nullable Profile profile, boolean selected) {
        Map<String, Setting> out = new LinkedHashMap<>();
        for (KeyDef def : Keys.POLICY) {
            String name = def.path();
            Setting s = new Setting(
                    Objects.requireNonNullElse(def.defaultValue(), NONE), Origin.builtIn(), "policy." + name);
            Setting fileTop = top.get("policy." + name);
            if (fileTop != null) {
                s = fileTop;
            }
            if (profile != null) {
                Setting own = profile.values.get(PROFILE_POLICY + name);
                if (own != null) {
                    s = own;
                }
            }
            Setting override = policyOverrides.get("policy." + name);
            if (override != null) {
                s = override;
            }
            if (selected) {
                Setting own = databaseOverrides.get(PROFILE_POLICY + name);
                if (own != null) {
                    s = own;
                }
            }
            out.put(name, s);
        }
        return out;
    }

    /** Builds the policy, or returns null after reporting problems. Profile checks skip what the top level had. */
    private @Nullable SafetyPolicy policy(Map<String, Setting> settings, @Nullable Profile profile) {
        int before = problems.size();
        SafetyPolicy.Builder b = SafetyPolicy.builder();
        for (KeyDef def : Keys.POLICY) {
            Setting s = settings.get(def.path());
            if (s == null || s.value() == NONE || s.origin().kind() == Origin.Kind.DEFAULT) {
                continue;
            }
            if (profile != null && !ownedBy(s, profile)) {
                // applied again, but its problems were reported for the top level already
                try {
                    Objects.requireNonNull(def.policy()).accept(b, s.value());
                } catch (IllegalArgumentException ignored) {
                    // reported once, at the top level
                }
                continue;
            }
            try {
                Objects.requireNonNull(def.policy()).accept(b, s.value());
            } catch (IllegalArgumentException e) {
                String msg = Objects.requireNonNullElse(e.getMessage(), "is invalid");
                problem(
                        s.origin(),
                        msg.startsWith(def.name() + " ")
                                ? s.key() + msg.substring(def.name().length())
                                : s.key() + ": " + msg);
                invalid.add(s.key());
            }
        }
        crossCheck(settings, profile, "maxRows", "askMaxRows", "");
        crossCheck(settings, profile, "maxBytes", "askMaxBytes", "");
        crossCheck(settings, profile, "statementTimeout", "askMaxTime", "");
        Setting timeout = get("agent.timeout");
        Setting statementTimeout = settings.get("statementTimeout");
        if (statementTimeout != null
                && !invalid.contains(statementTimeout.key())
                && !invalid.contains("agent.timeout")
                && (profile == null || ownedBy(statementTimeout, profile))
                && ((Duration) statementTimeout.value()).compareTo((Duration) timeout.value()) > 0) {
            Setting blame =
                    statementTimeout.origin().kind().compareTo(timeout.origin().kind()) >= 0
                            ? statementTimeout
                            : timeout;
            problem(
                    blame.origin(),
                    statementTimeout.key() + " (" + show(statementTimeout) + ") must be <= " + "agent.timeout ("
                            + show(timeout) + "): a statement cannot run longer than its question");
        }
        if (problems.size() > before) {
            return null;
        }
        try {
            return b.build();
        } catch (IllegalStateException e) {
            if (profile == null) {
                problem(
                        firstSafetyKey != null ? firstSafetyKey : Origin.builtIn(),
                        Objects.requireNonNullElse(e.getMessage(), "the policy is inconsistent"));
            }
            // a profile's policy fails here only for values it inherits: reported for the top level already
            return null;
        }
    }

    /** Returns whether {@code s} was set for the profile itself (in its entry, or by a database.* override). */
    private static boolean ownedBy(Setting s, Profile profile) {
        return s.key().startsWith("databases." + profile.label() + ".")
                || s.key().startsWith("database.");
    }

    private void crossCheck(
            Map<String, Setting> settings, @Nullable Profile profile, String small, String large, String why) {
        Setting a = settings.get(small);
        Setting b = settings.get(large);
        if (a == null || b == null || invalid.contains(a.key()) || invalid.contains(b.key())) {
            return;
        }
        if (profile != null && !ownedBy(a, profile) && !ownedBy(b, profile)) {
            return;
        }
        @SuppressWarnings("unchecked")
        Comparable<Object> x = (Comparable<Object>) toComparable(a.value());
        if (x.compareTo(toComparable(b.value())) <= 0) {
            return;
        }
        Setting blame = a.origin().kind().compareTo(b.origin().kind()) >= 0 ? a : b;
        problem(blame.origin(), a.key() + " (" + show(a) + ") must be <= " + b.key() + " (" + show(b) + ")" + why);
    }

    private static Object toComparable(Object v) {
        return v instanceof Integer i ? Long.valueOf(i) : v;
    }

    private static String show(Setting s) {
        Object v = s.value();
        if (v instanceof Duration d) {
            return ValueType.formatDuration(d);
        }
        return String.valueOf(v);
    }

    // ---------------------------------------------------------------- databases

    private @Nullable DatabaseProfile database(Profile p, boolean selected, List<Entry> entries) {
        int before = problems.size();
        Map<String, Setting> v = new LinkedHashMap<>(p.values);
        if (selected) {
            v.putAll(databaseOverrides);
        }
        String name = p.name == null ? p.label() : p.name;
        String q = "databases." + name + ".";
        Setting url = v.get("url");
        if (url == null && p.implicit) {
            String databaseUrl = env.get("DATABASE_URL");
            if (databaseUrl != null && !databaseUrl.isBlank() && !v.containsKey("host")) {
                url = new Setting(databaseUrl.strip(), Origin.env("DATABASE_URL"), "DATABASE_URL");
            }
        }
        Setting host = v.get("host");
        Setting port = v.get("port");
        Setting dbName = v.get("database");
        if (url != null) {
            for (Setting part : new Setting[] {host, port, dbName}) {
                if (part != null && part.origin().kind() == url.origin().kind()) {
                    problem(part.origin(), "set either " + q + "url or " + q + "host, port and database, not both");
                    break;
                }
            }
        }
        // an override of url (--url) replaces the file's host, port and database, and the other way round
        Origin.Kind parts = null;
        for (Setting part : new Setting[] {host, port, dbName}) {
            if (part != null && (parts == null || part.origin().kind().compareTo(parts) > 0)) {
                parts = part.origin().kind();
            }
        }
        boolean useUrl =
                url != null && (parts == null || parts.compareTo(url.origin().kind()) <= 0);
        String osUser = System.getProperty("user.name", "postgres");
        Setting userSetting = v.get("user");
        Setting sslSetting = v.get("sslMode");
        Setting resolvedHost;
        Setting resolvedPort;
        Setting resolvedDb;
        Setting resolvedUser;
        String jdbcUrl;
        Secret urlPassword = null;
        if (useUrl) {
            DatabaseUrl parsed;
            try {
                parsed = DatabaseUrl.parse((String) url.value());
            } catch (IllegalArgumentException e) {
                problem(url.origin(), url.key() + " " + e.getMessage());
                return null;
            }
            if (parsed.password() != null) {
                urlPassword = Secret.of(parsed.password(), "the password in " + url.key() + " at " + url.origin());
            }
            resolvedUser = userSetting != null
                    ? userSetting
                    : parsed.user() != null
                            ? new Setting(parsed.user(), url.origin(), q + "user")
                            : envOr("PGUSER", osUser, q + "user");
            jdbcUrl = parsed.jdbcUrl();
            resolvedHost = new Setting(parsed.host(), url.origin(), q + "host");
            resolvedPort = new Setting(parsed.port(), url.origin(), q + "port");
            String database = parsed.database().isEmpty() ? (String) resolvedUser.value() : parsed.database();
            resolvedDb = new Setting(database, url.origin(), q + "database");
            String envSsl = env.get("PGSSLMODE");
            if (sslSetting != null) {
                jdbcUrl = jdbcUrl.replaceAll("([?&])sslmode=[^&]*&?", "$1").replaceAll("[?&]$", "");
                jdbcUrl += (jdbcUrl.contains("?") ? "&" : "?") + "sslmode=" + sslSetting.value();
            } else if (envSsl != null && !envSsl.isBlank() && !jdbcUrl.contains("sslmode=")) {
                jdbcUrl += (jdbcUrl.contains("?") ? "&" : "?") + "sslmode=" + envSsl.strip();
            }
        } else {
            resolvedUser = userSetting != null ? userSetting : envOr("PGUSER", osUser, q + "user");
            resolvedHost = host != null ? host : envOr("PGHOST", "localhost", q + "host");
            resolvedPort = port;
            if (resolvedPort == null) {
                Setting fromEnv = envOr("PGPORT", "5432", q + "port");
                try {
                    int n = Integer.parseInt(((String) fromEnv.value()).strip());
                    if (n < 1 || n > 65_535) {
                        throw new NumberFormatException();
                    }
                    resolvedPort = new Setting(n, fromEnv.origin(), fromEnv.key());
                } catch (NumberFormatException e) {
                    problem(
                            fromEnv.origin(),
                            "PGPORT must be a port number from 1 to 65535 but was '"
                                    + abbreviate((String) fromEnv.value()) + "'");
                    resolvedPort = new Setting(5432, Origin.builtIn(), q + "port");
                }
            }
            resolvedDb = dbName != null ? dbName : envOr("PGDATABASE", (String) resolvedUser.value(), q + "database");
            String h = (String) resolvedHost.value();
            String ssl = sslSetting != null ? (String) sslSetting.value() : env.get("PGSSLMODE");
            jdbcUrl = "jdbc:postgresql://" + (h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h) + ":"
                    + resolvedPort.value() + "/"
                    + URLEncoder.encode((String) resolvedDb.value(), StandardCharsets.UTF_8)
                            .replace("+", "%20")
                    + (ssl == null || ssl.isBlank() ? "" : "?sslmode=" + ssl.strip());
        }
        // the password, in libpq's order: given (override, profile), PGPASSWORD, the password file
        List<Setting> sources = new ArrayList<>();
        for (String k : List.of("password", "passwordEnv", "passwordFile")) {
            Setting s = v.get(k);
            if (s != null) {
                sources.add(s);
            }
        }
        if (urlPassword != null && useUrl) {
            sources.add(new Setting(urlPassword, url.origin(), url.key()));
        }
        Setting source = chooseSource(sources, q + "password, passwordEnv, passwordFile and a password in the url");
        Secret password = null;
        Origin passwordOrigin = Origin.builtIn();
        if (source != null) {
            password = resolveSecret(source);
            passwordOrigin = source.origin();
        } else {
            String pw = env.get("PGPASSWORD");
            if (pw != null && !pw.isEmpty()) {
                password = Secret.of(pw, "env PGPASSWORD");
                passwordOrigin = Origin.env("PGPASSWORD");
            } else if (v.get("pgpass") == null
                    || !Boolean.FALSE.equals(v.get("pgpass").value())) {
                Path pgpass = PgPass.location(env, loader.homeDirectory());
                PgPass.Lookup found = PgPass.find(
                        pgpass,
                        (String) resolvedHost.value(),
                        String.valueOf(resolvedPort.value()),
                        (String) resolvedDb.value(),
                        (String) resolvedUser.value());
                warnings.addAll(found.warnings());
                if (found.match().isPresent()) {
                    PgPass.Match m = found.match().get();
                    password = Secret.of(m.password(), pgpass + " line " + m.line());
                    passwordOrigin = env.containsKey("PGPASSFILE") ? Origin.env("PGPASSFILE") : Origin.builtIn();
                }
            }
        }
        String replica = null;
        Setting replicaSetting = v.get("readReplicaUrl");
        if (replicaSetting != null) {
            try {
                DatabaseUrl r = DatabaseUrl.parse((String) replicaSetting.value());
                replica = r.jdbcUrl();
            } catch (IllegalArgumentException e) {
                problem(replicaSetting.origin(), replicaSetting.key() + " " + e.getMessage());
            }
        }
        Duration maxReplicaLag = DEFAULT_MAX_REPLICA_LAG;
        Setting lagSetting = v.get("maxReplicaLag");
        if (lagSetting != null) {
            Duration lag = (Duration) lagSetting.value();
            if (lag.compareTo(MAX_REPLICA_LAG) > 0) {
                problem(
                        lagSetting.origin(),
                        lagSetting.key() + " must be at most 1h but was " + ValueType.formatDuration(lag));
            } else {
                maxReplicaLag = lag;
            }
        }
        Map<String, Setting> policySettings = policySettings(p, selected);
        SafetyPolicy policy = policy(policySettings, p);
        if (problems.size() > before || policy == null) {
            return null;
        }
        Setting description = v.get("description");
        entries.add(entry(q + "description", description, description == null ? "(none)" : null));
        entries.add(new Entry(q + "url", DatabaseUrl.redact(jdbcUrl), useUrl ? url.origin() : resolvedHost.origin()));
        entries.add(entry(q + "host", resolvedHost, null));
        entries.add(entry(q + "port", resolvedPort, null));
        entries.add(entry(q + "database", resolvedDb, null));
        entries.add(entry(q + "user", resolvedUser, null));
        entries.add(new Entry(q + "password", password == null ? "(none)" : password.toString(), passwordOrigin));
        entries.add(
                entry(q + "readReplicaUrl", replicaSetting, replica == null ? "(none)" : DatabaseUrl.redact(replica)));
        entries.add(entry(q + "maxReplicaLag", lagSetting, ValueType.formatDuration(maxReplicaLag)));
        for (Map.Entry<String, Setting> e : policySettings.entrySet()) {
            Setting s = e.getValue();
            if (ownedBy(s, p)) {
                KeyDef def = Keys.find(Keys.POLICY, e.getKey()).orElseThrow();
                entries.add(new Entry(q + "policy." + e.getKey(), def.type().format(s.value()), s.origin()));
            }
        }
        return new DatabaseProfile(
                name,
                description == null ? null : (String) description.value(),
                jdbcUrl,
                (String) resolvedHost.value(),
                (Integer) resolvedPort.value(),
                (String) resolvedDb.value(),
                (String) resolvedUser.value(),
                password,
                replica,
                maxReplicaLag,
                policy);
    }

    private Setting envOr(String variable, String fallback, String key) {
        String value = env.get(variable);
        return value != null && !value.isBlank()
                ? new Setting(value.strip(), Origin.env(variable), key)
                : new Setting(fallback, Origin.builtIn(), key);
    }

    private static Entry entry(String key, @Nullable Setting s, @Nullable String display) {
        if (s == null) {
            return new Entry(key, display == null ? "(none)" : display, Origin.builtIn());
        }
        return new Entry(key, display != null ? display : String.valueOf(s.value()), s.origin());
    }

    // ---------------------------------------------------------------- config show

    private EffectiveConfig effective(ModelConfig model, List<Entry> profileEntries, Profile selected) {
        List<Entry> out = new ArrayList<>();
        Setting choice = profileChoice;
        Setting def = top.get("default");
        String selectedName = Objects.requireNonNull(selected.name);
        out.add(new Entry(
                "profile",
                selectedName,
                choice != null ? choice.origin() : def != null ? def.origin() : Origin.builtIn()));
        boolean databasesDone = false;
        for (KeyDef d : Keys.top()) {
            if (d.path().equals("default")) {
                continue;
            }
            if (d.path().startsWith("audit.") && !databasesDone) {
                out.addAll(profileEntries);
                databasesDone = true;
            }
            if (d.path().equals("model.apiKey")) {
                out.add(new Entry(
                        "model.apiKey",
                        model.apiKey().map(Secret::toString).orElse("(none)"),
                        apiKeyOrigin == null ? Origin.builtIn() : apiKeyOrigin));
                continue;
            }
            Setting s = d.path().startsWith("policy.") && policyOverrides.containsKey(d.path())
                    ? policyOverrides.get(d.path())
                    : top.get(d.path());
            if (s == null) {
                out.add(new Entry(
                        d.path(),
                        d.defaultValue() == null
                                ? "(" + d.defaultText() + ")"
                                : d.type().format(d.defaultValue()),
                        Origin.builtIn()));
            } else {
                out.add(new Entry(d.path(), d.type().format(s.value()), s.origin()));
            }
        }
        if (!databasesDone) {
            out.addAll(profileEntries);
        }
        return new EffectiveConfig(out);
    }

    private static String abbreviate(String s) {
        String flat = s.replaceAll("\\s+", " ");
        return flat.length() <= 60 ? flat : flat.substring(0, 60) + "...";
    }
}
