package dev.pgagent.config.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/** Reads POSIX file permissions; on file systems without them (Windows) every check passes. */
public final class Permissions {
    private Permissions() {}

    /** Returns the file's permissions, or empty where the file system has none or they cannot be read. */
    public static Optional<Set<PosixFilePermission>> of(Path file) {
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.getPosixFilePermissions(file));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Returns the permissions as {@code rw-rw-r--} if {@code file} is writable by its group or others, else empty. */
    public static Optional<String> writableByOthers(Path file) {
        return of(file).filter(p ->
                        p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE))
                .map(PosixFilePermissions::toString);
    }

    /** Returns the permissions if {@code file} grants its group or others anything (as libpq checks), else empty. */
    public static Optional<String> accessibleByOthers(Path file) {
        return of(file).filter(p -> p.stream()
                        .anyMatch(x -> x.name().startsWith("GROUP_") || x.name().startsWith("OTHERS_")))
                .map(PosixFilePermissions::toString);
    }
}
