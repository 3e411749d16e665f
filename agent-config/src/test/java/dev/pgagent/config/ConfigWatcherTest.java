package dev.pgagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {
    @TempDir
    Path dir;

    @Test
    void reloadsChangesAndKeepsTheOldConfigWhenTheNewOneIsInvalid() throws IOException {
        Fixture fx = new Fixture(dir);
        Path p = fx.write("pgagent.yaml", "agent: {maxSteps: 3}\n");
        ConfigWatcher w = ConfigWatcher.start(fx.loader().file(p).build());
        assertThat(w.current().agent().maxSteps()).isEqualTo(3);
        assertThat(w.check().status()).isEqualTo(ConfigWatcher.Status.UNCHANGED);

        p.toFile().setLastModified(System.currentTimeMillis() + 5_000);
        assertThat(w.check().status()).as("a touch is no change").isEqualTo(ConfigWatcher.Status.UNCHANGED);

        Files.writeString(p, "agent: {maxSteps: 4}\n");
        ConfigWatcher.Reload r = w.check();
        assertThat(r.status()).isEqualTo(ConfigWatcher.Status.RELOADED);
        assertThat(r.config().agent().maxSteps()).isEqualTo(4);
        assertThat(w.current()).isSameAs(r.config());

        Files.writeString(p, "agent: {maxSteps: many}\n");
        ConfigWatcher.Reload bad = w.check();
        assertThat(bad.status()).isEqualTo(ConfigWatcher.Status.INVALID);
        assertThat(bad.error().orElseThrow())
                .hasMessage("pgagent.yaml:1:19: agent.maxSteps must be an integer from 1 to 1000 but was 'many'");
        assertThat(bad.config().agent().maxSteps()).isEqualTo(4);
        assertThat(w.check().status()).as("reported once").isEqualTo(ConfigWatcher.Status.UNCHANGED);

        Files.delete(p);
        assertThat(w.check().status()).isEqualTo(ConfigWatcher.Status.INVALID);
        assertThat(w.current().agent().maxSteps()).isEqualTo(4);
        Files.writeString(p, "agent: {maxSteps: 5}\n");
        assertThat(w.check().config().agent().maxSteps()).isEqualTo(5);
    }
}
