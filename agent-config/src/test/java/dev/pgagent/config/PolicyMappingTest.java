package dev.pgagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.GuardedOperation;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.RedactionMode;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.UnparseableSqlMode;
import dev.pgagent.config.internal.KeyDef;
import dev.pgagent.config.internal.Keys;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy section maps onto SafetyPolicy.builder(), every setter of it. */
class PolicyMappingTest {
    @TempDir
    Path dir;

    @Test
    void everyBuilderSetterHasAKey() {
        var setters = Arrays.stream(SafetyPolicy.Builder.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.getName().equals("build"))
                .map(Method::getName)
                .map(n -> n.equals("allowGuarded") ? "allowGuarded" : n)
                .distinct()
                .toList();
        assertThat(Keys.POLICY).extracting(KeyDef::path).containsExactlyInAnyOrderElementsOf(setters);
    }

    @Test
    void aFullPolicyBuildsTheSameAsTheBuilder() {
        AgentConfig c = new Fixture(dir).load("""
                policy:
                  level: permissive
                  allowGuarded: [truncate, drop-cascade]
                  deniedFunctions: [dblink]
                  allowedFunctions: pg_sleep, pg_stat_statements_reset
                  allowedSchemas: [public, sales]
                  allowedTables: [orders, sales.customers]
                  deniedTables: [audit_log]
                  deniedColumns: [customers.ssn]
                  secondPartyTables: [payments]
                  estimateOnlyDryRuns: [events]
                  maxWriteRows: 50
                  statementTimeout: 10s
                  lockTimeout: 1s
                  maxRows: 200
                  maxBytes: 512KiB
                  askMaxRows: 1000
                  askMaxBytes: 4MiB
                  askMaxTime: 1m
                  unparseableSql: guarded-read
                  role: pgagent_reader
                  redaction: drop-column
                  piiColumnHints: [tax_id]
                  confirmationTimeout: 30s
                """);
        SafetyPolicy expected = SafetyPolicy.builder()
                .level(PolicyLevel.PERMISSIVE)
                .allowGuarded(GuardedOperation.TRUNCATE, GuardedOperation.DROP_CASCADE)
                .deniedFunctions("dblink")
                .allowedFunctions("pg_sleep", "pg_stat_statements_reset")
                .allowedSchemas("public", "sales")
                .allowedTables("orders", "sales.customers")
                .deniedTables("audit_log")
                .deniedColumns("customers.ssn")
                .secondPartyTables("payments")
                .estimateOnlyDryRuns("events")
                .maxWriteRows(50)
                .statementTimeout(Duration.ofSeconds(10))
                .lockTimeout(Duration.ofSeconds(1))
                .maxRows(200)
                .maxBytes(512 * 1024)
                .askMaxRows(1000)
                .askMaxBytes(4 << 20)
                .askMaxTime(Duration.ofMinutes(1))
                .unparseableSql(UnparseableSqlMode.GUARDED_READ)
                .role("pgagent_reader")
                .redaction(RedactionMode.DROP_COLUMN)
                .piiColumnHints("tax_id")
                .confirmationTimeout(Duration.ofSeconds(30))
                .build();
        assertThat(c.policy()).isEqualTo(expected);
        assertThat(c.database().policy()).isEqualTo(expected);
    }

    @Test
    void profilesOverrideKeysOfTheTopLevelPolicy() {
        AgentConfig c = new Fixture(dir).load("""
                policy: &shared
                  level: balanced
                  deniedColumns: [customers.ssn]
                databases:
                  - name: sales
                  - name: hr
                    policy:
                      level: read-only
                      deniedColumns: [employees.salary]
                  - name: ops
                    policy:
                      <<: *shared
                      maxRows: 10
                """);
        assertThat(c.database("sales").orElseThrow().policy()).isEqualTo(c.policy());
        SafetyPolicy hr = c.database("hr").orElseThrow().policy();
        assertThat(hr.level()).isEqualTo(PolicyLevel.READ_ONLY);
        assertThat(hr.deniedColumns()).containsExactly("employees.salary");
        SafetyPolicy ops = c.database("ops").orElseThrow().policy();
        assertThat(ops.level()).isEqualTo(PolicyLevel.BALANCED);
        assertThat(ops.deniedColumns()).containsExactly("customers.ssn");
        assertThat(ops.maxRows()).isEqualTo(10);
        assertThat(c.effective().get("databases.hr.policy.level").orElseThrow().origin())
                .hasToString("pgagent.yaml:8:14");
        assertThat(c.effective().get("databases.sales.policy.level")).isEmpty();
    }
}
