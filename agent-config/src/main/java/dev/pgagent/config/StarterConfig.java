package dev.pgagent.config;

import dev.pgagent.api.ConfigurationException;
import dev.pgagent.api.Experimental;
import dev.pgagent.config.internal.KeyDef;
import dev.pgagent.config.internal.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Writes a starter configuration file that explains every key: the essentials active (one database profile,
 * {@code main}, on {@code localhost}), everything else commented out with its default or an example. The file
 * loads and validates unchanged. For {@code pg-agent config init}.
 *
 * <pre>{@code
 * Path written = StarterConfig.write(Path.of(System.getProperty("user.home"), ".config/pgagent/config.yaml"));
 * }</pre>
 */
@Experimental
public final class StarterConfig {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./~${}:@-]*[A-Za-z0-9_./~${}@-]");
    private static final int WIDTH = 100;

    private StarterConfig() {}

    /** Returns the starter file's text. */
    public static String text() {
        List<String> out = new ArrayList<>();
        out.add("# pgagent configuration file.");
        out.add("#");
        out.add("# Keys that are commented out show their default or an example: remove the '#' to use one.");
        out.add("# Values may use ${VARIABLE} or ${VARIABLE:-fallback} from the environment, except under policy and");
        out.add("# audit, which come only from this file or from the program that embeds pgagent.");
        out.add("# Passwords and API keys never go in this file in clear text: name an environment variable");
        out.add("# (passwordEnv, apiKeyEnv), a file (passwordFile, apiKeyFile), or use ~/.pgpass.");
        out.add("# Which value wins: built-in defaults < this file < the environment < command-line flags.");
        out.add("# Durations: 500ms, 30s, 2m, 1h (or PT30S). Sizes: 65536, 512KiB, 16MiB.");
        out.add("");
        for (KeyDef d : Keys.ROOT) {
            key(out, d, "", d.path());
        }
        section(out, "model", Keys.MODEL);
        section(out, "agent", Keys.AGENT);
        out.add("");
        out.add("# The safety policy: what the model may do to the databases. Each profile may override any key");
        out.add("# under its own policy. A file that others may write cannot set it.");
        out.add("policy:");
        for (KeyDef d : Keys.POLICY) {
            key(out, d, "  ", d.path());
        }
        out.add("");
        out.add("# The databases, each a named profile. The model sees every profile's name and description.");
        out.add("databases:");
        boolean first = true;
        for (KeyDef d : Keys.PROFILE) {
            if (first) {
                comment(out, "  ", doc(d));
                out.add("  - " + d.name() + ": " + value(d, Objects.requireNonNull(d.example())));
                first = false;
            } else {
                key(out, d, "    ", d.name());
            }
        }
        comment(
                out,
                "    ",
                "Overrides of the policy above for this database only; a key given here replaces "
                        + "the top-level one (lists too).");
        out.add("    # policy:");
        out.add("    #   deniedColumns: [customers.ssn]");
        out.add("    #   maxRows: 500");
        section(out, "audit", Keys.AUDIT);
        section(out, "logging", Keys.LOGGING);
        section(out, "pool", Keys.POOL);
        return String.join("\n", out) + "\n";
    }

    private static void section(List<String> out, String name, List<KeyDef> keys) {
        out.add("");
        out.add(name + ":");
        String group = "";
        for (KeyDef d : keys) {
            String rel = d.path().substring(name.length() + 1);
            int dot = rel.indexOf('.');
            String g = dot < 0 ? "" : rel.substring(0, dot);
            if (!g.equals(group)) {
                if (!g.isEmpty()) {
                    out.add("  " + g + ":");
                }
                group = g;
            }
            key(out, d, g.isEmpty() ? "  " : "    ", dot < 0 ? rel : rel.substring(dot + 1));
        }
    }

    private static void key(List<String> out, KeyDef d, String indent, String name) {
        comment(out, indent, doc(d));
        boolean active = d.starter() == KeyDef.Starter.ACTIVE;
        String shown = d.example() != null
                ? value(d, d.example())
                : d.defaultValue() != null ? value(d, d.type().format(d.defaultValue())) : "";
        out.add(indent + (active ? "" : "# ") + name + ":" + (shown.isEmpty() ? "" : " " + shown));
    }

    private static String doc(KeyDef d) {
        StringBuilder sb = new StringBuilder(d.doc());
        if (!d.path().equals("version") && !d.path().equals("name")) {
            sb.append(" Default: ").append(d.defaultText()).append('.');
        }
        if (d.env() != null) {
            sb.append(" Environment: ").append(d.env()).append('.');
        }
        return sb.toString();
    }

    private static String value(KeyDef d, String text) {
        if (text.startsWith("[") || PLAIN.matcher(text).matches() && !text.startsWith("$")) {
            return text;
        }
        if (text.startsWith("${") && text.indexOf(' ') < 0) {
            return text;
        }
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static void comment(List<String> out, String indent, String text) {
        StringBuilder line = new StringBuilder(indent).append('#');
        for (String word : text.split(" ")) {
            if (line.length() + 1 + word.length() > WIDTH && line.length() > indent.length() + 1) {
                out.add(line.toString());
                line = new StringBuilder(indent).append('#');
            }
            line.append(' ').append(word);
        }
        out.add(line.toString());
    }

    /**
     * Writes the starter file to {@code target}, creating its folder if needed; on POSIX file systems the file is
     * made with mode 600 (only you may read or write it), the folder with 700.
     *
     * @return {@code target}
     * @throws ConfigurationException if {@code target} exists or cannot be written
     */
    public static Path write(Path target) {
        return write(target, false);
    }

    /**
     * Writes the starter file to {@code target} as {@link #write(Path)} does, replacing an existing file when
     * {@code replace} is true (atomically, where the file system can).
     *
     * @throws ConfigurationException if {@code target} exists and {@code replace} is false, or it cannot be written
     */
    public static Path write(Path target, boolean replace) {
        Objects.requireNonNull(target, "target == null");
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        boolean posix = abs.getFileSystem().supportedFileAttributeViews().contains("posix");
        byte[] bytes = text().getBytes(StandardCharsets.UTF_8);
        try {
            if (dir != null && !Files.isDirectory(dir)) {
                if (posix) {
                    Files.createDirectories(
                            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
            }
            FileAttribute<?>[] attrs = posix
                    ? new FileAttribute<?>[] {
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
                    }
                    : new FileAttribute<?>[0];
            if (!replace) {
                Files.createFile(abs, attrs);
                Files.write(abs, bytes);
                return target;
            }
            Path tmp = Files.createTempFile(dir == null ? Path.of(".") : dir, ".pgagent", ".yaml.tmp", attrs);
            try {
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (FileAlreadyExistsException e) {
            throw new ConfigurationException(target + " already exists; remove it first, or replace it", e);
        } catch (IOException e) {
            throw new ConfigurationException(
                    target + " cannot be written (" + e.getClass().getSimpleName() + ")", e);
        }
    }
}
