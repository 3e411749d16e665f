package dev.pgagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pool.maxSize}: unset by default (the client chooses), from the file or PGAGENT_POOL_MAX_SIZE, checked. */
class PoolKeyTest {
    @TempDir
    Path dir;

    Fixture fx;

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
    }

    @Test
    void unsetByDefault() {
        AgentConfig c = fx.load("databases:\n  - name: a\n    host: db\n");
        assertThat(c.poolMaxSize()).isEqualTo(OptionalInt.empty());
        assertThat(c.effective().get("pool.maxSize").orElseThrow().origin()).hasToString("default");
    }

    @Test
    void fromTheFileThenTheEnvironment() {
        AgentConfig file = fx.load("pool:\n  maxSize: 20\n");
        assertThat(file.poolMaxSize()).hasValue(20);
        assertThat(file.effective().get("pool.maxSize").orElseThrow().origin()).hasToString("pgagent.yaml:2:12");

        fx.env("PGAGENT_POOL_MAX_SIZE", "3");
        AgentConfig env = fx.load("pool:\n  maxSize: 20\n");
        assertThat(env.poolMaxSize()).hasValue(3);
        assertThat(env.effective().get("pool.maxSize").orElseThrow().origin()).hasToString("env PGAGENT_POOL_MAX_SIZE");
    }

    @Test
    void aSizeOutOfRangeIsAProblemWithItsPlace() {
        ConfigException zero = org.junit.jupiter.api.Assertions.assertThrows(
                ConfigException.class, () -> fx.load("pool:\n  maxSize: 0\n"));
        assertThat(Fixture.problems(zero))
                .containsExactly("pgagent.yaml:2:12: pool.maxSize must be an integer from 1 to 1000 but was '0'");
        ConfigException unknown = org.junit.jupiter.api.Assertions.assertThrows(
                ConfigException.class, () -> fx.load("pool:\n  size: 5\n"));
        assertThat(Fixture.problems(unknown))
                .containsExactly("pgagent.yaml:2:3: unknown key 'size' in pool; known keys here: maxSize");
    }
}
