package dev.pgagent.safety.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.safety.internal.AstWalker.TableRef;
import dev.pgagent.safety.internal.SqlLexer.Token;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DdlReaderTest {
    private static DdlReader.Reading read(String sql) {
        List<Token> tokens = PolicyEngine.split(SqlLexer.scan(sql).tokens()).get(0);
        return DdlReader.read(tokens);
    }

    private static List<String> names(List<TableRef> refs) {
        return refs.stream().map(TableRef::display).toList();
    }

    static Stream<Arguments> relations() {
        return Stream.of(
                Arguments.of("CREATE INDEX ON rental (customer_id)", List.of("rental")),
                Arguments.of(
                        "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY s.rental USING gin (doc jsonb_path_ops)"
                                + " INCLUDE (a) WHERE a > 0",
                        List.of("s.rental")),
                Arguments.of(
                        "CREATE TABLE t (LIKE a INCLUDING ALL, x int REFERENCES b (id), LIKE c)",
                        List.of("t", "a", "c", "b")),
                Arguments.of("CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1)", List.of("p1", "p")),
                Arguments.of("CREATE TABLE c (x int CHECK (x LIKE 'a%')) INHERITS (p, q)", List.of("c", "p", "q")),
                Arguments.of("CREATE SEQUENCE s OWNED BY public.t.id", List.of("s", "public.t")),
                Arguments.of(
                        "ALTER TABLE IF EXISTS ONLY t * ATTACH PARTITION t1 FOR VALUES FROM (1) TO (2)",
                        List.of("t", "t1")),
                Arguments.of("ALTER TABLE s.t RENAME TO u", List.of("s.t", "s.u")),
                Arguments.of("ALTER TABLE t SET SCHEMA archive", List.of("t", "archive.t")),
                Arguments.of("COMMENT ON COLUMN s.t.c IS 'x'", List.of("s.t")),
                Arguments.of("COMMENT ON CONSTRAINT k ON t IS NULL", List.of("t")),
                Arguments.of("DROP TABLE IF EXISTS a, s.b RESTRICT", List.of("a", "s.b")),
                Arguments.of("DROP TRIGGER IF EXISTS trg ON t", List.of("t")),
                Arguments.of(
                        "CREATE TRIGGER trg AFTER UPDATE OF a, b OR DELETE ON t FROM r FOR EACH ROW"
                                + " EXECUTE FUNCTION f()",
                        List.of("t", "r")),
                Arguments.of("CREATE STATISTICS st ON a, b FROM t", List.of("t")),
                Arguments.of("TRUNCATE TABLE ONLY a, b * RESTART IDENTITY", List.of("a", "b")),
                Arguments.of(
                        "CREATE MATERIALIZED VIEW IF NOT EXISTS mv (a) WITH (fillfactor = 70) AS SELECT 1"
                                + " WITH NO DATA",
                        List.of("mv")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("relations")
    void readsTheRelationsAFormNames(String sql, List<String> expected) {
        DdlReader.Reading r = read(sql);
        assertThat(r).isNotNull();
        assertThat(r.refusal).isNull();
        assertThat(names(r.relations)).containsExactlyElementsOf(expected);
    }

    @Test
    void returnsTheQueriesOfViewsAndCreateTableAsWithoutTheirTrailingClauses() {
        DdlReader.Reading view = read("CREATE VIEW v AS SELECT id FROM t WITH LOCAL CHECK OPTION");
        assertThat(view.queries).hasSize(1);
        assertThat(view.queries.get(0)).extracting(Token::value).containsExactly("select", "id", "from", "t");

        DdlReader.Reading ctas = read("CREATE TABLE c AS (SELECT 1) WITH NO DATA");
        assertThat(ctas.queries.get(0)).extracting(Token::value).containsExactly("(", "select", "1", ")");
    }

    @Test
    void refusesQueriesAndDataChangesWhereOnlyDefinitionsBelong() {
        assertThat(read("CREATE INDEX ON t ((SELECT 1))").refusal).contains("holds a query");
        assertThat(read("ALTER TABLE t ADD COLUMN x int DEFAULT (VALUES (1))").refusal)
                .contains("holds a query");
        assertThat(read("ALTER TABLE t ALTER COLUMN x SET DEFAULT 1, ADD COLUMN y int, DELETE FROM t").refusal)
                .contains("DELETE");
        assertThat(read("ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b").refusal)
                .contains("every table");
    }

    @Test
    void acceptsKeyWordsThatOnlyLookLikeDataChanges() {
        assertThat(read("CREATE TABLE t (a int REFERENCES o ON UPDATE SET NULL ON DELETE CASCADE)").refusal)
                .isNull();
        assertThat(read("CREATE TABLE log (update timestamptz, delete boolean)").refusal)
                .isNull();
        assertThat(read("CREATE TEMP TABLE s (id int) ON COMMIT DELETE ROWS").refusal)
                .isNull();
    }

    @Test
    void leavesFormsItDoesNotKnowToTheParser() {
        assertThat(read("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'"))
                .isNull();
        assertThat(read("CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING")).isNull();
        assertThat(read("CREATE SCHEMA s CREATE TABLE t (id int)")).isNull();
        assertThat(read("CREATE INDEX ON t")).isNull();
        assertThat(read("DROP TABLE")).isNull();
        assertThat(read("CREATE TABLE t AS EXECUTE p")).isNull();
    }
}
