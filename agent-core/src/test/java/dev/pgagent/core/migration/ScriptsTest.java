package dev.pgagent.core.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScriptsTest {
    @TempDir
    Path dir;

    @Test
    void splitsOnSemicolonsOutsideQuotesCommentsAndDollarQuotes() {
        String script = """
                -- a comment; not a statement
                CREATE TABLE t (a text DEFAULT 'x;y', "b;c" int);
                /* block; /* nested; */ still */ INSERT INTO t VALUES ('it''s;');
                CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
                SELECT $1;
                ;
                -- only a comment
                """;
        assertThat(Scripts.split(script))
                .containsExactly(
                        "CREATE TABLE t (a text DEFAULT 'x;y', \"b;c\" int)",
                        "INSERT INTO t VALUES ('it''s;')",
                        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$",
                        "SELECT $1");
    }

    @Test
    void checksumIsFlywaysCrcOverLinesWithoutLineBreaksOrBom() {
        CRC32 crc = new CRC32();
        crc.update("-- x".getBytes(StandardCharsets.UTF_8));
        crc.update("SELECT 'é';".getBytes(StandardCharsets.UTF_8));
        int expected = (int) crc.getValue();

        assertThat(Scripts.checksum("-- x\nSELECT 'é';\n")).isEqualTo(expected);
        assertThat(Scripts.checksum("-- x\r\nSELECT 'é';")).isEqualTo(expected);
        assertThat(Scripts.checksum("\uFEFF-- x\rSELECT 'é';\r\n")).isEqualTo(expected);
        assertThat(Scripts.checksum("-- x\n\nSELECT 'é';")).isEqualTo(expected); // an empty line adds no bytes
        assertThat(Scripts.checksum("-- y\nSELECT 'é';")).isNotEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "CREATE INDEX i ON t (a)|DROP INDEX IF EXISTS i",
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY s.t (a)|DROP INDEX CONCURRENTLY IF EXISTS s.i",
                "create index \"My Idx\" on \"S\".\"T\" (a)|DROP INDEX IF EXISTS \"S\".\"My Idx\"",
                "ALTER TABLE s.t ADD COLUMN c int NOT NULL DEFAULT 0|ALTER TABLE s.t DROP COLUMN IF EXISTS c",
                "ALTER TABLE IF EXISTS ONLY t ADD c text|ALTER TABLE t DROP COLUMN IF EXISTS c",
                "ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID"
                        + "|ALTER TABLE t DROP CONSTRAINT IF EXISTS t_fk",
            })
    void undoesWhatHasAnInverse(String sql, String undo) {
        assertThat(Scripts.undo(List.of(sql))).contains(List.of(undo));
    }

    @Test
    void undoesSeveralStatementsLastFirstAndNothingWithoutAnInverse() {
        assertThat(Scripts.undo(List.of("ALTER TABLE t ADD COLUMN c int", "CREATE INDEX t_c ON t (c)")))
                .contains(List.of("DROP INDEX IF EXISTS t_c", "ALTER TABLE t DROP COLUMN IF EXISTS c"));
        assertThat(Scripts.undo(List.of("ALTER TABLE t ADD COLUMN c int", "UPDATE t SET c = 1")))
                .isEmpty();
        assertThat(Scripts.undo(List.of("CREATE INDEX ON t (c)"))).isEmpty();
        assertThat(Scripts.undo(List.of("ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int")))
                .isEmpty();
        assertThat(Scripts.undo(List.of("DROP TABLE t"))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "CREATE INDEX i ON t (a)|t|CREATE INDEX without CONCURRENTLY|true",
                "ALTER TABLE t ALTER COLUMN a TYPE bigint|t|ALTER COLUMN ... TYPE rewrites|false",
                "ALTER TABLE t ALTER a SET DATA TYPE bigint|t|ALTER COLUMN ... TYPE rewrites|false",
                "ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid()|t|volatile default|false",
                "ALTER TABLE t ADD COLUMN n bigserial|t|volatile default|false",
                "ALTER TABLE t ALTER COLUMN a SET NOT NULL|t|SET NOT NULL scans|true",
                "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)|t|FOREIGN KEY or CHECK|true",
                "ALTER TABLE t ADD PRIMARY KEY (a)|t|PRIMARY KEY or UNIQUE|true",
                "VACUUM FULL s.t|s.t|VACUUM FULL rewrites|false",
                "VACUUM (FULL, ANALYZE) t|t|VACUUM FULL rewrites|false",
                "CLUSTER t USING t_pkey|t|CLUSTER rewrites|false",
            })
    void warnsOfRewritesAndLongLocks(String sql, String table, String what, boolean onlyIfBig) {
        assertThat(Scripts.rewrites(sql)).singleElement().satisfies(r -> {
            assertThat(r.table()).isEqualTo(table);
            assertThat(r.what()).contains(what);
            assertThat(r.onlyIfBig()).isEqualTo(onlyIfBig);
        });
    }

    @Test
    void quietForStatementsThatNeitherRewriteNorLockLong() {
        assertThat(Scripts.rewrites("CREATE INDEX CONCURRENTLY i ON t (a)")).isEmpty();
        assertThat(Scripts.rewrites("ALTER TABLE t ADD COLUMN a int DEFAULT 0")).isEmpty();
        assertThat(Scripts.rewrites("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID"))
                .isEmpty();
        assertThat(Scripts.rewrites("VACUUM t")).isEmpty();
        assertThat(Scripts.rewrites("SELECT 1")).isEmpty();
        assertThat(Scripts.rewrites("CLUSTER"))
                .singleElement()
                .extracting(Scripts.Rewrite::table)
                .isEqualTo("");
    }

    @Test
    void knowsWhatRunsOnlyOutsideATransaction() {
        assertThat(Scripts.concurrently("-- c\nCREATE UNIQUE INDEX CONCURRENTLY i ON t (a)"))
                .isTrue();
        assertThat(Scripts.concurrently("DROP INDEX CONCURRENTLY i")).isTrue();
        assertThat(Scripts.concurrently("REINDEX INDEX CONCURRENTLY i")).isTrue();
        assertThat(Scripts.concurrently("REFRESH MATERIALIZED VIEW CONCURRENTLY v"))
                .isTrue();
        assertThat(Scripts.concurrently("CREATE INDEX i ON t (concurrently)")).isFalse();
    }

    @Test
    void namesVersionsAndDescriptionsAsFlywayDoes() {
        assertThat(Scripts.slug("Add index: orders(customer_id)!")).isEqualTo("add_index_orders_customer_id");
        assertThat(Scripts.slug("  ")).isEqualTo("migration");
        assertThat(Scripts.slug("x".repeat(100))).hasSize(80);
        assertThat(Scripts.describe("/* c */ CREATE INDEX \"Idx\" ON orders (customer_id)"))
                .isEqualTo("create_index_idx_on_orders");
        assertThat(Scripts.parse("V1_2__add_x.sql")).hasValueSatisfying(f -> {
            assertThat(f.prefix()).isEqualTo('V');
            assertThat(f.version()).isEqualTo("1.2");
            assertThat(f.description()).isEqualTo("add_x");
        });
        assertThat(Scripts.parse("U3__add_x.sql"))
                .hasValueSatisfying(f -> assertThat(f.prefix()).isEqualTo('U'));
        assertThat(Scripts.parse("R__view.sql")).isEmpty();
        assertThat(Scripts.parse("V1_add.sql")).isEmpty();
        assertThat(Scripts.compareVersions("1.10", "1.9")).isPositive();
        assertThat(Scripts.compareVersions("1", "1.0")).isZero();
        assertThat(Scripts.compareVersions("2", "10")).isNegative();
        assertThat(Scripts.isVersion("1.2.3")).isTrue();
        assertThat(Scripts.isVersion("1.a")).isFalse();
        assertThat(Scripts.historyDescription("add_index_x")).isEqualTo("add index x");
    }

    @Test
    void plansWithoutADatabaseAndKeepsTimestampVersions() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-12-03T23:50:07Z"), ZoneOffset.UTC);
        Migrations m = Migrations.builder().directory(dir).clock(clock).build();
        Files.writeString(dir.resolve("V20240101000000__old.sql"), "SELECT 1;\n");
        Files.writeString(dir.resolve("notes.txt"), "not a migration");

        Migrations.Planned p = m.plan(new Migrations.Change("CREATE INDEX i ON t (a)", "idx"), true);

        assertThat(p.version()).isEqualTo("20261203235007");
        assertThat(p.warnings()).isEmpty(); // no database: the table's size is unknown, and it may be small
        Migrations.Planned forced = Migrations.builder()
                .directory(dir.resolve("new"))
                .timestampVersions(true)
                .clock(clock)
                .build()
                .plan(new Migrations.Change("SELECT 1", "x"), false);
        assertThat(forced.version()).isEqualTo("20261203235007");
        assertThat(m.plan(new Migrations.Change("SELECT 1", "x"), false).version())
                .isEqualTo("20261203235008"); // the clock did not move past the highest version
        assertThat(m.toString()).contains("flyway_schema_history");
        assertThatThrownBy(m::status).isInstanceOf(IllegalStateException.class).hasMessageContaining("data source");
        assertThatThrownBy(m::apply).isInstanceOf(IllegalStateException.class).hasMessageContaining("guarded path");
    }

    @Test
    void builderAndChangeRejectBadInput() {
        assertThatThrownBy(() -> new Migrations.Change(" -- nothing ", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sql must hold at least one statement but was ' -- nothing '");
        assertThatThrownBy(() -> Migrations.builder().bigTableRows(-1))
                .hasMessage("bigTableRows must be >= 0 but was -1");
        assertThatThrownBy(() -> Migrations.builder().timeout(Duration.ZERO))
                .hasMessage("timeout must be positive but was PT0S");
        assertThatThrownBy(() -> Migrations.builder().lockTimeout(Duration.ofSeconds(-1)))
                .hasMessage("lockTimeout must be positive but was PT-1S");
        assertThatThrownBy(() -> Migrations.builder().schema(" ")).hasMessage("schema must not be blank but was ' '");
        assertThatThrownBy(() -> Migrations.builder().table("")).hasMessage("table must not be blank but was ''");
        assertThatThrownBy(() -> Migrations.builder().installedBy(null)).isInstanceOf(NullPointerException.class);
        assertThat(Migrations.builder().build().directory()).isEqualTo(Path.of("db/migration"));
    }
}
