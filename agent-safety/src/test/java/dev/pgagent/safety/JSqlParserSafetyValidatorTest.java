package dev.pgagent.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.UnparseableSqlMode;
import dev.pgagent.api.safety.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class JSqlParserSafetyValidatorTest {
    private final JSqlParserSafetyValidator readOnly = JSqlParserSafetyValidator.readOnly();

    @Test
    void readOnlyValidatorEnforcesTheReadOnlyPolicy() {
        assertThat(readOnly.policy()).isEqualTo(SafetyPolicy.READ_ONLY);
        assertThat(readOnly.validate("SELECT 1").isAllowed()).isTrue();
        assertThat(readOnly.validate("DELETE FROM t WHERE id = 1").isDenied()).isTrue();
    }

    @Test
    void builderAndOfKeepThePolicyAndTimeout() {
        SafetyPolicy balanced =
                SafetyPolicy.builder().level(PolicyLevel.BALANCED).build();
        JSqlParserSafetyValidator v = JSqlParserSafetyValidator.builder()
                .policy(balanced)
                .parseTimeout(Duration.ofMillis(500))
                .build();
        assertThat(v.policy()).isSameAs(balanced);
        assertThat(v.parseTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(v.toBuilder().build().parseTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(JSqlParserSafetyValidator.of(balanced).policy()).isSameAs(balanced);
        assertThat(JSqlParserSafetyValidator.of(balanced).parseTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(v.toString()).contains("BALANCED");
    }

    @Test
    void builderRejectsMisuse() {
        assertThatThrownBy(() -> JSqlParserSafetyValidator.builder().parseTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parseTimeout must be positive but was PT0S");
        assertThatThrownBy(() -> JSqlParserSafetyValidator.builder().policy(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("policy == null");
    }

    @Test
    void defaultDeniedFunctionsCoverTheDocumentedFamilies() {
        assertThat(JSqlParserSafetyValidator.defaultDeniedFunctions())
                .contains(
                        "set_config",
                        "pg_sleep*",
                        "pg_terminate_backend",
                        "pg_cancel_backend",
                        "pg_reload_conf",
                        "pg_advisory_*",
                        "pg_try_advisory_*",
                        "nextval",
                        "setval",
                        "lo_*",
                        "loread",
                        "lowrite",
                        "pg_read_file",
                        "pg_read_binary_file",
                        "pg_ls_*",
                        "pg_stat_file",
                        "dblink*",
                        "query_to_xml*",
                        "table_to_xml*",
                        "cursor_to_xml*",
                        "database_to_xml*",
                        "schema_to_xml*",
                        "pg_notify",
                        "pg_create_*",
                        "pg_drop_replication_slot",
                        "pg_logical_*",
                        "pg_switch_wal",
                        "pg_backup_start",
                        "pg_backup_stop",
                        "txid_current",
                        "pg_current_xact_id",
                        "pg_export_snapshot",
                        "pg_import_system_collations",
                        "pg_stat_reset*");
        assertThatThrownBy(
                        () -> JSqlParserSafetyValidator.defaultDeniedFunctions().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void reportsTablesLowerCasedUnlessQuotedWithSchemaAndWithoutCteNames() {
        Verdict v = readOnly.validate("WITH recent AS (SELECT * FROM Orders) "
                + "SELECT * FROM recent JOIN Sales.Customers c ON true JOIN \"Audit\" a ON true");
        assertThat(v.isAllowed()).isTrue();
        assertThat(v.tableList()).containsExactly("Audit", "orders", "sales.customers");
    }

    @Test
    void reportsWriteTargetsAndTheirConfirmation() {
        JSqlParserSafetyValidator balanced = JSqlParserSafetyValidator.of(SafetyPolicy.builder()
                .level(PolicyLevel.BALANCED)
                .secondPartyTables("payments")
                .build());
        Verdict v = balanced.validate("UPDATE public.payments p SET amount = 0 FROM orders o WHERE o.id = p.order_id");
        assertThat(v.decision()).isEqualTo(Decision.CONFIRM);
        assertThat(v.kind()).isEqualTo(StatementKind.WRITE);
        assertThat(v.tableList()).containsExactly("orders", "public.payments");
        assertThat(v.reason()).contains("public.payments").contains("second party");
    }

    @Test
    void unparseableSqlIsDeniedWithTheParsersMessage() {
        Verdict v = readOnly.validate("SELECT xmlelement(name p, 'x') AS x FROM generate_series(1, 3)");
        assertThat(v.decision()).isEqualTo(Decision.DENY);
        assertThat(v.kind()).isEqualTo(StatementKind.UNPARSEABLE);
        assertThat(v.reason()).contains("could not be parsed").contains("Encountered unexpected token");
        assertThat(v.reason().length()).isLessThan(400);
    }

    @Test
    void guardedReadModeRunsUnparseableReadsUnderTheRuntimeGuards() {
        JSqlParserSafetyValidator guarded = JSqlParserSafetyValidator.of(SafetyPolicy.builder()
                .unparseableSql(UnparseableSqlMode.GUARDED_READ)
                .build());
        Verdict v = guarded.validate("SELECT xmlelement(name p, 'x') AS x FROM generate_series(1, 3)");
        assertThat(v.decision()).isEqualTo(Decision.ALLOW);
        assertThat(v.kind()).isEqualTo(StatementKind.UNPARSEABLE);
        assertThat(v.reason()).contains("runtime guards only");
        assertThat(guarded.validate("INSERT INTO t SELECT xmlelement(name p, f())")
                        .isDenied())
                .isTrue();
    }

    @Test
    void deniesWhenParsingTakesLongerThanTheTimeout() {
        JSqlParserSafetyValidator hasty = JSqlParserSafetyValidator.builder()
                .parseTimeout(Duration.ofMillis(1))
                .build();
        StringBuilder in = new StringBuilder("SELECT id FROM t WHERE id IN (0");
        for (int i = 1; i < 20_000; i++) {
            in.append(", ").append(i);
        }
        long start = System.nanoTime();
        Verdict v = hasty.validate(in.append(")").toString());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(v.decision()).isEqualTo(Decision.DENY);
        assertThat(v.reason()).contains("could not be checked in time");
    }

    @Test
    void deniesNullOverlongAndDeeplyNestedText() {
        assertThat(readOnly.validate(null).isDenied()).isTrue();
        assertThat(readOnly.validate("SELECT " + "1 + ".repeat(60_000) + "1").reason())
                .contains("longer than");
        String nested = "SELECT " + "(".repeat(150) + "1" + ")".repeat(150);
        assertThat(readOnly.validate(nested).reason()).contains("nested more than");
    }

    @Test
    void neverThrowsOnArbitraryText() {
        String[] parts = {
            "SELECT",
            " ",
            "*",
            "FROM",
            "t",
            "(",
            ")",
            "'",
            "\"",
            "$$",
            "$a$",
            "/*",
            "*/",
            "--",
            "\n",
            ";",
            "WITH",
            "x",
            "AS",
            "DELETE",
            "E'",
            "\\",
            "::",
            ",",
            "pg_sleep",
            "UNION",
            "FOR",
            "UPDATE",
            "[",
            "]",
            "é",
            "\u0000",
            "`",
            "{",
            "?",
            "#",
            "@",
            "LATERAL",
            "VALUES",
            "EXPLAIN",
            "ANALYZE",
            "TABLE",
            "INTO"
        };
        Random random = new Random(42);
        for (int i = 0; i < 3000; i++) {
            StringBuilder sql = new StringBuilder();
            int n = 1 + random.nextInt(25);
            for (int k = 0; k < n; k++) {
                sql.append(parts[random.nextInt(parts.length)]).append(random.nextBoolean() ? " " : "");
            }
            Verdict v = readOnly.validate(sql.toString());
            assertThat(v.reason()).as("reason for %s", sql).isNotBlank().doesNotContain("Internal error");
            if (v.isAllowed()) {
                assertThat(v.kind()).as("kind for %s", sql).isEqualTo(StatementKind.READ);
            }
        }
    }

    @Test
    void isSafeForConcurrentUse() throws Exception {
        List<Corpus.Case> cases = Corpus.load();
        List<Verdict> sequential = new ArrayList<>();
        for (Corpus.Case c : cases) {
            sequential.add(CorpusTest.validator(c.policy()).validate(c.sql()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Verdict>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    List<Verdict> out = new ArrayList<>();
                    for (Corpus.Case c : cases) {
                        out.add(CorpusTest.validator(c.policy()).validate(c.sql()));
                    }
                    return out;
                }));
            }
            for (Future<List<Verdict>> f : futures) {
                assertThat(f.get()).isEqualTo(sequential);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void deniedColumnReasonsTellTheModelWhatToDo() {
        JSqlParserSafetyValidator host = JSqlParserSafetyValidator.of(
                SafetyPolicy.builder().deniedColumns("customers.ssn").build());
        assertThat(host.validate("SELECT * FROM customers").reason())
                .contains("customers")
                .contains("ssn")
                .contains("list the columns");
        assertThat(host.validate("SELECT c.ssn AS x FROM customers c").reason()).contains("column ssn");
        assertThat(host.validate("SELECT to_jsonb(c) FROM customers c").reason())
                .contains("whole row");
    }

    @Test
    void multipleStatementsAreNamedInTheReason() {
        Verdict v = readOnly.validate("SELECT 1; COMMIT; DROP TABLE t");
        assertThat(v.kind()).isEqualTo(StatementKind.MULTIPLE);
        assertThat(v.reason()).contains("3 statements");
    }

    @Test
    void deniedFunctionIsNamedInTheReason() {
        assertThat(readOnly.validate("SELECT x FROM t ORDER BY pg_catalog.PG_SLEEP(1)")
                        .reason())
                .contains("pg_catalog.pg_sleep");
    }
}
