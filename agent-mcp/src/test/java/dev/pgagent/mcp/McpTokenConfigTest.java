package dev.pgagent.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.ConfigurationException;
import dev.pgagent.api.safety.PolicyLevel;
import java.util.List;
import org.junit.jupiter.api.Test;

class McpTokenConfigTest {
    @Test
    void readsNamedTokensWithTheirLimits() {
        List<McpTokenConfig> c = McpTokenConfig.parse(
                "{\"tokens\":[{\"name\":\"laptop\",\"token\":"
                        + "\"0123456789abcdef\"},{\"name\":\"reports\",\"token\":\"fedcba9876543210\",\"policy\":\"read-only\","
                        + "\"databases\":[\"sales\"]}]}",
                "tokens.json");

        assertThat(c).extracting(McpTokenConfig::name).containsExactly("laptop", "reports");
        assertThat(c.get(1).policy()).isEqualTo(PolicyLevel.READ_ONLY);
        assertThat(c.get(1).isLimited(PolicyLevel.BALANCED, List.of("sales"))).isTrue();
        assertThat(c.get(0).isLimited(PolicyLevel.BALANCED, List.of("sales"))).isFalse();
        assertThat(c.get(1).toString()).doesNotContain("fedcba");
    }

    @Test
    void refusesBadFilesWithoutShowingSecrets() {
        assertThatThrownBy(
                        () -> McpTokenConfig.parse("{\"tokens\":[{\"name\":\"a\",\"token\":\"short-secret\"}]}", "f"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("at least 16")
                .hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> McpTokenConfig.parse("{\"tokens\":[{\"name\":\"a\",\"tokn\":\"x\"}]}", "f"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown field 'tokn'");
        assertThatThrownBy(() -> McpTokenConfig.parse("[]", "f")).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void tokensMatchOnlyTheirSecret() {
        McpToken t = McpToken.of("a", "0123456789abcdef");

        assertThat(t.matches("0123456789abcdef")).isTrue();
        assertThat(t.matches("0123456789abcdeF")).isFalse();
        assertThat(t.matches("")).isFalse();
        assertThat(t.toString()).doesNotContain("0123456789");
    }
}
