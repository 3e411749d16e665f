package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.sql.Truncation;
import dev.pgagent.testsupport.TestPostgres;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WriteIT {
    static final ExecutionLimits LIMITS = ExecutionLimits.defaults();
    DataSource ds;
    PostgresDatabase db;

    @BeforeEach
    void setUp() {
        ds = TestPostgres.freshDatabase("write");
        Fixtures.exec(
                ds,
                "CREATE TABLE stock (id int PRIMARY KEY, qty int NOT NULL);"
                        + " INSERT INTO stock SELECT g, 10 FROM generate_series(1, 5) g;");
        db = PostgresDatabase.of(ds);
    }

    private String total() {
        return db.read("SELECT sum(qty) FROM stock", LIMITS, new QueryCancellation())
                .rows()
                .get(0)
                .get(0);
    }

    @Test
    void dryRunCountsAffectedRowsAndRollsBack() {
        WriteDryRun run = db.dryRun("UPDATE stock SET qty = qty + 1 WHERE id <= 3", LIMITS, new QueryCancellation());
        assertThat(run.affectedRows()).isEqualTo(3);
        assertThat(run.returnedRows()).isNull();
        assertThat(total()).isEqualTo("50");
    }

    @Test
    void dryRunCollectsReturningRowsCappedButCountsAll() {
        WriteDryRun run =
                db.dryRun("UPDATE stock SET qty = 0 RETURNING id, qty", LIMITS.withMaxRows(2), new QueryCancellation());
        assertThat(run.affectedRows()).isEqualTo(5);
        assertThat(run.returnedRows()).isNotNull();
        assertThat(run.returnedRows().rows()).containsExactly(List.of("1", "0"), List.of("2", "0"));
        assertThat(run.returnedRows().truncation()).isEqualTo(Truncation.ROW_LIMIT);
        assertThat(total()).isEqualTo("50");
    }

    @Test
    void dryRunOfDdlLeavesNothingBehind() {
        WriteDryRun run = db.dryRun("CREATE TABLE ghost (id int)", LIMITS, new QueryCancellation());
        assertThat(run.affectedRows()).isZero();
        assertThatThrownBy(() -> db.read("SELECT * FROM ghost", LIMITS, new QueryCancellation()))
                .isInstanceOfSatisfying(
                        DatabaseException.class, e -> assertThat(e.sqlState()).contains("42P01"));
    }

    @Test
    void applyCommitsWhenTheCountMatches() {
        long n = db.apply("DELETE FROM stock WHERE id > 3", 2, LIMITS, new QueryCancellation());
        assertThat(n).isEqualTo(2);
        assertThat(total()).isEqualTo("30");
    }

    @Test
    void applyRollsBackWhenTheCountDiffers() {
        assertThatThrownBy(() -> db.apply("DELETE FROM stock WHERE id > 1", 3, LIMITS, new QueryCancellation()))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("affected 4 rows but the dry run affected 3");
        assertThat(total()).isEqualTo("50");
    }

    @Test
    void applyRunsDdlWithoutACountCheck() {
        db.apply("CREATE TABLE audit_log (id int)", -1, LIMITS, new QueryCancellation());
        assertThat(db.read("SELECT count(*) FROM audit_log", LIMITS, new QueryCancellation())
                        .rows())
                .containsExactly(List.of("0"));
    }

    @Test
    void applyRollsBackOnAnError() {
        assertThatThrownBy(() -> db.apply("UPDATE stock SET qty = NULL", 5, LIMITS, new QueryCancellation()))
                .isInstanceOfSatisfying(
                        DatabaseException.class, e -> assertThat(e.sqlState()).contains("23502"));
        assertThat(total()).isEqualTo("50");
    }

    @Test
    void writesHonourTheLockTimeout() throws Exception {
        try (var locker = ds.getConnection()) {
            locker.setAutoCommit(false);
            locker.createStatement().execute("LOCK TABLE stock IN ACCESS EXCLUSIVE MODE");
            assertThatThrownBy(() -> db.dryRun(
                            "UPDATE stock SET qty = 1",
                            LIMITS.withLockTimeout(Duration.ofMillis(200)),
                            new QueryCancellation()))
                    .isInstanceOfSatisfying(
                            DatabaseException.class,
                            e -> assertThat(e.sqlState()).contains("55P03"));
            locker.rollback();
        }
    }

    @Test
    void refusesToStartWhenAlreadyCancelled() {
        QueryCancellation cancelled = new QueryCancellation();
        cancelled.cancel();
        assertThatThrownBy(() -> db.apply("DELETE FROM stock", 5, LIMITS, cancelled))
                .isInstanceOf(CancelledException.class);
        assertThat(total()).isEqualTo("50");
    }
}
