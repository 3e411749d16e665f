package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.db.postgres.DatabaseHealth.Issue;
import dev.pgagent.db.postgres.DatabaseHealth.Report;
import dev.pgagent.db.postgres.DatabaseHealth.Severity;
import dev.pgagent.db.postgres.DatabaseHealth.Thresholds;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        assertThat(i.message())
                .isEqualTo("is 78 MB, about 62 MB of it (80%) waste: 50000 rows would fit in about 15 MB"
                        + " (an estimate from pg_class and pg_stats; ANALYZE first for a better one).");
        // 40% waste is worth knowing only
        assertThat(DatabaseHealth.bloatIssue("table_bloat", "t", "", 10_000, 6_000, 8192, 1, t, "f")
                        .severity())
                .isEqualTo(Severity.INFO);
        // 20% waste, or a small table, or no waste at all: nothing
        assertThat(DatabaseHealth.bloatIssue("table_bloat", "t", "", 10_000, 8_000, 8192, 1, t, "f"))
                .isNull();
        assertThat(DatabaseHealth.bloatIssue("table_bloat", "t", "", 100, 10, 8192, 1, t, "f"))
                .isNull();
        assertThat(DatabaseHealth.bloatIssue("table_bloat", "t", "", 100, 200, 8192, 1, t, "f"))
                .isNull();
        assertThat(DatabaseHealth.bloatIssue("table_bloat", "t", "", 0, 0, 8192, 1, t, "f"))
                .isNull();
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
        Thresholds t = Thresholds.builder()
                .idleInTransaction(Duration.ofSeconds(30))
                .replicationLag(Duration.ofSeconds(5))
                .bloatRatio(0.5)
                .build();
        assertThat(t.idleInTransaction()).isEqualTo(Duration.ofSeconds(30));
        assertThat(t.replicationLag()).isEqualTo(Duration.ofSeconds(5));
        assertThat(t.bloatRatio()).isEqualTo(0.5);
        assertThat(Thresholds.DEFAULTS.longTransaction()).isEqualTo(Duration.ofMinutes(5));
        assertThat(Thresholds.DEFAULTS.minBloatBytes()).isEqualTo(10L << 20);
        assertThat(t.toString()).contains("idleInTransaction=PT30S");
    }

    @Test
    void rendersIssuesMostSevereFirst() {
        Report r = new Report(
                List.of(
                        new Issue("unused_index", "a", "m1", "f1", Severity.INFO),
                        new Issue("duplicate_index", "b", "m2", "f2"),
                        new Issue("sequence_exhaustion", "c", "m3", "f3", Severity.CRITICAL)),
                List.of("fact"),
                List.of("replication_lag: refused"));

        assertThat(r.toText()).isEqualTo("""
                Health issues (3):
                - CRITICAL [sequence_exhaustion] c: m3 Fix: f3
                - WARNING [duplicate_index] b: m2 Fix: f2
                - INFO [unused_index] a: m1 Fix: f1
                * fact
                ! skipped replication_lag: refused""");
        assertThat(r.toJson())
                .startsWith("{\"issues\":[{\"severity\":\"critical\",\"check\":\"sequence_exhaustion\"")
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

    /**
     * A gateway that answers each check's query with canned rows, for states a test server cannot reach (wraparound,
     * a lagging replica, connections used up); a query named nowhere is refused.
     */
    private static SqlGateway canned(Map<String, List<List<String>>> rowsByQueryPart) {
        return new SqlGateway() {
            @Override
            public StatementOutcome execute(String sql) {
                Verdict v = Verdict.allow(StatementKind.READ, "read", Set.of());
                for (Map.Entry<String, List<List<String>>> e : rowsByQueryPart.entrySet()) {
                    if (sql.contains(e.getKey())) {
                        QueryResult.Builder b = QueryResult.builder()
                                .columns(java.util.stream.IntStream.range(
                                                0, e.getValue().get(0).size())
                                        .mapToObj(i -> new dev.pgagent.api.sql.ResultColumn(
                                                "c" + i, "text", java.sql.Types.VARCHAR))
                                        .toList());
                        e.getValue().forEach(row -> b.addRow(List.copyOf(row)));
                        return StatementOutcome.executed(sql, v, b.build());
                    }
                }
                return StatementOutcome.refused(sql, Verdict.deny(StatementKind.READ, "not in this test"));
            }

            @Override
            public StatementOutcome explain(String sql) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Verdict check(String sql) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void classifiesStatesATestServerCannotReach() {
        DatabaseHealth.Report r = DatabaseHealth.check(canned(Map.of(
                "age(datfrozenxid)", List.of(List.of("shop", "1700000000", "200000000")),
                "pg_stat_replication",
                        List.of(
                                Arrays.asList("replica1", "10.0.0.2", "streaming", "900000", "5368709120"),
                                Arrays.asList("replica2", "10.0.0.3", "catchup", "0", "0"),
                                Arrays.asList("replica3", "10.0.0.4", "streaming", "100", "0")),
                "max_connections", List.of(List.of("97", "100", "3")),
                "pg_stat_database", List.of(List.of("9000", "1000")))));

        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("xid_wraparound");
            assertThat(i.subject()).isEqualTo("shop");
            assertThat(i.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(i.message()).contains("1700000000 transactions old, 79.2% of the way");
        });
        assertThat(r.issues())
                .filteredOn(i -> i.check().equals("replication_lag"))
                .extracting(Issue::subject, Issue::severity)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("replica1 at 10.0.0.2", Severity.CRITICAL),
                        org.assertj.core.groups.Tuple.tuple("replica2 at 10.0.0.3", Severity.WARNING));
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("replication_lag");
            assertThat(i.message()).isEqualTo("is streaming, replaying 15 min 0 s (5 GB of WAL) behind the primary.");
        });
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("connections");
            assertThat(i.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(i.message()).isEqualTo("97 of 97 usable connections are in use (100%).");
        });
        assertThat(r.facts()).contains("replication: 3 replicas connected");
        // the cache check needs 10,000 block reads before it judges; 90% of exactly that is a warning
        assertThat(r.issues()).anySatisfy(i -> assertThat(i.check()).isEqualTo("cache_hit_ratio"));
        assertThat(r.skipped()).anySatisfy(sk -> assertThat(sk).startsWith("unused_index: refused"));
        assertThat(r.worst()).contains(Severity.CRITICAL);
    }
}
