package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.testsupport.TestPostgres;
import java.time.Duration;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FreshnessIT {
    DataSource ds;
    PostgresDatabase db;

    @BeforeEach
    void setUp() {
        ds = TestPostgres.freshDatabase("fresh");
        Fixtures.exec(ds, "CREATE TABLE a (id int PRIMARY KEY)");
        db = PostgresDatabase.builder()
                .dataSource(ds)
                .schemaCheckInterval(Duration.ZERO)
                .build();
    }

    /** Calls schema() until it satisfies the condition, for up to 5 s (statistics-based signals lag ~1 s). */
    private SchemaModel eventually(Predicate<SchemaModel> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        SchemaModel m = db.schema();
        while (!condition.test(m) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            m = db.schema();
        }
        return m;
    }

    @Test
    void returnsTheCachedModelWhileNothingChanged() {
        SchemaModel first = db.schema();
        assertThat(db.schema()).isSameAs(first);
        assertThat(db.schema()).isSameAs(first);
    }

    @Test
    void seesANewTableAtOnce() {
        db.schema();
        Fixtures.exec(ds, "CREATE TABLE b (id int)");
        assertThat(db.schema().table("b")).isPresent();
    }

    @Test
    void seesANewColumnAtOnce() {
        db.schema();
        Fixtures.exec(ds, "ALTER TABLE a ADD COLUMN note text");
        assertThat(db.schema().table("a").orElseThrow().column("note")).isPresent();
    }

    @Test
    void seesANewCommentAtOnce() {
        db.schema();
        Fixtures.exec(ds, "COMMENT ON TABLE a IS 'the a table'");
        assertThat(db.schema().table("a").orElseThrow().comment()).isEqualTo("the a table");
        Fixtures.exec(ds, "COMMENT ON COLUMN a.id IS 'key'");
        assertThat(db.schema()
                        .table("a")
                        .orElseThrow()
                        .column("id")
                        .orElseThrow()
                        .comment())
                .isEqualTo("key");
    }

    @Test
    void seesAColumnRenameThroughStatisticsShortlyAfter() throws InterruptedException {
        Fixtures.exec(ds, "ALTER TABLE a ADD COLUMN old_name text");
        db.schema();
        Fixtures.exec(ds, "ALTER TABLE a RENAME COLUMN old_name TO new_name");
        SchemaModel m =
                eventually(s -> s.table("a").orElseThrow().column("new_name").isPresent());
        assertThat(m.table("a").orElseThrow().column("new_name")).isPresent();
    }

    @Test
    void seesANewEnumLabel() {
        Fixtures.exec(ds, "CREATE TYPE color AS ENUM ('red')");
        db.schema();
        Fixtures.exec(ds, "ALTER TYPE color ADD VALUE 'blue'");
        assertThat(db.schema().enumType("color").orElseThrow().labels()).containsExactly("red", "blue");
    }

    @Test
    void refreshesOnlyTheChangedTableAndSharesTheOthers() {
        Fixtures.exec(ds, "CREATE TABLE b (id int); CREATE TABLE c (id int REFERENCES a (id))");
        SchemaModel first = db.schema();
        Fixtures.exec(ds, "COMMENT ON TABLE b IS 'the b table'");
        SchemaModel second = db.schema();
        assertThat(second.table("b").orElseThrow().comment()).isEqualTo("the b table");
        assertThat(second.table("a").orElseThrow()).isSameAs(first.table("a").orElseThrow());
        assertThat(second.table("c").orElseThrow()).isSameAs(first.table("c").orElseThrow());
        Fixtures.exec(ds, "ALTER TABLE a RENAME TO aa");
        SchemaModel third = db.schema();
        assertThat(third.table("c").orElseThrow().foreignKeys().get(0).referencedTable())
                .isEqualTo("aa");
        assertThat(third.table("b").orElseThrow()).isSameAs(second.table("b").orElseThrow());
        assertThat(third.tables()).isEqualTo(db.refreshSchema().tables());
    }

    @Test
    void usesTheCacheWithoutCheckingWithinTheInterval() {
        PostgresDatabase lazy = PostgresDatabase.builder()
                .dataSource(ds)
                .schemaCheckInterval(Duration.ofHours(1))
                .build();
        SchemaModel first = lazy.schema();
        Fixtures.exec(ds, "CREATE TABLE c (id int)");
        assertThat(lazy.schema()).isSameAs(first);
        assertThat(lazy.refreshSchema().table("c")).isPresent();
        assertThat(lazy.schema().table("c")).isPresent();
    }
}
