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

/** Every secret source, the refusal of clear text, and masking. */
class SecretsTest {
    private static final String SECRET = "s3cr3t-Value";

    @TempDir
    Path dir;

    Fixture fx;

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
    }

    private static String profile(String extra) {
        return "databases:\n  - name: sales\n    host: db.example\n    database: sales\n    user: reader\n" + extra;
    }

    @Test
    void passwordFromInterpolatedEnvironmentVariable() {
        fx.env("PGPASSWORD_SALES", SECRET);
        AgentConfig c = fx.load(profile("    password: ${PGPASSWORD_SALES}\n"));
        Secret pw = c.database().password().orElseThrow();
        assertThat(pw.reveal()).isEqualTo(SECRET);
        assertThat(pw.source()).isEqualTo("env PGPASSWORD_SALES");
        assertThat(pw).hasToString("****** (env PGPASSWORD_SALES)");
    }

    @Test
    void interpolationWorksInAnyStringValue() {
        fx.env("DB_HOST", "db.internal").env("DB_NAME", "shop");
        AgentConfig c = fx.load("""
                databases:
                  - name: a
                    url: jdbc:postgresql://${DB_HOST}:6432/${DB_NAME}?sslmode=${SSL:-require}
                    description: "Costs in $$ of ${DB_NAME}"
                """);
        assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/shop?sslmode=require");
        assertThat(c.database().host()).isEqualTo("db.internal");
        assertThat(c.database().port()).isEqualTo(6432);
        assertThat(c.database().description()).contains("Costs in $ of shop");
    }

    @Test
    void passwordFromPasswordEnv() {
        fx.env("PGPASSWORD_SALES", SECRET);
        Secret pw = fx.load(profile("    passwordEnv: PGPASSWORD_SALES\n"))
                .database()
                .password()
                .orElseThrow();
        assertThat(pw.reveal()).isEqualTo(SECRET);
        assertThat(pw.source()).isEqualTo("env PGPASSWORD_SALES");
    }

    @Test
    void passwordFromFileWithTrailingNewlineStripped() throws IOException {
        Path secret = dir.resolve("secrets/db");
        Files.createDirectories(secret.getParent());
        Files.writeString(secret, SECRET + "\n");
        AgentConfig c = fx.load(profile("    passwordFile: secrets/db\n"));
        Secret pw = c.database().password().orElseThrow();
        assertThat(pw.reveal()).isEqualTo(SECRET);
        assertThat(pw.source()).isEqualTo("file " + secret);
        Files.writeString(secret, SECRET + "\r\n\n");
        assertThat(fx.load(profile("    passwordFile: " + secret + "\n"))
                        .database()
                        .password()
                        .orElseThrow()
                        .reveal())
                .isEqualTo(SECRET + "\r\n");
    }

    @Test
    void anEmptyPasswordFileIsAProblem() throws IOException {
        Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> fx.load(profile("    passwordFile: empty\n")))
                .hasMessage("pgagent.yaml:6:19: databases.sales.passwordFile names " + dir.resolve("empty")
                        + ", which is empty");
    }

    @Test
    void pgpassExactLineWins() throws IOException {
        pgpass("""
                # comment
                other:5432:sales:reader:wrong
                db.example:5432:sales:reader:%s
                *:*:*:*:fallback
                """.formatted(SECRET));
        Secret pw = fx.load(profile("")).database().password().orElseThrow();
        assertThat(pw.reveal()).isEqualTo(SECRET);
        assertThat(pw.source()).isEqualTo(dir.resolve(".pgpass") + " line 3");
    }

    @Test
    void pgpassWildcardsAndEscapes() throws IOException {
        pgpass("db.example:*:*:reader:pa\\:ss\\\\word\n");
        assertThat(fx.load(profile("")).database().password().orElseThrow().reveal())
                .isEqualTo("pa:ss\\word");
        pgpass("db\\:x:5432:sales:reader:nope\n*:5432:*:*:any\n");
        assertThat(fx.load(profile("")).database().password().orElseThrow().reveal())
                .isEqualTo("any");
    }

    @Test
    void pgpassMatchesTheUrlsHostPortDatabaseAndUser() throws IOException {
        pgpass("db.example:6543:shop:owner:" + SECRET + "\n");
        AgentConfig c = fx.load("databases:\n  - name: a\n    url: postgresql://owner@db.example:6543/shop\n");
        assertThat(c.database().user()).isEqualTo("owner");
        assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/shop");
        assertThat(c.database().password().orElseThrow().reveal()).isEqualTo(SECRET);
    }

    @Test
    void pgpassHonoursPgpassfile() throws IOException {
        Path other = dir.resolve("elsewhere/pgpass");
        Files.createDirectories(other.getParent());
        Files.writeString(other, "*:*:*:*:" + SECRET + "\n");
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-------"));
        fx.env("PGPASSFILE", other.toString());
        Secret pw = fx.load(profile("")).database().password().orElseThrow();
        assertThat(pw.source()).isEqualTo(other + " line 1");
    }

    @Test
    void pgpassReadableByOthersIsSkippedWithAWarning() throws IOException {
        pgpass("*:*:*:*:" + SECRET + "\n");
        Files.setPosixFilePermissions(dir.resolve(".pgpass"), PosixFilePermissions.fromString("rw-r--r--"));
        AgentConfig c = fx.load(profile(""));
        assertThat(c.database().password()).isEmpty();
        assertThat(c.warnings())
                .containsExactly("password file \"" + dir.resolve(".pgpass") + "\" has group or "
                        + "world access (rw-r--r--); permissions should be u=rw (0600) or less, so it is skipped");
    }

    @Test
    void pgpassCanBeTurnedOffAndPgpasswordComesFirst() throws IOException {
        pgpass("*:*:*:*:from-file\n");
        assertThat(fx.load(profile("    pgpass: false\n")).database().password())
                .isEmpty();
        fx.env("PGPASSWORD", "from-env");
        assertThat(fx.load(profile("")).database().password().orElseThrow().source())
                .isEqualTo("env PGPASSWORD");
    }

    private void pgpass(String text) throws IOException {
        Path p = dir.resolve(".pgpass");
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void clearTextPasswordIsRefusedWithHowToMoveIt() {
        assertThatThrownBy(() -> fx.load(profile("    password: " + SECRET + "\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("pgagent.yaml:6:15: databases.sales.password is written in clear text, which is refused: "
                        + "keep the password out of the file with passwordEnv: PGPASSWORD_SALES (or password: "
                        + "${PGPASSWORD_SALES}) and export it, with passwordFile: /path/to/secret, or in ~/.pgpass")
                .message()
                .doesNotContain(SECRET);
    }

    @Test
    void clearTextApiKeyIsRefused() {
        assertThatThrownBy(() -> fx.load("model:\n  apiKey: sk-" + SECRET + "\n"))
                .hasMessage("pgagent.yaml:2:11: model.apiKey is written in clear text, which is refused: keep the "
                        + "key out of the file with apiKeyEnv: OPENAI_API_KEY (or apiKey: ${OPENAI_API_KEY}) and "
                        + "export it, or with apiKeyFile: /path/to/key")
                .message()
                .doesNotContain(SECRET);
    }

    @Test
    void clearTextPasswordInAUrlIsRefused() {
        assertThatThrownBy(() -> fx.load("databases:\n  - name: a\n    url: postgresql://u:" + SECRET + "@h/db\n"))
                .hasMessage("pgagent.yaml:3:10: databases.a.url holds a password in clear text, which is refused: "
                        + "take it out of the URL and use passwordEnv, passwordFile or ~/.pgpass (or write it as "
                        + "${VARIABLE})");
        assertThatThrownBy(() -> fx.load("databases:\n  - name: a\n    url: jdbc:postgresql://h/db?password=x\n"))
                .hasMessageContaining("databases.a.url holds a password in clear text");
    }

    @Test
    void interpolatedPasswordInAUrlIsTakenOutOfTheUrl() {
        fx.env("PW", SECRET);
        AgentConfig c = fx.load("databases:\n  - name: a\n    url: postgresql://u:${PW}@h:5433/db?sslmode=require\n");
        assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:postgresql://h:5433/db?sslmode=require");
        assertThat(c.database().user()).isEqualTo("u");
        assertThat(c.database().password().orElseThrow().reveal()).isEqualTo(SECRET);
        assertThat(c.effective().render()).doesNotContain(SECRET);
    }

    @Test
    void theHostMayAllowClearTextWithAWarning() {
        AgentConfig c = fx.loader(profile("    password: " + SECRET + "\n"))
                .allowPlaintextSecrets(true)
                .build()
                .load();
        assertThat(c.database().password().orElseThrow().reveal()).isEqualTo(SECRET);
        assertThat(c.warnings())
                .containsExactly("pgagent.yaml:6:15: databases.sales.password is written in clear " + "text");
    }

    @Test
    void secretsNeverShowInToStringEffectiveConfigOrMessages() {
        fx.env("PGPASSWORD_SALES", SECRET).env("OPENAI_API_KEY", "sk-" + SECRET);
        AgentConfig c = fx.load(profile("    passwordEnv: PGPASSWORD_SALES\n"));
        assertThat(c.toString()).doesNotContain(SECRET);
        assertThat(c.database().toString()).doesNotContain(SECRET).contains("****** (env PGPASSWORD_SALES)");
        assertThat(c.model().toString()).doesNotContain(SECRET);
        assertThat(c.effective().render()).doesNotContain(SECRET);
        assertThat(c.effective().get("databases.sales.password").orElseThrow().value())
                .isEqualTo("****** (env PGPASSWORD_SALES)");
        assertThat(c.effective().get("model.apiKey").orElseThrow().value()).isEqualTo("****** (env OPENAI_API_KEY)");
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                ConfigException.class,
                () -> fx.load(profile("    passwordEnv: PGPASSWORD_SALES\n    port: " + SECRET + "\n")));
        assertThat(e.getMessage()).contains("port must be");
        fx.env("BAD", SECRET);
        ConfigException e2 = org.junit.jupiter.api.Assertions.assertThrows(
                ConfigException.class, () -> fx.load("model:\n  apiKey: ${BAD}x\n"));
        assertThat(e2.getMessage()).doesNotContain(SECRET);
    }

    @Test
    void apiKeySources() throws IOException {
        fx.env("MY_KEY", SECRET);
        assertThat(fx.load("model:\n  apiKeyEnv: MY_KEY\n")
                        .model()
                        .apiKey()
                        .orElseThrow()
                        .source())
                .isEqualTo("env MY_KEY");
        assertThat(fx.load("model:\n  apiKey: ${MY_KEY}\n")
                        .model()
                        .apiKey()
                        .orElseThrow()
                        .reveal())
                .isEqualTo(SECRET);
        Files.writeString(dir.resolve("key"), SECRET + "\n");
        assertThat(fx.load("model:\n  apiKeyFile: key\n")
                        .model()
                        .apiKey()
                        .orElseThrow()
                        .reveal())
                .isEqualTo(SECRET);
        assertThatThrownBy(() -> fx.load("model:\n  apiKeyEnv: MY_KEY\n  apiKeyFile: key\n"))
                .hasMessage("pgagent.yaml:3:15: set only one of model.apiKey, model.apiKeyEnv and model.apiKeyFile "
                        + "(model.apiKeyEnv is set at pgagent.yaml:2:14)");
    }

    @Test
    void openAiKeyIsNotSentToAnotherServerTheFileNames() {
        fx.env("OPENAI_API_KEY", SECRET);
        assertThat(fx.load("model: {}\n").model().apiKey().orElseThrow().source())
                .isEqualTo("env OPENAI_API_KEY");
        AgentConfig other = fx.load("model:\n  baseUrl: http://localhost:11434/v1\n");
        assertThat(other.model().apiKey()).isEmpty();
        assertThat(other.warnings())
                .containsExactly("OPENAI_API_KEY is not sent to http://localhost:11434/v1 (set "
                        + "at pgagent.yaml:2:12); to send it there, set model.apiKeyEnv: OPENAI_API_KEY");
        fx.env("OPENAI_BASE_URL", "http://localhost:8000/v1");
        assertThat(fx.load("model: {}\n").model().apiKey()).isPresent();
    }

    @Test
    void secretOverridesComeFromTheHost() {
        AgentConfig c = fx.loader(profile(""))
                .override("database.password", SECRET, "flag --password")
                .build()
                .load();
        assertThat(c.database().password().orElseThrow()).hasToString("****** (flag --password)");
        assertThat(c.effective().get("databases.sales.password").orElseThrow().origin())
                .isEqualTo(Origin.override("flag --password"));
    }
}
