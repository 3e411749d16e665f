package dev.pgagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the file is found, and the policy-source check. */
class DiscoveryTest {
    @TempDir
    Path dir;

    Fixture fx;
    Path home;
    Path work;

    @BeforeEach
    void setUp() throws IOException {
        fx = new Fixture(dir);
        home = Files.createDirectories(dir.resolve("home"));
        work = Files.createDirectories(dir.resolve("work"));
    }

    private ConfigLoader.Builder loader() {
        return ConfigLoader.builder().environment(fx.env).homeDirectory(home).workingDirectory(work);
    }

    @Test
    void searchesInOrder() {
        assertThat(loader().build().locate()).isEmpty();
        Path dotConfig = fx.write("home/.config/pgagent/config.yaml", "agent: {maxSteps: 1}\n");
        assertThat(loader().build().locate()).contains(dotConfig);
        Path xdg = fx.write("xdg/pgagent/config.yaml", "agent: {maxSteps: 2}\n");
        fx.env("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
        assertThat(loader().build().locate()).contains(xdg);
        Path local = fx.write("work/pgagent.yaml", "agent: {maxSteps: 3}\n");
        assertThat(loader().build().locate()).contains(local);
        assertThat(loader().build().load().agent().maxSteps()).isEqualTo(3);
        Path named = fx.write("named.yaml", "agent: {maxSteps: 4}\n");
        fx.env("PGAGENT_CONFIG", named.toString());
        assertThat(loader().build().load().agent().maxSteps()).isEqualTo(4);
        Path explicit = fx.write("explicit.yaml", "agent: {maxSteps: 5}\n");
        assertThat(loader().file(explicit).build().load().agent().maxSteps()).isEqualTo(5);
    }

    @Test
    void localFileIsNamedRelativeToTheWorkingDirectory() {
        fx.write("work/pgagent.yaml", "agent: {maxSteps: 0}\n");
        assertThatThrownBy(() -> loader().build().load())
                .hasMessage("pgagent.yaml:1:19: agent.maxSteps must be an integer from 1 to 1000 but was '0'");
    }

    @Test
    void aMissingNamedFileIsAProblem() {
        fx.env("PGAGENT_CONFIG", dir.resolve("missing.yaml").toString());
        assertThatThrownBy(() -> loader().build().load())
                .isInstanceOf(ConfigException.class)
                .hasMessage("env PGAGENT_CONFIG: the configuration file " + dir.resolve("missing.yaml")
                        + " does not exist");
    }

    @Test
    void aFileOthersMayWriteCannotSetThePolicy() throws IOException {
        Path p = fx.write("shared.yaml", "agent: {maxSteps: 3}\npolicy:\n  level: permissive\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-r--"));
        assertThatThrownBy(() -> loader().file(p).build().load())
                .isInstanceOf(ConfigException.class)
                .hasMessage(p + ":2:1: " + p + " is writable by its group or others (rw-rw-r--), so it cannot set "
                        + "the safety policy or the audit: whoever can change it could loosen them; run chmod go-w "
                        + p);
        assertThat(ConfigLoader.checkPolicySource(p))
                .hasValueSatisfying(m -> assertThat(m).contains("rw-rw-r--"));
        assertThat(loader().file(p)
                        .allowWritablePolicyFile(true)
                        .build()
                        .load()
                        .policy()
                        .level())
                .hasToString("PERMISSIVE");
        Files.writeString(p, "agent: {maxSteps: 3}\n");
        assertThat(loader().file(p).build().load().agent().maxSteps()).isEqualTo(3);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(ConfigLoader.checkPolicySource(p)).isEmpty();
    }

    @Test
    void aProfilePolicyInAWorldWritableFileIsRefusedToo() throws IOException {
        Path p = fx.write("shared.yaml", "databases:\n  - name: a\n    policy: {level: balanced}\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--rw-"));
        assertThatThrownBy(() -> loader().file(p).build().load()).hasMessageStartingWith(p + ":3:5: ");
    }
}
