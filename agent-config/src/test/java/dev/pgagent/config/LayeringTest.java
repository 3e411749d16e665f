package dev.pgagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.safety.PolicyLevel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** defaults < file < environment < overrides, with the origin of each value. */
class LayeringTest {
    @TempDir
    Path dir;

    Fixture fx;

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
    }

    private static final String FILE = """
            model:
              model: file-model
            agent:
              maxSteps: 4
              timeout: 90s
            policy:
              level: balanced
            databases:
              - name: sales
                host: sales-db
              - name: hr
                host: hr-db
            """;

    @Test
    void eachLayerWinsOverTheOneBelowAndSaysSo() {
        fx.env("PGAGENT_MODEL", "env-model").env("PGAGENT_MAX_STEPS", "6");
        AgentConfig c = fx.loader(FILE)
                .override("agent.maxSteps", "7", "flag --max-steps")
                .build()
                .load();
        assertThat(c.agent().maxSteps()).isEqualTo(7);
        assertThat(c.model().model()).isEqualTo("env-model");
        assertThat(c.agent().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.agent().tokenBudget()).isEqualTo(200_000);
        EffectiveConfig e = c.effective();
        assertThat(e.get("agent.maxSteps").orElseThrow().origin()).hasToString("flag --max-steps");
        assertThat(e.get("model.model").orElseThrow().origin()).hasToString("env PGAGENT_MODEL");
        assertThat(e.get("agent.timeout").orElseThrow()).satisfies(x -> {
            assertThat(x.value()).isEqualTo("90s");
            assertThat(x.origin()).hasToString("pgagent.yaml:5:12");
        });
        assertThat(e.get("agent.tokenBudget").orElseThrow().origin()).hasToString("default");
        assertThat(e.render()).contains("agent.maxSteps ").contains("= 7").contains("# flag --max-steps");
    }

    @Test
    void anthropicTakesItsOwnKeyBaseUrlAndDefaultModelFromTheEnvironment() {
        fx.env("ANTHROPIC_API_KEY", "sk-ant-from-env")
                .env("OPENAI_API_KEY", "sk-openai-from-env")
                .env("OPENAI_BASE_URL", "http://localhost:11434/v1")
                .env("ANTHROPIC_BASE_URL", "http://anthropic-proxy:8080");
        AgentConfig c = fx.loader("model:\n  provider: anthropic\n").build().load();
        assertThat(c.model().provider()).isEqualTo("anthropic");
        assertThat(c.model().model()).isEqualTo("claude-sonnet-4-5");
        assertThat(c.model().baseUrl()).contains("http://anthropic-proxy:8080");
        assertThat(c.model().apiKey().orElseThrow().reveal()).isEqualTo("sk-ant-from-env");
        assertThat(c.effective().get("model.apiKey").orElseThrow().origin()).hasToString("env ANTHROPIC_API_KEY");
        assertThat(c.effective().get("model.baseUrl").orElseThrow().origin()).hasToString("env ANTHROPIC_BASE_URL");
        assertThat(c.effective().render()).doesNotContain("sk-ant-from-env").doesNotContain("sk-openai-from-env");
    }

    @Test
    void anthropicKeyIsNotSentToAServerTheFileNames() {
        fx.env("ANTHROPIC_API_KEY", "sk-ant-from-env");
        AgentConfig c = fx.loader(
                        "model:\n  provider: anthropic\n  baseUrl: http://elsewhere:9000\n" + "  model: claude-x\n")
                .build()
                .load();
        assertThat(c.model().apiKey()).isEmpty();
        assertThat(c.model().model()).isEqualTo("claude-x");
        assertThat(c.warnings()).anyMatch(w -> w.contains("ANTHROPIC_API_KEY is not sent to http://elsewhere:9000"));
    }

    @Test
    void overridesComeAsAMapToo() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("model.model", "gpt-4o");
        flags.put("policy.level", "read-only");
        AgentConfig c = fx.loader(FILE).overrides(flags).build().load();
        assertThat(c.model().model()).isEqualTo("gpt-4o");
        assertThat(c.policy().level()).isEqualTo(PolicyLevel.READ_ONLY);
        assertThat(c.databases()).allSatisfy(d -> assertThat(d.policy().level()).isEqualTo(PolicyLevel.READ_ONLY));
        assertThat(c.effective().get("policy.level").orElseThrow().origin()).hasToString("override policy.level");
    }

    @Test
    void profileSelectionOrder() {
        assertThat(fx.load(FILE).database().name()).isEqualTo("sales");
        assertThat(fx.load("default: hr\n" + FILE).database().name()).isEqualTo("hr");
        fx.env("PGAGENT_PROFILE", "sales");
        AgentConfig env = fx.load("default: hr\n" + FILE);
        assertThat(env.database().name()).isEqualTo("sales");
        assertThat(env.effective().get("profile").orElseThrow().origin()).hasToString("env PGAGENT_PROFILE");
        AgentConfig flag =
                fx.loader("default: hr\n" + FILE).profile("hr").build().load();
        assertThat(flag.database().name()).isEqualTo("hr");
        assertThat(flag.database("sales")).isPresent();
        assertThat(flag.database("nope")).isEmpty();
    }

    @Test
    void anUnknownProfileIsAProblemWithAHint() {
        assertThatThrownBy(() -> fx.loader(FILE)
                        .override("profile", "sale", "flag --profile")
                        .build()
                        .load())
                .isInstanceOf(ConfigException.class)
                .hasMessage("flag --profile: profile names 'sale', which is not a profile in databases; did you mean "
                        + "'sales'? (profiles: sales, hr)");
    }

    @Test
    void databaseOverridesApplyToTheSelectedProfileOnly() {
        AgentConfig c = fx.loader(FILE)
                .profile("hr")
                .override("database.url", "jdbc:postgresql://elsewhere:5433/hr2", "flag --url")
                .override("database.user", "boss", "flag --user")
                .override("database.policy.maxRows", "10", "flag --max-rows")
                .build()
                .load();
        DatabaseProfile hr = c.database();
        assertThat(hr.jdbcUrl()).isEqualTo("jdbc:postgresql://elsewhere:5433/hr2");
        assertThat(hr.user()).isEqualTo("boss");
        assertThat(hr.policy().maxRows()).isEqualTo(10);
        assertThat(hr.policy().level()).isEqualTo(PolicyLevel.BALANCED);
        DatabaseProfile sales = c.database("sales").orElseThrow();
        assertThat(sales.jdbcUrl()).isEqualTo("jdbc:postgresql://sales-db:5432/tester");
        assertThat(sales.policy().maxRows()).isEqualTo(1000);
        assertThat(c.effective().get("databases.hr.url").orElseThrow().origin()).hasToString("flag --url");
        assertThat(c.effective()
                        .get("databases.hr.policy.maxRows")
                        .orElseThrow()
                        .origin())
                .hasToString("flag --max-rows");
    }

    @Test
    void libpqVariablesFillInWhatAProfileLeavesOut() {
        fx.env("PGHOST", "envhost")
                .env("PGPORT", "6000")
                .env("PGDATABASE", "envdb")
                .env("PGSSLMODE", "require");
        AgentConfig c = fx.load("""
                databases:
                  - name: a
                    host: filehost
                  - name: b
                """);
        assertThat(c.database("a").orElseThrow().jdbcUrl())
                .isEqualTo("jdbc:postgresql://filehost:6000/envdb?sslmode=require");
        assertThat(c.database("b").orElseThrow().jdbcUrl())
                .isEqualTo("jdbc:postgresql://envhost:6000/envdb?sslmode=require");
        assertThat(c.effective().get("databases.b.host").orElseThrow().origin()).hasToString("env PGHOST");
        assertThat(c.effective().get("databases.a.host").orElseThrow().origin()).hasToString("pgagent.yaml:3:11");
    }

    @Test
    void withoutAFileTheDefaultProfileComesFromTheEnvironment() {
        fx.env("DATABASE_URL", "postgresql://app@dbhost:5433/appdb").env("XDG_CONFIG_HOME", dir.toString());
        AgentConfig c = fx.loader().build().load();
        assertThat(c.file()).isEmpty();
        assertThat(c.databases()).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("default");
            assertThat(d.jdbcUrl()).isEqualTo("jdbc:postgresql://dbhost:5433/appdb");
            assertThat(d.user()).isEqualTo("app");
        });
        assertThat(c.effective().get("databases.default.url").orElseThrow().origin())
                .hasToString("env DATABASE_URL");
        AgentConfig flag = fx.loader()
                .override("database.url", "jdbc:postgresql://x/y", "flag --url")
                .build()
                .load();
        assertThat(flag.database().jdbcUrl()).isEqualTo("jdbc:postgresql://x/y");
        assertThat(fx.loader().build().load().policy()).isEqualTo(dev.pgagent.api.safety.SafetyPolicy.READ_ONLY);
    }

    @Test
    void theEnvironmentCannotSetThePolicy() {
        fx.env("PGAGENT_POLICY", "permissive").env("PGAGENT_LEVEL", "permissive");
        assertThat(fx.load(FILE).policy().level()).isEqualTo(PolicyLevel.BALANCED);
        assertThat(dev.pgagent.config.internal.Keys.top())
                .filteredOn(d -> d.path().startsWith("policy.") || d.path().startsWith("audit."))
                .allSatisfy(d -> assertThat(d.env()).isNull());
    }

    @Test
    void sectionsMapOntoTheirValues() {
        AgentConfig c = fx.load("""
                model:
                  provider: openai
                  baseUrl: http://localhost:11434/v1
                  model: llama3.1
                  organization: org-1
                  useMaxCompletionTokens: true
                  options: {temperature: 0.2, topP: 0.9, maxTokens: 512, seed: 7, parallelToolCalls: false,
                            toolChoice: required, stop: [END]}
                  timeouts: {connect: 1s, read: 0, call: 1m30s}
                  retries: {maxAttempts: 1, initialBackoff: 100ms, backoffMultiplier: 1.5, maxBackoff: PT2S}
                agent:
                  maxToolCallsPerStep: 3
                  tokenBudget: 1_000
                  historyTokenBudget: 0
                  schemaContextTokens: 500
                  valueGrounding: false
                  instructions: Be brief.
                audit:
                  jsonl: logs/audit.jsonl
                  slf4j: true
                  failurePolicy: fail-closed
                logging:
                  level: debug
                  file: ~/pgagent.log
                """);
        ModelConfig m = c.model();
        assertThat(m.baseUrl()).contains("http://localhost:11434/v1");
        assertThat(m.model()).isEqualTo("llama3.1");
        assertThat(m.organization()).contains("org-1");
        assertThat(m.useMaxCompletionTokens()).isTrue();
        assertThat(m.options().temperature()).contains(0.2);
        assertThat(m.options().toolChoice()).contains(dev.pgagent.api.llm.ToolChoice.REQUIRED);
        assertThat(m.options().stop()).containsExactly("END");
        assertThat(m.options().seed()).contains(7L);
        assertThat(m.readTimeout()).isZero();
        assertThat(m.callTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(m.maxAttempts()).isEqualTo(1);
        assertThat(m.backoffMultiplier()).isEqualTo(1.5);
        assertThat(m.maxBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.agent().tokenBudget()).isEqualTo(1000);
        assertThat(c.agent().valueGrounding()).isFalse();
        assertThat(c.agent().instructions()).contains("Be brief.");
        assertThat(c.audit().jsonl()).contains(dir.resolve("logs/audit.jsonl"));
        assertThat(c.audit().failurePolicy()).isEqualTo(AuditConfig.FailurePolicy.FAIL_CLOSED);
        assertThat(c.logging().level()).isEqualTo(LoggingConfig.Level.DEBUG);
        assertThat(c.logging().file()).contains(dir.resolve("pgagent.log"));
    }
}
