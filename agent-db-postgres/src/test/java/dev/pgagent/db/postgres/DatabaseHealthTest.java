package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.db.postgres.DatabaseHealth.Issue;
import dev.pgagent.db.postgres.DatabaseHealth.Report;
import dev.pgagent.db.postgres.DatabaseHealth.Severity;
import dev.pgagent.db.postgres.DatabaseHealth.Thresholds;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseHealthTest {
    @Test
    void wraparoundIsAWarningFromHalfWayAndCriticalFromThreeQuarters() {
        assertThat(DatabaseHealth.wraparoundSeverity(200_000_000L)).isNull();
        assertThat(DatabaseHealth.wraparoundSeverity(1_073_741_823L)).isEqualTo(Severity.WARNING);
        assertThat(DatabaseHealth.wraparoundSeverity(1_200_000_000L)).isEqualTo(Severity.WARNING);
        assertThat(DatabaseHealth.wraparoundSeverity(1_610_612_733L)).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void bloatNeedsBothTheShareAndTheSize() {
        Thresholds t = Thresholds.DEFAULTS;
        // 10 000 pages of 8 kB (78 MB) that should be 2 000: 80% waste
        Issue i = DatabaseHealth.bloatIssue("table_bloat", "public.t", "", 10_000, 2_000, 8192, 50_000, t, "fix");
        assertThat(i).isNotNull();
        assertThat(i.severity()).isEqualTo(Severity.WARNING);
        assertThat(i.message()).isEqualTo("is 78 MB, about 62 MB of it (80%) waste: 50000 rows would fit in about 15 MB"
                + " (an estimate from pg_class and pg_stats; ANALYZE first for a better one).");
        // 40% waste is worth knowing only
        assertThat(DatabaseHealth.bloatIssue("table_bloat", "t", "", 10_000, 6_000, 8192, 1, t, "f").severity())
                .isEqualTo(Severity.INFO);
        // 20% waste, or a small table, or no waste at all: nothing
        assertThat(DatabaseHealth.bloatIssue("table_bloat", "t", "", 10_000, 8_000, 8192, 1, t, "f")).isNull();
        assertThat(DatabaseHealth.bloatIssue("table_bloat", "t", "", 100, 10, 8192, 1, t, "f")).isNull();
        assertThat(DatabaseHealth.bloatIssue("table_bloat", "t", "", 100, 200, 8192, 1, t, "f")).isNull();
        assertThat(DatabaseHealth.bloatIssue("table_bloat", "t", "", 0, 0, 8192, 1, t, "f")).isNull();
    }

    @Test
    void thresholdsRejectBadValues() {
        assertThatThrownBy(() -> Thresholds.builder().longTransaction(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("longTransaction must not be negative but was PT-1S");
        assertThatThrownBy(() -> Thresholds.builder().bloatRatio(1.0))
                .hasMessage("bloatRatio must be in (0, 1) but was 1.0");
        assertThatThrownBy(() -> Thresholds.builder().minBloatBytes(-1))
                .hasMessage("minBloatBytes must be >= 0 but was -1");
        assertThatThrownBy(() -> Thresholds.builder().replicationLag(null)).isInstanceOf(NullPointerException.class);
        Thresholds t = Thresholds.builder().idleInTransaction(Duration.ofSeconds(30))
                .replicationLag(Duration.ofSeconds(5)).bloatRatio(0.5).build();
        assertThat(t.idleInTransaction()).isEqualTo(Duration.ofSeconds(30));
        assertThat(t.replicationLag()).isEqualTo(Duration.ofSeconds(5));
        assertThat(t.bloatRatio()).isEqualTo(0.5);
        assertThat(Thresholds.DEFAULTS.longTransaction()).isEqualTo(Duration.ofMinutes(5));
        assertThat(Thresholds.DEFAULTS.minBloatBytes()).isEqualTo(10L << 20);
        assertThat(t.toString()).contains("idleInTransaction=PT30S");
    }

    @Test
    void rendersIssuesMostSevereFirst() {
        Report r = new Report(List.of(
                new Issue("unused_index", "a", "m1", "f1", Severity.INFO),
                new Issue("duplicate_index", "b", "m2", "f2"),
                new Issue("sequence_exhaustion", "c", "m3", "f3", Severity.CRITICAL)),
                List.of("fact"), List.of("replication_lag: refused"));

        assertThat(r.toText()).isEqualTo("""
                Health issues (3):
                - CRITICAL [sequence_exhaustion] c: m3 Fix: f3
                - WARNING [duplicate_index] b: m2 Fix: f2
                - INFO [unused_index] a: m1 Fix: f1
                * fact
                ! skipped replication_lag: refused""");
        assertThat(r.toJson()).startsWith("{\"issues\":[{\"severity\":\"critical\",\"check\":\"sequence_exhaustion\"")
                .endsWith("\"facts\":[\"fact\"],\"skipped\":[\"replication_lag: refused\"],"
                        + "\"counts\":{\"info\":1,\"warning\":1,\"critical\":1}}");
        assertThat(new Report(List.of(), List.of(), List.of()).worst()).isEmpty();
        assertThat(new Report(List.of(), List.of(), List.of()).toText()).isEqualTo("No health issues found.");
    }

    @Test
    void durationsRead() {
        assertThat(DatabaseHealth.duration(5_400)).isEqualTo("5 s");
        assertThat(DatabaseHealth.duration(125_000)).isEqualTo("2 min 5 s");
        assertThat(DatabaseHealth.duration(7_500_000)).isEqualTo("2 h 5 min");
        assertThat(DatabaseHealth.bytes(3L << 30)).isEqualTo("3 GB");
    }
}
