package dev.pgagent.config;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.config.internal.DatabaseUrl;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One named database of the {@code databases} list, resolved: its JDBC URL (never with the password in it), user,
 * password from its source, the description the model reads, an optional read replica, and its safety policy
 * (the top-level policy with the profile's overrides applied). A host opens it with, for example,
 * {@code PgDataSources.fromUrl(p.jdbcUrl(), p.user(), p.password().map(Secret::reveal).orElse(null))}.
 * {@link #toString()} never shows the password. Immutable and thread-safe.
 */
@Experimental
public final class DatabaseProfile {
    private final String name;
    private final @Nullable String description;
    private final String jdbcUrl;
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final @Nullable Secret password;
    private final @Nullable String readReplicaUrl;
    private final Duration maxReplicaLag;
    private final SafetyPolicy policy;

    DatabaseProfile(
            String name,
            @Nullable String description,
            String jdbcUrl,
            String host,
            int port,
            String database,
            String user,
            @Nullable Secret password,
            @Nullable String readReplicaUrl,
            Duration maxReplicaLag,
            SafetyPolicy policy) {
        this.name = name;
        this.description = description;
        this.jdbcUrl = jdbcUrl;
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.readReplicaUrl = readReplicaUrl;
        this.maxReplicaLag = maxReplicaLag;
        this.policy = policy;
    }

    /** Returns the profile's name: letters, digits, '_' and '-', starting with a letter. */
    public String name() {
        return name;
    }

    /** Returns what the database holds, for the model to choose by. Default: none. */
    public Optional<String> description() {
        return Optional.ofNullable(description);
    }

    /** Returns the JDBC URL ({@code jdbc:postgresql://host:port/database?...}); it never holds the password. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** Returns the (first) host, as a password file is matched against it. */
    public String host() {
        return host;
    }

    /** Returns the (first) port. */
    public int port() {
        return port;
    }

    /** Returns the database name. */
    public String database() {
        return database;
    }

    /** Returns the user: the profile's, the URL's, {@code PGUSER}, else the operating-system user. */
    public String user() {
        return user;
    }

    /**
     * Returns the password, if a source gave one: an override, the profile's {@code password: ${VAR}},
     * {@code passwordEnv} or {@code passwordFile}, {@code PGPASSWORD}, else the password file (~/.pgpass).
     */
    public Optional<Secret> password() {
        return Optional.ofNullable(password);
    }

    /** Returns the read replica's JDBC URL (same user and password), without a password in it. Default: none. */
    public Optional<String> readReplicaUrl() {
        return Optional.ofNullable(readReplicaUrl);
    }

    /**
     * Returns how far the read replica's replay may lag behind the primary for reads to go to it (key
     * {@code maxReplicaLag}, positive, at most 1 hour). Default: 10 s.
     */
    public Duration maxReplicaLag() {
        return maxReplicaLag;
    }

    /** Returns the safety policy for this database: the top-level policy with this profile's overrides. */
    public SafetyPolicy policy() {
        return policy;
    }

    /** Returns the name, URL and user; never the password. */
    @Override
    public String toString() {
        return "DatabaseProfile[" + name + ", " + DatabaseUrl.redact(jdbcUrl) + ", user=" + user + ", password="
                + (password == null ? "(none)" : password) + "]";
    }
}
