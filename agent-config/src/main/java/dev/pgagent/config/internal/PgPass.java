package dev.pgagent.config.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Looks a password up in the PostgreSQL password file as libpq does: the file is {@code PGPASSFILE}, else
 * {@code ~/.pgpass} ({@code %APPDATA%\postgresql\pgpass.conf} on Windows); each line is
 * {@code hostname:port:database:username:password}; a field that is exactly {@code *} matches anything; {@code \:}
 * and {@code \\} stand for {@code :} and {@code \}; lines starting with {@code #} are comments; the first matching
 * line wins. A file that is not a plain file, or that its group or others may access, is skipped with a warning,
 * as libpq skips it.
 */
public final class PgPass {
    private static final int MAX_BYTES = 1 << 20;

    private PgPass() {}

    /** A password found, and the line it is on (from 1). */
    public record Match(String password, int line) {
        @Override
        public String toString() {
            return "Match[line=" + line + "]";
        }
    }

    /** What a look-up found: maybe a password, and warnings to show. */
    public record Lookup(Optional<Match> match, List<String> warnings) {
        public Lookup {
            warnings = List.copyOf(warnings);
        }
    }

    /** Returns where libpq would look: {@code PGPASSFILE}, else the home directory's file. */
    public static Path location(Map<String, String> env, Path home) {
        String explicit = env.get("PGPASSFILE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit.strip());
        }
        String appData = env.get("APPDATA");
        if (System.getProperty("os.name", "").startsWith("Windows") && appData != null) {
            return Path.of(appData, "postgresql", "pgpass.conf");
        }
        return home.resolve(".pgpass");
    }

    /**
     * Returns the password of the first line matching the connection, if the file exists and may be used.
     *
     * @param host the host name; a Unix-socket directory (starting with {@code /}) matches as {@code localhost}
     */
    public static Lookup find(Path file, String host, String port, String database, String user) {
        if (!Files.exists(file)) {
            return new Lookup(Optional.empty(), List.of());
        }
        if (!Files.isRegularFile(file)) {
            return new Lookup(Optional.empty(), List.of("password file \"" + file + "\" is not a plain file"));
        }
        Optional<String> open = Permissions.accessibleByOthers(file);
        if (open.isPresent()) {
            return new Lookup(
                    Optional.empty(),
                    List.of("password file \"" + file + "\" has group or world access (" + open.get()
                            + "); permissions should be u=rw (0600) or less, so it is skipped"));
        }
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                return new Lookup(
                        Optional.empty(),
                        List.of("password file \"" + file + "\" is larger than 1 MiB, so " + "it is skipped"));
            }
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new Lookup(
                    Optional.empty(),
                    List.of("password file \"" + file + "\" cannot be read ("
                            + e.getClass().getSimpleName() + "), so it is skipped"));
        }
        String h = host.startsWith("/") || host.isEmpty() ? "localhost" : host;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String password = match(line, h, port, database, user);
            if (password != null) {
                return new Lookup(Optional.of(new Match(password, i + 1)), List.of());
            }
        }
        return new Lookup(Optional.empty(), List.of());
    }

    /** Returns the password if {@code line} matches, else null. */
    static @Nullable String match(String line, String host, String port, String database, String user) {
        int[] at = {0};
        for (String wanted : new String[] {host, port, database, user}) {
            if (!field(line, at, wanted)) {
                return null;
            }
        }
        StringBuilder password = new StringBuilder();
        for (int i = at[0]; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                password.append(line.charAt(++i));
            } else if (c == ':') {
                break;
            } else {
                password.append(c);
            }
        }
        return password.length() == 0 ? null : password.toString();
    }

    /** Matches one field at {@code at[0]} against {@code wanted}, moving past its ':'. */
    private static boolean field(String line, int[] at, String wanted) {
        int i = at[0];
        if (line.startsWith("*:", i)) {
            at[0] = i + 2;
            return true;
        }
        StringBuilder value = new StringBuilder();
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                value.append(line.charAt(i + 1));
                i += 2;
            } else if (c == ':') {
                at[0] = i + 1;
                return value.toString().equals(wanted);
            } else {
                value.append(c);
                i++;
            }
        }
        return false;
    }
}
