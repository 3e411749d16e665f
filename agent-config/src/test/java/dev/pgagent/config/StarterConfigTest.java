package dev.pgagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.ConfigurationException;
import dev.pgagent.config.internal.KeyDef;
import dev.pgagent.config.internal.Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StarterConfigTest {
    @TempDir
    Path dir;

    @Test
    void writtenFileLoadsAndValidatesUnchanged() throws IOException {
        Path p = StarterConfig.write(dir.resolve("sub/config.yaml"));
        assertThat(Files.readString(p)).isEqualTo(StarterConfig.text());
        AgentConfig c = new Fixture(dir).loader().file(p).build().load();
        assertThat(c.database().name()).isEqualTo("main");
        assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/postgres");
        assertThat(c.database().user()).isEqualTo("postgres");
        assertThat(c.policy()).isEqualTo(dev.pgagent.api.safety.SafetyPolicy.READ_ONLY);
        assertThat(c.model().model()).isEqualTo(Keys.DEFAULT_MODEL);
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void everyCommentedOutKeyAlsoLoadsWhenUncommented() {
        // uncomment every single key line (not the prose) and check each still loads, one at a time
        List<String> lines = StarterConfig.text().lines().toList();
        Fixture fx = new Fixture(dir).env("OPENAI_API_KEY", "k").env("PGPASSWORD_MAIN", "pw");
        java.util.Set<String> names = new java.util.HashSet<>();
        Keys.top().forEach(d -> names.add(d.name()));
        Keys.PROFILE.forEach(d -> names.add(d.name()));
        int tried = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.matches("\\s*# [a-zA-Z]+:( .*)?") || line.contains("policy:") || line.contains("File:")) {
                continue;
            }
            String key = line.strip().substring(2, line.strip().indexOf(':'));
            if (!names.contains(key)) {
                continue;
            }
            if (List.of(
                            "host",
                            "port",
                            "database",
                            "apiKeyFile",
                            "passwordFile",
                            "passwordEnv",
                            "apiKeyEnv",
                            "tokenEnv")
                    .contains(key)) {
                continue; // they need their companions removed or files made; covered elsewhere
            }
            List<String> copy = new ArrayList<>(lines);
            copy.set(i, line.replaceFirst("# ", ""));
            AgentConfig c = fx.load(String.join("\n", copy) + "\n");
            assertThat(c).as(line).isNotNull();
            tried++;
        }
        assertThat(tried).isGreaterThan(40);
    }

    @Test
    void explainsEveryKey() {
        String text = StarterConfig.text();
        List<KeyDef> all = new ArrayList<>(Keys.top());
        all.addAll(Keys.PROFILE);
        for (KeyDef d : all) {
            assertThat(text).as(d.path()).containsPattern("(?m)^\\s*(# |- )?" + d.name() + ":");
            assertThat(text)
                    .as(d.path())
                    .contains(d.doc().substring(0, Math.min(30, d.doc().length())));
        }
    }

    @Test
    void isWrittenOnlyForItsOwnerAndNeverOverwritten() throws IOException {
        Path p = StarterConfig.write(dir.resolve("config.yaml"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                .isEqualTo("rw-------");
        assertThatThrownBy(() -> StarterConfig.write(p))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(p + " already exists; remove it first, or replace it");
        Files.writeString(p, "junk");
        StarterConfig.write(p, true);
        assertThat(Files.readString(p)).isEqualTo(StarterConfig.text());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                .isEqualTo("rw-------");
    }
}
