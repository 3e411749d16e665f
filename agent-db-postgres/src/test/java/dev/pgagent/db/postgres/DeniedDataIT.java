package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.testsupport.TestPostgres;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Denied tables and columns are checked on PostgreSQL's plan: views, inheritance and matviews do not hide them. */
class DeniedDataIT {
    static final ExecutionLimits COLUMN_RULE =
            ExecutionLimits.defaults().withDenied(new DeniedData(Set.of(), Set.of("hr.people.ssn")));
    static final ExecutionLimits TABLE_RULE =
            ExecutionLimits.defaults().withDenied(new DeniedData(Set.of("hr.salaries"), Set.of()));
    static PostgresDatabase db;

    @BeforeAll
    static void setUp() {
        DataSource ds = TestPostgres.freshDatabase("denied");
        Fixtures.exec(ds, """
                CREATE SCHEMA hr;
                CREATE TABLE hr.people (id int PRIMARY KEY, name text, ssn text);
                CREATE INDEX people_ssn ON hr.people (ssn);
                CREATE TABLE hr.contractors (agency text) INHERITS (hr.people);
                INSERT INTO hr.people VALUES (1, 'Ann', '078-05-1120'), (2, 'Bo', '219-09-9999');
                INSERT INTO hr.contractors VALUES (3, 'Cy', '457-55-5462', 'Acme');
                CREATE VIEW hr.directory AS SELECT id, name FROM hr.people;
                CREATE VIEW hr.leaky AS SELECT id, name, ssn AS note FROM hr.people;
                CREATE VIEW hr.filtered AS SELECT id, name FROM hr.people WHERE ssn LIKE '0%';
                CREATE VIEW hr.nested AS SELECT id, upper(note) AS tag FROM hr.leaky;
                CREATE MATERIALIZED VIEW hr.snapshot AS SELECT id, ssn FROM hr.people;
                CREATE MATERIALIZED VIEW hr.names AS SELECT id, name FROM hr.people;
                CREATE TABLE hr.salaries (person_id int, amount numeric) PARTITION BY RANGE (amount);
                CREATE TABLE hr.salaries_low PARTITION OF hr.salaries FOR VALUES FROM (0) TO (50000);
                CREATE TABLE hr.salaries_high PARTITION OF hr.salaries FOR VALUES FROM (50000) TO (MAXVALUE);
                INSERT INTO hr.salaries VALUES (1, 40000), (2, 90000);
                CREATE VIEW hr.payroll AS
                  SELECT p.name, s.amount FROM hr.people p JOIN hr.salaries s ON s.person_id = p.id;
                CREATE TABLE public.people (id int, ssn text);
                INSERT INTO public.people VALUES (1, 'not secret');
                """);
        db = PostgresDatabase.of(ds);
    }

    private static List<List<String>> read(String sql, ExecutionLimits limits) {
        return db.read(sql, limits, new QueryCancellation()).rows();
    }

    private static void assertRefused(String sql, ExecutionLimits limits, String reason) {
        assertThatThrownBy(() -> read(sql, limits))
                .isInstanceOf(DeniedDataException.class)
                .hasMessageStartingWith("refused: ")
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT note FROM hr.leaky",
                "SELECT * FROM hr.leaky",
                "SELECT l FROM hr.leaky l",
                "SELECT to_jsonb(l) FROM hr.leaky l",
                "SELECT tag FROM hr.nested",
                "SELECT x FROM (SELECT note AS x FROM hr.leaky) s",
                "WITH c AS (SELECT * FROM hr.leaky) SELECT count(*) FROM c WHERE note LIKE '078%'",
                "SELECT count(*) FROM hr.leaky WHERE note = '078-05-1120'",
                "SELECT id FROM hr.leaky ORDER BY note",
                "SELECT note, count(*) FROM hr.leaky GROUP BY note",
                "SELECT p.name FROM hr.people p JOIN hr.people q ON q.ssn = p.ssn",
                "SELECT (SELECT max(note) FROM hr.leaky)",
                "SELECT id FROM hr.directory WHERE id IN (SELECT id FROM hr.leaky WHERE note > '1')",
                "SELECT count(*) FROM hr.filtered",
                "SELECT ssn FROM hr.contractors",
                "SELECT c FROM hr.contractors c",
                "SELECT id FROM hr.snapshot",
                "SELECT \"Odd\".x FROM (SELECT 'a\"b' AS x, * FROM hr.leaky WHERE note = 'x''\"y') \"Odd\""
            })
    void refusesReadsThatReachADeniedColumn(String sql) {
        assertRefused(sql, COLUMN_RULE, "denied column");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT * FROM hr.directory",
                "SELECT id, name FROM hr.leaky",
                "SELECT count(*) FROM hr.leaky",
                "SELECT name FROM hr.contractors WHERE agency = 'Acme'",
                "SELECT * FROM hr.names",
                "SELECT ssn FROM public.people",
                "SELECT name, count(*) FROM hr.people GROUP BY name",
                "SELECT name, count(*) FROM hr.leaky GROUP BY name ORDER BY 1",
                "SELECT p.name, count(*) FROM hr.people p JOIN hr.people q ON q.id = p.id GROUP BY p.name",
                "SELECT d.name FROM hr.directory d JOIN hr.contractors c USING (id) WHERE c.agency = 'Acme'",
                "SELECT 'hr.people.ssn', 'ssn' AS ssn",
                "SELECT id FROM hr.people WHERE name <> 'ssn'"
            })
    void allowsReadsThatDoNot(String sql) {
        assertThat(read(sql, COLUMN_RULE)).isNotEmpty();
    }

    @Test
    void namesTheColumnAndTheRelationScanned() {
        assertRefused("SELECT note FROM hr.leaky", COLUMN_RULE, "denied column hr.people.ssn");
        assertRefused(
                "SELECT ssn FROM hr.contractors",
                COLUMN_RULE,
                "denied column hr.contractors.ssn: PostgreSQL's plan of it reads that column (an inheritance child"
                        + " or partition of hr.people)");
        assertRefused(
                "SELECT id FROM hr.snapshot",
                COLUMN_RULE,
                "materialized view hr.snapshot, whose definition: the statement reads denied column hr.people.ssn");
    }

    @Test
    void refusesReadsThatReachADeniedTableThroughViewsAndPartitions() {
        assertRefused("SELECT * FROM hr.payroll", TABLE_RULE, "denied table hr.salaries");
        assertRefused(
                "SELECT sum(amount) FROM hr.salaries_high",
                TABLE_RULE,
                "denied table hr.salaries: PostgreSQL's plan scans hr.salaries_high");
        assertThat(read("SELECT count(*) FROM hr.directory", TABLE_RULE)).containsExactly(List.of("3"));
    }

    @Test
    void checksWritesAndExplainsToo() {
        assertThatThrownBy(
                        () -> db.dryRun("UPDATE hr.salaries_low SET amount = 1", TABLE_RULE, new QueryCancellation()))
                .isInstanceOfSatisfying(
                        DeniedDataException.class,
                        e -> assertThat(e.reason()).startsWith("the statement reads denied table hr.salaries"));
        assertThatThrownBy(() -> db.dryRun(
                        "UPDATE hr.directory SET name = 'x' WHERE name IN (SELECT note FROM" + " hr.leaky)",
                        COLUMN_RULE,
                        new QueryCancellation()))
                .hasMessageContaining("refused: the statement reads denied column hr.people.ssn");
        assertThatThrownBy(() -> db.explainJson("SELECT * FROM hr.leaky", COLUMN_RULE, new QueryCancellation()))
                .hasMessageContaining("refused: the statement reads denied column");
        assertThat(db.dryRun(
                                "UPDATE hr.directory SET name = upper(name) WHERE id = 1",
                                COLUMN_RULE,
                                new QueryCancellation())
                        .affectedRows())
                .isEqualTo(1);
    }

    @Test
    void aMaterializedViewWhoseDefinitionTheRoleCannotPlanIsRefused() {
        Fixtures.exec(
                db.dataSource(),
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles"
                        + " WHERE rolname = 'pgagent_denied_reader') THEN CREATE ROLE pgagent_denied_reader; END IF; END $$;"
                        + " GRANT USAGE ON SCHEMA hr TO pgagent_denied_reader;"
                        + " GRANT SELECT ON hr.names TO pgagent_denied_reader;");
        ExecutionLimits asReader = COLUMN_RULE.withRole("pgagent_denied_reader");
        assertRefused("SELECT * FROM hr.names", asReader, "whose definition could not be checked for denied data");
        assertThat(read(
                        "SELECT count(*) FROM hr.names",
                        ExecutionLimits.defaults().withRole("pgagent_denied_reader")))
                .containsExactly(List.of("3"));
    }

    @Test
    void planningErrorsAreTheStatementsOwn() {
        assertThatThrownBy(() -> read("SELECT nope FROM hr.leaky", COLUMN_RULE))
                .isInstanceOfSatisfying(
                        DatabaseException.class, e -> assertThat(e.sqlState()).contains("42703"));
    }

    @Test
    void noRulesNoCheck() {
        assertThat(read("SELECT note FROM hr.leaky ORDER BY id", ExecutionLimits.defaults()))
                .containsExactly(List.of("078-05-1120"), List.of("219-09-9999"), List.of("457-55-5462"));
    }
}
