package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.testsupport.TestPostgres;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Health checks on a fresh database with each problem made on purpose. */
class DatabaseHealthIT {
    static DataSource ds;
    static DirectToolContext ctx;

    @BeforeAll
    static void setUp() {
        ds = TestPostgres.freshDatabase("health");
        Fixtures.exec(ds, """
                CREATE TABLE items (id int PRIMARY KEY, code text, note text);
                INSERT INTO items SELECT g, 'c' || (g % 10), md5(g::text) FROM generate_series(1, 5000) g;
                CREATE INDEX items_note_a ON items (note);
                CREATE INDEX items_note_b ON items (note);
                DELETE FROM items WHERE id > 1000;
                CREATE SEQUENCE small_seq AS smallint;
                SELECT setval('small_seq', 30000);
                CREATE SEQUENCE roomy_seq;
                SELECT setval('roomy_seq', 30000);
                """);
        // ANALYZE writes live and dead row counts to the statistics at once (no asynchronous flush to wait for)
        Fixtures.exec(ds, "ANALYZE items");
        assertThatThrownBy(() -> Fixtures.exec(ds, "CREATE UNIQUE INDEX CONCURRENTLY items_code_key ON items (code)"))
                .hasMessageContaining("could not create unique index");
        ctx = new DirectToolContext(PostgresDatabase.of(ds), ExecutionLimits.defaults().withMaxRows(100));
    }

    @Test
    void reportsEachProblemWithItsFix() {
        DatabaseHealth.Report r = DatabaseHealth.check(ctx.sql());

        assertThat(r.skipped()).isEmpty();
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("duplicate_index");
            assertThat(i.subject()).isEqualTo("items");
            assertThat(i.message()).contains("items_note_a, items_note_b");
        });
        assertThat(r.issues()).filteredOn(i -> i.check().equals("unused_index"))
                .extracting(DatabaseHealth.Issue::subject)
                .contains("public.items_note_a", "public.items_note_b")
                .doesNotContain("public.items_pkey");
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("invalid_index");
            assertThat(i.subject()).isEqualTo("items_code_key");
            assertThat(i.fix()).startsWith("REINDEX INDEX CONCURRENTLY items_code_key");
        });
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("dead_rows");
            assertThat(i.subject()).isEqualTo("public.items");
            assertThat(i.message()).contains("4000 dead rows against 1000 live");
        });
        assertThat(r.issues()).anySatisfy(i -> {
            assertThat(i.check()).isEqualTo("never_vacuumed");
            assertThat(i.subject()).isEqualTo("public.items");
        });
        assertThat(r.issues()).filteredOn(i -> i.check().equals("never_analyzed")).isEmpty();
        assertThat(r.issues()).filteredOn(i -> i.check().equals("sequence_exhaustion"))
                .singleElement()
                .satisfies(i -> {
                    assertThat(i.subject()).isEqualTo("public.small_seq");
                    assertThat(i.message()).isEqualTo("is at 30000 of max 32767.");
                });
        assertThat(r.facts()).anySatisfy(f -> assertThat(f).startsWith("connections: "))
                .anySatisfy(f -> assertThat(f).startsWith("cache hit ratio: "));
    }

    @Test
    void toolReturnsTheReportAsText() throws Exception {
        ToolResult r = PostgresTools.databaseHealth().execute(ToolArguments.EMPTY, ctx);

        assertThat(r.error()).isFalse();
        assertThat(r.content()).startsWith("Health issues (")
                .contains("- [duplicate_index] items: indexes items_note_a, items_note_b", "Fix: ",
                        "* connections: ");
    }
}
