package dev.pgagent.config;

import dev.pgagent.api.Experimental;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a configuration current between questions: {@link #check()} looks whether the file changed (where it is
 * found, and a SHA-256 of its bytes, so an edit within the same second is not missed and a touch without a change
 * is), and if so loads it again. A new file that does not load keeps the old configuration and reports why, once.
 * Cheap enough to call before every question: the file is at most 1 MiB and only read, not parsed, when unchanged.
 * The environment and the overrides are those of the loader, fixed when the watcher was made. Thread-safe.
 *
 * <pre>{@code
 * ConfigWatcher watcher = ConfigWatcher.start(loader);     // throws ConfigException if invalid now
 * ...
 * ConfigWatcher.Reload r = watcher.check();
 * if (r.status() == ConfigWatcher.Status.INVALID) {
 *     err.println("configuration not reloaded: " + r.error().orElseThrow().getMessage());
 * }
 * AgentConfig config = r.config();                         // the current one either way
 * }</pre>
 */
@Experimental
public final class ConfigWatcher {
    /** What a {@link #check()} found. */
    public enum Status {
        /** The file is as it was (or as it was when it last failed to load). */
        UNCHANGED,
        /** The file changed and the new configuration is in use. */
        RELOADED,
        /** The file changed but does not load; the previous configuration stays in use. */
        INVALID
    }

    /**
     * The outcome of a check.
     *
     * @param status what happened
     * @param config the configuration in use after the check
     * @param error why the new file was refused, for {@link Status#INVALID}
     */
    public record Reload(Status status, AgentConfig config, Optional<ConfigException> error) {
        /** Checks the components. */
        public Reload {
            Objects.requireNonNull(status, "status == null");
            Objects.requireNonNull(config, "config == null");
            Objects.requireNonNull(error, "error == null");
        }
    }

    private final ConfigLoader loader;
    private volatile AgentConfig current;
    private String fingerprint;

    private ConfigWatcher(ConfigLoader loader, AgentConfig current, String fingerprint) {
        this.loader = loader;
        this.current = current;
        this.fingerprint = fingerprint;
    }

    /**
     * Loads the configuration and returns a watcher over it.
     *
     * @throws ConfigException if the configuration does not load now
     */
    public static ConfigWatcher start(ConfigLoader loader) {
        Objects.requireNonNull(loader, "loader == null");
        Snapshot s = snapshot(loader);
        return new ConfigWatcher(loader, loader.load(s.path, s.bytes), s.fingerprint);
    }

    /** Returns the configuration in use. */
    public AgentConfig current() {
        return current;
    }

    /** Looks whether the file changed and loads it if so; never throws for a bad file (see {@link Status}). */
    public synchronized Reload check() {
        Snapshot s;
        try {
            s = snapshot(loader);
        } catch (ConfigException e) {
            // the file named by the builder or PGAGENT_CONFIG went away, or cannot be read
            String fp = "error:" + e.getMessage();
            if (fp.equals(fingerprint)) {
                return new Reload(Status.UNCHANGED, current, Optional.empty());
            }
            fingerprint = fp;
            return new Reload(Status.INVALID, current, Optional.of(e));
        }
        if (s.fingerprint.equals(fingerprint)) {
            return new Reload(Status.UNCHANGED, current, Optional.empty());
        }
        fingerprint = s.fingerprint;
        try {
            current = loader.load(s.path, s.bytes);
            return new Reload(Status.RELOADED, current, Optional.empty());
        } catch (ConfigException e) {
            return new Reload(Status.INVALID, current, Optional.of(e));
        }
    }

    private record Snapshot(@Nullable Path path, byte @Nullable [] bytes, String fingerprint) {}

    private static Snapshot snapshot(ConfigLoader loader) {
        Optional<Path> located = loader.locate();
        if (located.isEmpty()) {
            return new Snapshot(null, null, "none");
        }
        Path p = located.get();
        byte[] bytes = loader.read(p);
        return new Snapshot(p, bytes, p.toAbsolutePath() + ":" + sha256(bytes));
    }

    private static String sha256(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            StringBuilder sb = new StringBuilder();
            for (byte b : d) {
                sb.append(String.format("%02x", b));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            // every JDK has SHA-256; fall back to a weaker but still content-based fingerprint
            return Integer.toHexString(Arrays.hashCode(bytes)) + ":" + bytes.length;
        }
    }

    @Override
    public String toString() {
        return "ConfigWatcher[" + current.file().map(Path::toString).orElse("(no file)") + "]";
    }
}
