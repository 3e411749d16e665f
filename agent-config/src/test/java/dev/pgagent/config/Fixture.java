package dev.pgagent.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Writes configuration files into a folder that also serves as home and working directory. */
final class Fixture {
    final Path dir;
    final Map<String, String> env = new HashMap<>();

    Fixture(Path dir) {
        this.dir = dir;
        env.put("PGUSER", "tester");
    }

    Fixture env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Path write(String name, String text) {
        Path p = dir.resolve(name);
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    ConfigLoader.Builder loader(String yaml) {
        return loader().file(write("pgagent.yaml", yaml));
    }

    ConfigLoader.Builder loader() {
        return ConfigLoader.builder().environment(env).workingDirectory(dir).homeDirectory(dir);
    }

    AgentConfig load(String yaml) {
        return loader(yaml).build().load();
    }

    /** Returns the problems' renderings, {@code file:line:column: message}. */
    static List<String> problems(ConfigException e) {
        return e.problems().stream().map(ConfigException.Problem::toString).toList();
    }
}
