package dev.pgagent.api.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditChainTest {
    private static final Instant T = Instant.parse("2026-01-02T03:04:05.123456Z");

    private static AuditEvent event(String sql) {
        return AuditEvent.builder(AuditEventType.QUERY_REFUSED)
                .timestamp(T)
                .sessionId("s")
                .askId("a")
                .sql(sql)
                .verdict(Verdict.deny(StatementKind.WRITE, "read-only", Set.of("orders", "customers")))
                .outcome("refused")
                .attribute("ms", 3)
                .attribute("database", "shop")
                .build();
    }

    @Test
    void canonicalJsonSortsKeysAndEscapesText() {
        assertThat(AuditChain.canonicalJson(event("DELETE FROM \"orders\"\n\t-- \\ \u0001")))
                .isEqualTo("{\"askId\":\"a\",\"attributes\":{\"database\":\"shop\",\"ms\":\"3\"},"
                        + "\"outcome\":\"refused\",\"sessionId\":\"s\","
                        + "\"sql\":\"DELETE FROM \\\"orders\\\"\\n\\t-- \\\\ \\u0001\","
                        + "\"timestamp\":\"2026-01-02T03:04:05.123456Z\",\"type\":\"QUERY_REFUSED\","
                        + "\"verdict\":{\"confirmation\":\"NONE\",\"decision\":\"DENY\",\"kind\":\"WRITE\","
                        + "\"reason\":\"read-only\",\"tables\":[\"customers\",\"orders\"]}}");
        assertThat(AuditChain.canonicalJson(
                        AuditEvent.builder(AuditEventType.ERROR).timestamp(T).build()))
                .isEqualTo("{\"attributes\":{},\"timestamp\":\"2026-01-02T03:04:05.123456Z\",\"type\":\"ERROR\"}");
        assertThat(AuditChain.canonicalJson(AuditEvent.builder(AuditEventType.ERROR)
                        .timestamp(T)
                        .attribute("x", "\r\b\f\u2028")
                        .build()))
                .contains("\"x\":\"\\r\\b\\f\\u2028\"");
    }

    @Test
    void hashesChainAndVerify() {
        List<String> lines = new ArrayList<>();
        String prev = AuditChain.GENESIS;
        for (int i = 0; i < 4; i++) {
            String json = AuditChain.canonicalJson(event("SELECT " + i));
            String hash = AuditChain.hash(prev, json);
            assertThat(hash).hasSize(64).isNotEqualTo(AuditChain.hash(prev + "x", json));
            lines.add(AuditChain.chainedLine(json, prev, hash));
            assertThat(AuditChain.hashOfLine(lines.get(i))).isEqualTo(hash);
            prev = hash;
        }
        assertThat(verify(lines)).isEqualTo(new AuditChain.Verification(4, null, null));

        List<String> changed = new ArrayList<>(lines);
        changed.set(2, changed.get(2).replace("SELECT 2", "SELECT 9"));
        AuditChain.Verification v = verify(changed);
        assertThat(v.intact()).isFalse();
        assertThat(v.brokenAt()).isEqualTo("line 3");
        assertThat(v.reason()).contains("changed");
        assertThat(v.records()).isEqualTo(2);

        List<String> removed = new ArrayList<>(lines);
        removed.remove(1);
        assertThat(verify(removed).brokenAt()).isEqualTo("line 2");
        assertThat(verify(removed).reason()).contains("removed");

        List<String> plain = new ArrayList<>(lines);
        plain.add(1, "{\"type\":\"ERROR\"}");
        assertThat(verify(plain).brokenAt()).isEqualTo("line 2");
        assertThat(verify(plain).reason()).contains("not a chained");
        assertThat(AuditChain.hashOfLine("{}")).isNull();

        AuditChain.Verifier noHash = AuditChain.verifier();
        assertThat(noHash.accept("row 1", "{}", null, null)).isFalse();
        assertThat(noHash.accept("row 2", "{}", AuditChain.GENESIS, "x")).isFalse();
        assertThat(noHash.acceptLine("line 3", "nope")).isFalse();
        assertThat(noHash.result().reason()).contains("no hash");
    }

    @Test
    void aChainedLineNeedsAJsonObject() {
        assertThatThrownBy(() -> AuditChain.chainedLine("[]", AuditChain.GENESIS, AuditChain.GENESIS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> AuditChain.chainedLine("x".repeat(100), "", ""))
                .hasMessageContaining("...");
    }

    private static AuditChain.Verification verify(List<String> lines) {
        AuditChain.Verifier v = AuditChain.verifier();
        for (int i = 0; i < lines.size(); i++) {
            v.acceptLine("line " + (i + 1), lines.get(i));
        }
        return v.result();
    }
}
