package dev.pgagent.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Proves that a {@link SafetyValidator} keeps the contract pgagent relies on. Extend it in your test sources and
 * return your validator for the policy asked for:
 *
 * <pre>{@code
 * class MyValidatorContractTest extends SafetyValidatorContract {
 *     @Override protected SafetyValidator validator(SafetyPolicy policy) {
 *         return MyValidator.of(policy);
 *     }
 * }
 * }</pre>
 *
 * <p>What it checks, each from the Javadoc of {@link SafetyValidator}, {@link PolicyLevel}, {@link StatementKind}
 * and {@link dev.pgagent.api.safety.GuardedOperation}, on the three levels with every other setting at its default:
 * <ul>
 *   <li>a verdict is never null and nothing throws, whatever the text: empty, blank, comments only, unterminated
 *       strings and comments, garbage, NUL characters, a megabyte of SQL, parentheses nested thousands deep; text
 *       that is not SQL is denied ("what cannot be understood is denied");
 *   <li>plain reads (SELECT, WITH ... SELECT, VALUES, TABLE, SHOW, EXPLAIN without ANALYZE) are allowed as READ;
 *   <li>nothing but a read is ever allowed without confirmation, at any level: INSERT, UPDATE, DELETE, MERGE, DDL,
 *       SELECT INTO, FOR UPDATE, data-modifying WITH, EXPLAIN ANALYZE of a write, transaction control, session
 *       settings, COPY, DO, CALL, privileges, maintenance, and several statements in one text holding any of them;
 *       nor a query calling a function that changes state (configuration, sequences, locks, other sessions, large
 *       objects, notifications, server files, other databases);
 *   <li>BALANCED asks for a confirmation before a data change and denies DDL; PERMISSIVE asks for a typed
 *       confirmation before DDL;
 *   <li>guarded operations (CASCADE, DROP DATABASE, TRUNCATE, unfiltered UPDATE/DELETE, ALTER SYSTEM, roles and
 *       privileges, COPY PROGRAM or server files, server file functions) are denied at every level unless the host
 *       opts in;
 *   <li>a validator shared by several threads gives each the verdict it gives one thread.
 * </ul>
 */
public abstract class SafetyValidatorContract {
    /** Creates the suite. */
    protected SafetyValidatorContract() {}

    /** Returns a validator that enforces {@code policy}. */
    protected abstract SafetyValidator validator(SafetyPolicy policy);

    /** Returns how many threads validate at once in the concurrency check; default: 8. */
    protected int threads() {
        return 8;
    }

    private static final List<SafetyPolicy> LEVELS = List.of(
            SafetyPolicy.READ_ONLY,
            SafetyPolicy.builder().level(PolicyLevel.BALANCED).build(),
            SafetyPolicy.builder().level(PolicyLevel.PERMISSIVE).build());

    /** Plain reads. */
    static final List<String> READS = List.of(
            "SELECT 1",
            "select id, name from customers where id = 42",
            "SELECT c.name, count(o.id) AS orders FROM customers c LEFT JOIN orders o ON o.customer_id = c.id"
                    + " GROUP BY c.name HAVING count(o.id) > 1 ORDER BY 2 DESC LIMIT 10",
            "WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval '7 days')"
                    + " SELECT count(*) FROM recent",
            "VALUES (1, 'a'), (2, 'b')",
            "TABLE customers",
            "SELECT status, sum(total) FROM orders GROUP BY ROLLUP (status)",
            "SELECT * FROM orders WHERE id IN (SELECT order_id FROM payments WHERE amount > 100)",
            "SELECT id FROM orders UNION ALL SELECT id FROM archived_orders",
            "SHOW search_path",
            "EXPLAIN SELECT * FROM orders WHERE id = 1",
            "SELECT 'DELETE FROM orders' AS looks_like_a_write",
            "SELECT 1; ");

    /** Texts that write, change the schema or the session, or do anything but read. */
    static final List<String> NOT_READS = List.of(
            "INSERT INTO orders (customer_id, total) VALUES (1, 10)",
            "UPDATE orders SET total = 0 WHERE id = 1",
            "DELETE FROM orders WHERE id = 1",
            "MERGE INTO orders o USING (VALUES (1)) v(id) ON o.id = v.id WHEN MATCHED THEN DELETE",
            "insert into orders select * from orders",
            "dElEtE fRoM orders WHERE id = 1",
            "  \n\t/* leading comment */ DELETE FROM orders WHERE id = 1",
            "CREATE TABLE stolen AS SELECT * FROM customers",
            "CREATE INDEX ON orders (customer_id)",
            "DROP TABLE orders",
            "ALTER TABLE orders ADD COLUMN note text",
            "TRUNCATE orders",
            "COMMENT ON TABLE orders IS 'x'",
            "SELECT * INTO stolen FROM customers",
            "SELECT * FROM orders WHERE id = 1 FOR UPDATE",
            "SELECT * FROM orders FOR SHARE",
            "WITH d AS (DELETE FROM orders WHERE id = 1 RETURNING *) SELECT * FROM d",
            "WITH u AS (UPDATE orders SET total = 0 WHERE id = 1 RETURNING id) SELECT count(*) FROM u",
            "WITH i AS (INSERT INTO orders (total) VALUES (1) RETURNING id) SELECT id FROM i",
            "EXPLAIN ANALYZE DELETE FROM orders WHERE id = 1",
            "EXPLAIN (ANALYZE, BUFFERS) UPDATE orders SET total = 0 WHERE id = 1",
            "BEGIN",
            "COMMIT",
            "ROLLBACK",
            "SET statement_timeout = 0",
            "SET ROLE postgres",
            "RESET ALL",
            "COPY orders TO STDOUT",
            "COPY orders FROM STDIN",
            "DO $$ BEGIN DELETE FROM orders; END $$",
            "CALL cleanup_orders()",
            "GRANT SELECT ON orders TO PUBLIC",
            "CREATE ROLE intruder LOGIN PASSWORD 'x'",
            "VACUUM orders",
            "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE",
            "PREPARE p AS DELETE FROM orders",
            "NOTIFY channel, 'payload'",
            "LISTEN channel",
            "SELECT 1; DELETE FROM orders WHERE id = 1",
            "SELECT 1 /* ; */ ; DROP TABLE orders",
            "SELECT $$;$$; DELETE FROM orders WHERE id = 1",
            "SELECT ';'; COMMIT",
            "SELECT 1;\nUPDATE orders SET total = 0 WHERE id = 1;",
            "SELECT set_config('statement_timeout', '0', false)",
            "SELECT nextval('orders_id_seq')",
            "SELECT setval('orders_id_seq', 1)",
            "SELECT pg_advisory_lock(1)",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
            "SELECT pg_cancel_backend(1234)",
            "SELECT pg_reload_conf()",
            "SELECT lo_import('/etc/passwd')",
            "SELECT lo_unlink(1234)",
            "SELECT pg_notify('channel', 'payload')",
            "SELECT pg_read_file('postgresql.conf')",
            "SELECT * FROM pg_ls_dir('.')",
            "SELECT dblink_exec('dbname=other', 'DELETE FROM orders')",
            "SELECT * FROM orders WHERE id = (SELECT nextval('orders_id_seq'))",
            "SELECT pg_catalog.set_config('search_path', 'evil', false)");

    /** Operations the host must opt in to, with their level; denied at every level by default. */
    static final List<String> GUARDED = List.of(
            "DROP TABLE orders CASCADE",
            "DROP SCHEMA sales CASCADE",
            "DROP DATABASE shop",
            "TRUNCATE orders",
            "DELETE FROM orders",
            "UPDATE orders SET total = 0",
            "ALTER SYSTEM SET work_mem = '1GB'",
            "CREATE ROLE intruder",
            "ALTER ROLE app SUPERUSER",
            "GRANT ALL ON orders TO PUBLIC",
            "REVOKE SELECT ON orders FROM app",
            "SET ROLE postgres",
            "SET SESSION AUTHORIZATION postgres",
            "COPY orders FROM PROGRAM 'curl http://example.com'",
            "COPY orders TO '/tmp/orders.csv'",
            "SELECT pg_read_file('/etc/passwd')");

    /** Text that is not SQL, or not complete SQL. */
    static final List<String> NOT_SQL = List.of(
            "",
            "   \n\t ",
            ";",
            ";;;",
            "-- only a comment",
            "/* only a comment */",
            "/* unterminated comment",
            "SELECT 'unterminated string",
            "SELECT \"unterminated identifier",
            "SELECT $tag$ unterminated dollar quote",
            "SELECT (",
            ")))",
            "hello, database",
            "\u0000",
            "\uFFFF\uFFFE garbage \u0007",
            "SELECT * FROM");

    private static Verdict check(SafetyValidator v, String sql) {
        Verdict verdict = v.validate(sql);
        assertThat(verdict).as("verdict for %s", abbreviate(sql)).isNotNull();
        assertThat(verdict.reason()).as("reason for %s", abbreviate(sql)).isNotBlank();
        return verdict;
    }

    private static String abbreviate(String sql) {
        String flat = sql.replaceAll("\\s+", " ");
        return flat.length() > 120 ? flat.substring(0, 120) + "..." : flat;
    }

    private static String name(SafetyPolicy p) {
        return p.level().name();
    }

    @TestFactory
    Stream<DynamicTest> allowsPlainReadsAsReads() {
        SafetyValidator v = validator(SafetyPolicy.READ_ONLY);
        return READS.stream()
                .map(sql -> DynamicTest.dynamicTest(abbreviate(sql), () -> {
                    Verdict verdict = check(v, sql);
                    assertThat(verdict.decision())
                            .as("decision for %s: %s", sql, verdict.reason())
                            .isEqualTo(Decision.ALLOW);
                    assertThat(verdict.kind()).isEqualTo(StatementKind.READ);
                }));
    }

    @TestFactory
    Stream<DynamicTest> neverAllowsAnythingButAReadAtAnyLevel() {
        List<DynamicTest> tests = new ArrayList<>();
        for (SafetyPolicy p : LEVELS) {
            SafetyValidator v = validator(p);
            for (String sql : NOT_READS) {
                tests.add(DynamicTest.dynamicTest(name(p) + ": " + abbreviate(sql), () -> {
                    Verdict verdict = check(v, sql);
                    assertThat(verdict.decision())
                            .as("decision for %s: %s", sql, verdict.reason())
                            .isNotEqualTo(Decision.ALLOW);
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> deniesGuardedOperationsAtEveryLevelUnlessTheHostOptsIn() {
        List<DynamicTest> tests = new ArrayList<>();
        for (SafetyPolicy p : LEVELS) {
            SafetyValidator v = validator(p);
            for (String sql : GUARDED) {
                tests.add(DynamicTest.dynamicTest(name(p) + ": " + abbreviate(sql), () -> {
                    Verdict verdict = check(v, sql);
                    assertThat(verdict.decision())
                            .as("decision for %s: %s", sql, verdict.reason())
                            .isEqualTo(Decision.DENY);
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void readOnlyDeniesDataChanges() {
        SafetyValidator v = validator(SafetyPolicy.READ_ONLY);
        for (String sql : List.of(
                "INSERT INTO orders (total) VALUES (1)",
                "UPDATE orders SET total = 0 WHERE id = 1",
                "DELETE FROM orders WHERE id = 1",
                "CREATE TABLE t (id int)")) {
            assertThat(check(v, sql).decision()).as(sql).isEqualTo(Decision.DENY);
        }
    }

    @Test
    void balancedAsksForAConfirmationBeforeADataChangeAndDeniesDdl() {
        SafetyValidator v =
                validator(SafetyPolicy.builder().level(PolicyLevel.BALANCED).build());
        for (String sql : List.of(
                "INSERT INTO orders (total) VALUES (1)",
                "UPDATE orders SET total = 0 WHERE id = 1",
                "DELETE FROM orders WHERE id = 1")) {
            Verdict verdict = check(v, sql);
            assertThat(verdict.decision()).as("%s: %s", sql, verdict.reason()).isEqualTo(Decision.CONFIRM);
            assertThat(verdict.kind()).as(sql).isEqualTo(StatementKind.WRITE);
            assertThat(verdict.confirmation()).as(sql).isNotEqualTo(ConfirmationKind.NONE);
        }
        for (String sql :
                List.of("CREATE TABLE t (id int)", "ALTER TABLE orders ADD COLUMN note text", "DROP TABLE orders")) {
            assertThat(check(v, sql).decision()).as(sql).isEqualTo(Decision.DENY);
        }
    }

    @Test
    void permissiveAsksForATypedConfirmationBeforeDdl() {
        SafetyValidator v =
                validator(SafetyPolicy.builder().level(PolicyLevel.PERMISSIVE).build());
        for (String sql : List.of(
                "CREATE TABLE archive (id int, note text)",
                "ALTER TABLE orders ADD COLUMN note text",
                "CREATE INDEX orders_total_idx ON orders (total)",
                "DROP TABLE archive")) {
            Verdict verdict = check(v, sql);
            assertThat(verdict.decision()).as("%s: %s", sql, verdict.reason()).isEqualTo(Decision.CONFIRM);
            assertThat(verdict.kind()).as(sql).isEqualTo(StatementKind.DDL);
            assertThat(verdict.confirmation()).as(sql).isEqualTo(ConfirmationKind.TYPED);
        }
    }

    @Test
    void classifiesSeveralStatementsInOneTextAsMultiple() {
        for (SafetyPolicy p : LEVELS) {
            Verdict verdict = check(validator(p), "SELECT 1; DELETE FROM orders WHERE id = 1");
            assertThat(verdict.kind()).as(name(p)).isEqualTo(StatementKind.MULTIPLE);
            assertThat(verdict.decision()).as(name(p)).isNotEqualTo(Decision.ALLOW);
        }
    }

    @TestFactory
    Stream<DynamicTest> deniesTextThatIsNotSqlWithoutThrowing() {
        List<DynamicTest> tests = new ArrayList<>();
        for (SafetyPolicy p : LEVELS) {
            SafetyValidator v = validator(p);
            for (String sql : NOT_SQL) {
                tests.add(DynamicTest.dynamicTest(name(p) + ": " + abbreviate(sql), () -> {
                    Verdict verdict = check(v, sql);
                    assertThat(verdict.decision())
                            .as("decision for %s: %s", sql, verdict.reason())
                            .isEqualTo(Decision.DENY);
                }));
            }
        }
        return tests.stream();
    }

    /** Inputs built to exhaust a parser: size, depth, repetition. */
    static Map<String, String> hugeInputs() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        StringBuilder sum = new StringBuilder("SELECT 1");
        while (sum.length() < 1_000_000) {
            sum.append(" + 1");
        }
        m.put("a megabyte of SELECT 1 + 1 + ...", sum.toString());
        m.put("parentheses nested 5,000 deep", "SELECT " + "(".repeat(5_000) + "1" + ")".repeat(5_000));
        m.put("5,000 open parentheses", "SELECT " + "(".repeat(5_000));
        m.put("subqueries nested 500 deep", "SELECT " + "(SELECT ".repeat(500) + "1" + ")".repeat(500));
        m.put("10,000 statements", "SELECT 1;".repeat(10_000));
        m.put("an identifier of 100,000 characters", "SELECT " + "a".repeat(100_000) + " FROM t");
        m.put("a string constant of a megabyte", "SELECT '" + "x".repeat(1_000_000) + "'");
        m.put("a CASE with 5,000 branches", "SELECT CASE" + " WHEN x = 1 THEN 1".repeat(5_000) + " END FROM t");
        m.put("an IN list of 20,000 values", "SELECT * FROM t WHERE id IN (" + "1,".repeat(20_000) + "1)");
        return m;
    }

    @TestFactory
    Stream<DynamicTest> answersHugeAndDeeplyNestedInputWithAVerdict() {
        SafetyValidator v = validator(SafetyPolicy.READ_ONLY);
        return hugeInputs().entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
                    Verdict verdict = check(v, e.getValue());
                    assertThat(verdict.kind()).isNotNull();
                }));
    }

    @Test
    void givesEveryThreadTheVerdictItGivesOneThread() throws InterruptedException {
        SafetyPolicy policy = SafetyPolicy.builder().level(PolicyLevel.BALANCED).build();
        SafetyValidator v = validator(policy);
        List<String> mix = new ArrayList<>(READS);
        mix.addAll(NOT_READS);
        mix.addAll(GUARDED);
        mix.addAll(NOT_SQL);
        Map<String, String> expected = new ConcurrentHashMap<>();
        for (String sql : mix) {
            expected.put(sql, summary(v.validate(sql)));
        }
        Concurrently.run(threads(), Duration.ofMinutes(5), t -> {
            for (int round = 0; round < 3; round++) {
                for (int k = 0; k < mix.size(); k++) {
                    String sql = mix.get((k + t * 7 + round) % mix.size());
                    assertThat(summary(v.validate(sql))).as(sql).isEqualTo(expected.get(sql));
                }
            }
        });
    }

    private static String summary(Verdict v) {
        return v.decision() + "/" + v.kind() + "/" + v.confirmation() + "/" + v.tables();
    }
}
