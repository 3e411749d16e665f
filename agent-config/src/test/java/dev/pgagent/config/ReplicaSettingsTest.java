package dev.pgagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A profile's read replica and its maxReplicaLag: defaults, parsing, bounds, and config show. */
class ReplicaSettingsTest {
    @TempDir
    Path dir;

    Fixture fx;

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir).env("PGPASSWORD_SALES", "secret");
    }

    private static String profile(String extra) {
        return """
                databases:
                  - name: sales
                    url: jdbc:postgresql://db:5432/shop
                    user: reader
                    password: ${PGPASSWORD_SALES}
                    readReplicaUrl: jdbc:postgresql://replica:5432/shop
                """ + extra;
    }

    @Test
    void aProfileWithoutMaxReplicaLagAllowsTenSeconds() {
        DatabaseProfile p = fx.load(profile("")).database();
        assertThat(p.readReplicaUrl()).contains("jdbc:postgresql://replica:5432/shop");
        assertThat(p.maxReplicaLag()).isEqualTo(Duration.ofSeconds(10));
        assertThat(fx.load(profile("")).effective().render())
                .containsPattern("databases\\.sales\\.maxReplicaLag +\\= 10s +# default");
    }

    @Test
    void readsMaxReplicaLagAndShowsItWithItsOrigin() {
        AgentConfig c = fx.load(profile("    maxReplicaLag: 2500ms\n"));
        assertThat(c.database().maxReplicaLag()).isEqualTo(Duration.ofMillis(2500));
        String shown = c.effective().render();
        assertThat(shown)
                .containsPattern("databases\\.sales\\.maxReplicaLag +\\= 2500ms +# pgagent\\.yaml:7:")
                .doesNotContain("secret");
    }

    @Test
    void refusesAMaxReplicaLagThatIsNotPositiveOrOverAnHour() {
        List<String> overAnHour = problems(profile("    maxReplicaLag: 2h\n"));
        assertThat(overAnHour).singleElement().asString().contains("maxReplicaLag must be at most 1h but was 2h");
        List<String> zero = problems(profile("    maxReplicaLag: 0s\n"));
        assertThat(zero).singleElement().asString().contains("maxReplicaLag").contains("positive duration");
    }

    private List<String> problems(String yaml) {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> fx.load(yaml));
        return Fixture.problems(e);
    }
}
