package dev.pgagent.api.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.ConfigurationException;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SafetyPolicyTest {

    @Test
    void defaultsAreReadOnlyAndDocumented() {
        SafetyPolicy p = SafetyPolicy.readOnly();
        assertThat(p.level()).isEqualTo(PolicyLevel.READ_ONLY);
        assertThat(p.statementTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.lockTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.maxRows()).isEqualTo(1000);
        assertThat(p.maxBytes()).isEqualTo(1L << 20);
        assertThat(p.unparseableSql()).isEqualTo(UnparseableSqlMode.REFUSE);
        assertThat(p.redaction()).isEqualTo(RedactionMode.MASK);
        assertThat(p.allowedGuarded()).isEmpty();
        assertThat(p.role()).isEmpty();
    }

    @Test
    void roundTripsThroughProperties() {
        SafetyPolicy p = SafetyPolicy.builder()
                .level(PolicyLevel.BALANCED)
                .allowGuarded(GuardedOperation.TRUNCATE)
                .deniedFunctions("my_side_effect")
                .allowedFunctions("pg_sleep")
                .allowedSchemas("sales")
                .deniedTables("Secrets")
                .deniedColumns("customers.ssn", "hr.staff.salary")
                .secondPartyTables("payments")
                .maxWriteRows(50)
                .statementTimeout(Duration.ofSeconds(3))
                .askMaxTime(Duration.ofSeconds(20))
                .role("agent_reader")
                .redaction(RedactionMode.HASH)
                .piiColumnHints("nickname")
                .build();

        SafetyPolicy back = SafetyPolicy.fromProperties(p.toProperties());

        assertThat(back).isEqualTo(p);
        assertThat(back.deniedTables()).containsExactly("secrets");
        assertThat(back.toBuilder().build()).isEqualTo(p);
    }

    @Test
    void readsHandWrittenProperties() {
        Properties props = new Properties();
        props.setProperty("pgagent.policy.level", "permissive");
        props.setProperty("pgagent.policy.statement-timeout", "2500");
        props.setProperty("pgagent.policy.denied-columns", "customers.email , customers.phone");
        props.setProperty("unrelated.key", "ignored");

        SafetyPolicy p = SafetyPolicy.fromProperties(props);

        assertThat(p.level()).isEqualTo(PolicyLevel.PERMISSIVE);
        assertThat(p.statementTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(p.deniedColumns()).containsExactly("customers.email", "customers.phone");
    }

    @Test
    void rejectsUnknownKeysAndBadValuesNamingTheKey() {
        Properties unknown = new Properties();
        unknown.setProperty("pgagent.policy.levle", "balanced");
        assertThatThrownBy(() -> SafetyPolicy.fromProperties(unknown))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("pgagent.policy.levle");

        Properties bad = new Properties();
        bad.setProperty("pgagent.policy.max-rows", "0");
        assertThatThrownBy(() -> SafetyPolicy.fromProperties(bad))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("max-rows")
                .hasMessageContaining("maxRows must be >= 1 but was 0");
    }

    @Test
    void validatesSettersAndCrossFieldRules() {
        assertThatThrownBy(() -> SafetyPolicy.builder().statementTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("statementTimeout must be positive but was PT0S");
        assertThatThrownBy(() -> SafetyPolicy.builder().role("x; DROP ROLE y"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SafetyPolicy.builder().deniedColumns("ssn"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table.column");
        assertThatThrownBy(() ->
                        SafetyPolicy.builder().maxRows(500).askMaxRows(100).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxRows must be <= askMaxRows");
        assertThatThrownBy(() -> SafetyPolicy.builder()
                        .askMaxTime(Duration.ofSeconds(10))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("statementTimeout must be <= askMaxTime but was PT30S > PT10S");
        assertThat(SafetyPolicy.READ_ONLY.askMaxTime()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void printsItselfForAReviewer() {
        String text = SafetyPolicy.builder().deniedTables("secrets").build().toString();
        assertThat(text)
                .contains("level = read-only")
                .contains("denied-tables = secrets")
                .contains("role = (none)");
    }
}
