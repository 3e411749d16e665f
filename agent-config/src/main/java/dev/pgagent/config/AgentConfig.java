package dev.pgagent.config;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.safety.SafetyPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A loaded, validated configuration: the model, the named databases (one of them selected), the agent's limits,
 * the safety policy, the audit sinks and logging, with the origin of every value in {@link #effective()}. Made by
 * {@link ConfigLoader#load()}; everything in it was checked before anything connects. {@link #toString()} never
 * shows a secret. Immutable and thread-safe.
 */
@Experimental
public final class AgentConfig {
    private final @Nullable Path file;
    private final ModelConfig model;
    private final AgentSettings agent;
    private final SafetyPolicy policy;
    private final List<DatabaseProfile> databases;
    private final DatabaseProfile selected;
    private final AuditConfig audit;
    private final LoggingConfig logging;
    private final @Nullable Integer poolMaxSize;
    private final EffectiveConfig effective;
    private final List<String> warnings;

    AgentConfig(
            @Nullable Path file,
            ModelConfig model,
            AgentSettings agent,
            SafetyPolicy policy,
            List<DatabaseProfile> databases,
            DatabaseProfile selected,
            AuditConfig audit,
            LoggingConfig logging,
            @Nullable Integer poolMaxSize,
            EffectiveConfig effective,
            List<String> warnings) {
        this.file = file;
        this.model = model;
        this.agent = agent;
        this.policy = policy;
        this.databases = List.copyOf(databases);
        this.selected = selected;
        this.audit = audit;
        this.logging = logging;
        this.poolMaxSize = poolMaxSize;
        this.effective = effective;
        this.warnings = List.copyOf(warnings);
    }

    /** Returns the file the configuration was read from; empty when none was found (defaults and environment). */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** Returns the model section. */
    public ModelConfig model() {
        return model;
    }

    /** Returns the agent section. */
    public AgentSettings agent() {
        return agent;
    }

    /**
     * Returns the top-level safety policy, a real {@link SafetyPolicy} built with its builder. Each database's own
     * policy, with its overrides, is {@link DatabaseProfile#policy()}.
     */
    public SafetyPolicy policy() {
        return policy;
    }

    /**
     * Returns every database profile in file order. Without a {@code databases} list there is one profile,
     * {@code default}, made from the overrides and the libpq environment ({@code DATABASE_URL}, {@code PGHOST}, ...).
     */
    public List<DatabaseProfile> databases() {
        return databases;
    }

    /**
     * Returns the selected profile: the one an override names ({@code --profile}), else {@code PGAGENT_PROFILE},
     * else the file's {@code default:}, else the first.
     */
    public DatabaseProfile database() {
        return selected;
    }

    /** Returns the profile named {@code name}, if there is one. */
    public Optional<DatabaseProfile> database(String name) {
        Objects.requireNonNull(name, "name == null");
        return databases.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** Returns the audit section. */
    public AuditConfig audit() {
        return audit;
    }

    /**
     * Returns {@code pool.maxSize}: the most connections a client keeps open to one database; empty when neither the
     * file nor {@code PGAGENT_POOL_MAX_SIZE} sets it (the client chooses). A library host sizes its own pool.
     */
    @dev.pgagent.api.Experimental
    public java.util.OptionalInt poolMaxSize() {
        return poolMaxSize == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(poolMaxSize);
    }

    /** Returns the logging section. */
    public LoggingConfig logging() {
        return logging;
    }

    /** Returns every setting with its value and origin, for {@code config show}. */
    public EffectiveConfig effective() {
        return effective;
    }

    /**
     * Returns warnings for people, such as a password file skipped because others may read it. The loader does
     * not log them (a client may not have set up its logging yet when it loads the configuration that says how).
     */
    public List<String> warnings() {
        return warnings;
    }

    /** Returns a summary; never a secret. */
    @Override
    public String toString() {
        return "AgentConfig[file=" + (file == null ? "(none)" : file) + ", " + model + ", databases="
                + databases.stream().map(DatabaseProfile::name).toList() + ", selected=" + selected.name() + "]";
    }
}
