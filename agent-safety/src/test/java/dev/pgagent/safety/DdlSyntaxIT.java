package dev.pgagent.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ground truth from PostgreSQL for {@code ddl.tsv}: every schema change the corpus labels as confirmable DDL is
 * valid PostgreSQL syntax. Each runs in a transaction that is rolled back; PostgreSQL may refuse it for a missing
 * object, a missing extension or CONCURRENTLY inside a transaction block, but never with a syntax error (SQLSTATE
 * 42601), which PostgreSQL raises before it looks at any object. So the validator's readings are of real statements.
 */
class DdlSyntaxIT {
    private static final String SYNTAX_ERROR = "42601";
    private static DataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestPostgres.freshDatabase("ddlsyntax");
    }

    private static List<String> confirmableDdl() {
        Set<String> out = new LinkedHashSet<>();
        for (Corpus.Case c : Corpus.load()) {
            if (c.file().equals("ddl.tsv") && c.decision() == Decision.CONFIRM && c.kind() == StatementKind.DDL) {
                out.add(c.sql());
            }
        }
        return new ArrayList<>(out);
    }

    /** Runs {@code sql} in a transaction that is rolled back; returns the SQLSTATE of a failure, or null. */
    private static String sqlState(Connection c, String sql) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL statement_timeout = '5s'");
            s.execute(sql);
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        } finally {
            c.rollback();
        }
    }

    @Test
    void everyConfirmableSchemaChangeOfTheCorpusIsValidPostgresql() throws SQLException {
        List<String> statements = confirmableDdl();
        assertThat(statements).hasSizeGreaterThan(100);
        List<String> syntaxErrors = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            for (String sql : statements) {
                if (SYNTAX_ERROR.equals(sqlState(c, sql))) {
                    syntaxErrors.add(sql);
                }
            }
        }
        System.out.println("ddl.tsv confirmable schema changes checked against PostgreSQL: " + statements.size());
        assertThat(syntaxErrors).as("statements PostgreSQL cannot parse").isEmpty();
    }

    @Test
    void refusedSubqueriesInDefinitionsAreRefusedByPostgresqlToo() throws SQLException {
        // The reader refuses a query in a definition without parsing it; PostgreSQL refuses it as well (0A000
        // feature_not_supported or 42601), so no valid statement is lost.
        List<String> traps = List.of(
                "CREATE TABLE t (a int DEFAULT (SELECT 1))",
                "CREATE TABLE t (a int CHECK (a IN (SELECT 1)))",
                "CREATE TABLE t (a int, b int GENERATED ALWAYS AS ((SELECT 1)) STORED)",
                "CREATE TABLE p (a int) PARTITION BY RANGE ((SELECT 1))");
        try (Connection c = dataSource.getConnection()) {
            for (String sql : traps) {
                assertThat(sqlState(c, sql)).as(sql).isIn("0A000", "42601");
            }
        }
    }
}
