package dev.pgagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.ConfigurationException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of validation error, with its exact file:line:column and message. */
class ValidationTest {
    @TempDir
    Path dir;

    Fixture fx;

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
    }

    private List<String> problems(String yaml) {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> fx.load(yaml));
        return Fixture.problems(e);
    }

    @Test
    void unknownKeyWithDidYouMean() {
        assertThat(problems("agent:\n  maxStep: 5\n"))
                .containsExactly("pgagent.yaml:2:3: unknown key 'maxStep' in agent; did you mean 'maxSteps'?");
    }

    @Test
    void unknownTopLevelKeyWithDidYouMean() {
        assertThat(problems("databse:\n  - name: a\n"))
                .containsExactly("pgagent.yaml:1:1: unknown key 'databse'; did you mean 'databases'?");
    }

    @Test
    void unknownKeyThatBelongsElsewhere() {
        assertThat(problems("agent:\n  maxRows: 5\n"))
                .containsExactly(
                        "pgagent.yaml:2:3: unknown key 'maxRows' in agent; it belongs in policy (policy.maxRows)");
    }

    @Test
    void unknownKeyInAProfileAndItsPolicy() {
        assertThat(problems("""
                databases:
                  - name: sales
                    usr: reader
                    policy:
                      maxRow: 5
                """))
                .containsExactly(
                        "pgagent.yaml:3:5: unknown key 'usr' in databases.sales; did you mean 'user'?",
                        "pgagent.yaml:5:7: unknown key 'maxRow' in databases.sales.policy; did you mean 'maxRows'?");
    }

    @Test
    void unknownKeyWithoutACloseOneListsTheKnownOnes() {
        assertThat(problems("audit:\n  banana: 1\n"))
                .containsExactly(
                        "pgagent.yaml:2:3: unknown key 'banana' in audit; known keys here: jsonl, chained, postgres, http, slf4j, failurePolicy");
    }

    @Test
    void wrongTypes() {
        assertThat(problems("""
                agent:
                  maxSteps: eight
                  timeout: 30
                  valueGrounding: maybe
                  tokenBudget: [1, 2]
                model:
                  options:
                    temperature: 3
                policy: read-only
                """))
                .containsExactly(
                        "pgagent.yaml:2:13: agent.maxSteps must be an integer from 1 to 1000 but was 'eight'",
                        "pgagent.yaml:3:12: agent.timeout must be a positive duration such as 500ms, 30s, 2m, 1h or PT30S "
                                + "but was '30'",
                        "pgagent.yaml:4:19: agent.valueGrounding must be true or false but was 'maybe'",
                        "pgagent.yaml:5:16: agent.tokenBudget must be an integer >= 1 but was a list",
                        "pgagent.yaml:8:18: model.options.temperature must be a number from 0 to 2 but was '3'",
                        "pgagent.yaml:9:9: policy must be a mapping of keys but was a value");
    }

    @Test
    void wrongListItemsAndChoices() {
        assertThat(problems("""
                policy:
                  level: strict
                  allowGuarded: [truncate, drop-everything]
                  deniedColumns: [ssn]
                """))
                .containsExactly(
                        "pgagent.yaml:2:10: policy.level must be one of read-only, balanced, permissive but was 'strict'",
                        "pgagent.yaml:3:28: policy.allowGuarded must be a list of values, each one of drop-cascade, "
                                + "drop-database, truncate, unfiltered-write, alter-system, role-change, copy-program, "
                                + "file-access but has 'drop-everything'",
                        "pgagent.yaml:4:18: policy.deniedColumns must be table.column or schema.table.column but was ssn");
    }

    @Test
    void missingRequiredValues() {
        fx.env.remove("PGPASSWORD_SALES");
        assertThat(problems("""
                databases:
                  - url: jdbc:postgresql://db/x
                  - name: sales
                    passwordEnv: PGPASSWORD_SALES
                    passwordFile: /nonexistent/secret
                  - name: hr
                    passwordFile: /nonexistent/secret
                """))
                .containsExactly(
                        "pgagent.yaml:2:5: databases[1] has no name; every profile needs one",
                        "pgagent.yaml:5:19: set only one of databases.sales.password, passwordEnv, passwordFile and a "
                                + "password in the url (databases.sales.passwordEnv is set at pgagent.yaml:4:18)",
                        "pgagent.yaml:4:18: databases.sales.passwordEnv names PGPASSWORD_SALES, which is not set",
                        "pgagent.yaml:7:19: databases.hr.passwordFile names /nonexistent/secret, which does not exist");
    }

    @Test
    void impossibleCombinations() {
        assertThat(problems("""
                agent:
                  timeout: 1m
                policy:
                  maxRows: 5000
                  askMaxRows: 2000
                  maxBytes: 32MiB
                  statementTimeout: 3m
                  askMaxTime: 5m
                """))
                .containsExactly(
                        "pgagent.yaml:4:12: policy.maxRows (5000) must be <= policy.askMaxRows (2000)",
                        "pgagent.yaml:6:13: policy.maxBytes (33554432) must be <= policy.askMaxBytes (16777216)",
                        "pgagent.yaml:7:21: policy.statementTimeout (3m) must be <= agent.timeout (1m): a statement "
                                + "cannot run longer than its question");
    }

    @Test
    void statementTimeoutAboveAskMaxTime() {
        assertThat(problems("policy:\n  statementTimeout: 3m\n"))
                .containsExactly(
                        "pgagent.yaml:2:21: policy.statementTimeout (3m) must be <= policy.askMaxTime (2m)",
                        "pgagent.yaml:2:21: policy.statementTimeout (3m) must be <= agent.timeout (2m): a statement "
                                + "cannot run longer than its question");
    }

    @Test
    void impossibleCombinationInOneProfileOnly() {
        assertThat(problems("""
                policy:
                  askMaxRows: 2000
                databases:
                  - name: ok
                  - name: big
                    policy:
                      maxRows: 3000
                """))
                .containsExactly(
                        "pgagent.yaml:7:16: databases.big.policy.maxRows (3000) must be <= policy.askMaxRows (2000)");
    }

    @Test
    void policyBuilderRulesAreReportedAtTheirKey() {
        assertThat(problems("policy:\n  role: \"not an identifier\"\n"))
                .containsExactly(
                        "pgagent.yaml:2:9: policy.role must be a plain PostgreSQL identifier but was not an identifier");
    }

    @Test
    void everyProblemAtOnceInOneTypedException() {
        assertThatThrownBy(() -> fx.load("""
                version: 2
                agent:
                  maxStep: 5
                  timeout: soon
                model:
                  provider: gemini
                default: slaes
                databases:
                  - name: sales
                    port: 99999
                  - name: sales
                """))
                .isInstanceOf(ConfigurationException.class)
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(Fixture.problems(e))
                                .containsExactly(
                                        "pgagent.yaml:1:10: version must be an integer from 1 to 1 but was '2'",
                                        "pgagent.yaml:3:3: unknown key 'maxStep' in agent; did you mean 'maxSteps'?",
                                        "pgagent.yaml:4:12: agent.timeout must be a positive duration such as 500ms, 30s, 2m, 1h or "
                                                + "PT30S but was 'soon'",
                                        "pgagent.yaml:6:13: model.provider must be one of openai, anthropic but was 'gemini'",
                                        "pgagent.yaml:10:11: databases.sales.port must be an integer from 1 to 65535 but was '99999'",
                                        "pgagent.yaml:11:11: duplicate profile name 'sales' (first at line 9)",
                                        "pgagent.yaml:7:10: default names 'slaes', which is not a profile in databases; did you mean "
                                                + "'sales'? (profiles: sales)"))
                .hasMessageStartingWith("7 problems in the configuration:\n  pgagent.yaml:1:10: version");
    }

    @Test
    void urlAndHostTogether() {
        assertThat(problems("""
                databases:
                  - name: a
                    url: jdbc:postgresql://db:5432/a
                    host: db
                """))
                .containsExactly(
                        "pgagent.yaml:4:11: set either databases.a.url or databases.a.host, port and database, not both");
    }

    @Test
    void environmentReferencesAreRefusedInThePolicy() {
        fx.env("LEVEL", "permissive");
        assertThat(problems("policy:\n  level: ${LEVEL}\n"))
                .containsExactly(
                        "pgagent.yaml:2:10: policy.level uses ${...}, which is not allowed here: the safety policy and the "
                                + "audit come only from the file or the host, never from the environment");
    }

    @Test
    void unsetVariablesAreReported() {
        assertThat(problems("model:\n  model: ${MODEL_NAME}\n"))
                .containsExactly("pgagent.yaml:2:10: model.model refers to ${MODEL_NAME}, which is not set");
    }

    @Test
    void aFileThatIsNotAMapping() {
        assertThat(problems("- a\n- b\n"))
                .containsExactly(
                        "pgagent.yaml:1:1: the file must be a mapping of sections (model, agent, policy, databases, audit, "
                                + "logging, pool) but was a list");
    }

    @Test
    void syntaxErrorsStopWithTheirPosition() {
        assertThat(problems("agent:\n  maxSteps: 8\n   timeout: 3\n"))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("pgagent.yaml:3:").contains("YAML syntax error"));
    }

    @Test
    void badEnvironmentAndOverrideValuesNameTheirSource() {
        fx.env("PGAGENT_MAX_STEPS", "lots");
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                ConfigException.class,
                () -> fx.loader("agent: {}\n")
                        .override("agent.timeout", "forever", "flag --timeout")
                        .build()
                        .load());
        assertThat(Fixture.problems(e))
                .containsExactly(
                        "env PGAGENT_MAX_STEPS: agent.maxSteps must be an integer from 1 to 1000 but was 'lots'",
                        "flag --timeout: agent.timeout must be a positive duration such as 500ms, 30s, 2m, 1h or PT30S but "
                                + "was 'forever'");
    }

    @Test
    void unknownOverrideKeysAreMisuse() {
        assertThatThrownBy(() -> ConfigLoader.builder().override("agent.maxStep", "3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key must be a configuration key such as agent.maxSteps but was agent.maxStep; did you "
                        + "mean agent.maxSteps?");
    }

    @Test
    void aMissingExplicitFileIsAProblem() {
        assertThatThrownBy(
                        () -> fx.loader().file(dir.resolve("nope.yaml")).build().load())
                .isInstanceOf(ConfigException.class)
                .hasMessage("the configuration file given: the configuration file " + dir.resolve("nope.yaml")
                        + " does not exist");
    }
}
