package dev.pgagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.config.internal.KeyDef;
import dev.pgagent.config.internal.Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's key table lists every key, and its example file loads. */
class ReadmeTest {
    private static final Path README = Path.of("..", "README.md");

    @TempDir
    Path dir;

    @Test
    void tableListsEveryKeyWithItsDefault() throws IOException {
        String text = Files.readString(README);
        for (KeyDef d : Keys.top()) {
            assertThat(text).as(d.path()).contains("| `" + d.path() + "` |");
        }
        for (KeyDef d : Keys.PROFILE) {
            assertThat(text).as(d.path()).contains("| `databases[]." + d.path() + "` |");
        }
    }

    @Test
    void exampleFileLoads() throws IOException {
        Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
        assertThat(m.find()).isTrue();
        Fixture fx = new Fixture(dir).env("PGPASSWORD_SALES", "x").env("OPENAI_API_KEY", "k");
        Files.writeString(dir.resolve("hr-db-password"), "y\n");
        String yaml = m.group(1)
                .replace(
                        "/run/secrets/hr-db-password",
                        dir.resolve("hr-db-password").toString());
        AgentConfig c = fx.load(yaml);
        assertThat(c.databases()).extracting(DatabaseProfile::name).containsExactly("sales", "hr");
        assertThat(c.database("hr").orElseThrow().policy().deniedColumns())
                .containsExactly("employees.iban", "employees.salary");
    }
}
