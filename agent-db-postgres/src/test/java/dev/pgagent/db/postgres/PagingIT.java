package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.testsupport.TestPostgres;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** execute_query says exactly whether more rows exist, and reads the next page of the same statement. */
class PagingIT {
    static Tool executeQuery;
    static DirectToolContext ctx;
    static PostgresDatabase db;

    @BeforeAll
    static void setUp() {
        DataSource ds = TestPostgres.freshDatabase("paging");
        Fixtures.exec(
                ds,
                "CREATE TABLE nums AS SELECT g AS id, repeat('x', 10) AS pad FROM generate_series(1, 250) g;"
                        + " CREATE TABLE hundred AS SELECT g AS id FROM generate_series(1, 100) g;"
                        + " CREATE TABLE wide AS SELECT g AS id, repeat(md5(g::text), 6) AS a, repeat(md5(g::text), 6) AS b"
                        + " FROM generate_series(1, 90) g;");
        db = PostgresDatabase.of(ds);
        executeQuery = PostgresTools.builtIns(db).get(0);
        ctx = new DirectToolContext(db, ExecutionLimits.defaults().withMaxRows(100));
    }

    private static ToolResult call(String sql, long offset) throws Exception {
        Map<String, Object> args = offset < 0 ? Map.of("sql", sql) : Map.of("sql", sql, "offset", offset);
        return executeQuery.execute(ToolArguments.of(args, new ObjectMapper().writeValueAsString(args)), ctx);
    }

    @Test
    void aCutResultSaysWhereTheNextPageStartsAndTheNextPageReadsOn() throws Exception {
        ToolResult first = call("SELECT id FROM nums ORDER BY id", -1);
        ToolResult second = call("SELECT id FROM nums ORDER BY id", 100);
        ToolResult last = call("SELECT id FROM nums ORDER BY id;", 200);

        assertThat(first.content())
                .contains("(100 rows; result truncated at the row limit")
                .endsWith("More rows exist. To read on, call execute_query with the same sql and \"offset\": 100.");
        assertThat(second.tables().get(0).rows().get(0)).containsExactly("101");
        assertThat(second.content())
                .contains("(rows 101 to 200 of the statement)")
                .contains("\"offset\": 200.");
        assertThat(last.tables().get(0).rowCount()).isEqualTo(50);
        assertThat(last.tables().get(0).rows().get(49)).containsExactly("250");
        assertThat(last.content())
                .contains("(rows 201 to 250 of the statement)")
                .doesNotContain("More rows");
    }

    @Test
    void exactlyTheRowLimitIsNotReportedAsCut() throws Exception {
        ToolResult r = call("SELECT id FROM hundred", -1);

        assertThat(r.tables().get(0).rowCount()).isEqualTo(100);
        assertThat(r.tables().get(0).isTruncated()).isFalse();
        assertThat(r.content()).endsWith("(100 rows)").doesNotContain("More rows");
    }

    @Test
    void rowsCutForSizeAreThePageBoundary() throws Exception {
        ToolResult r = call("SELECT * FROM wide ORDER BY id", -1);

        String tail = r.content().substring(r.content().lastIndexOf("\"offset\": ") + 10);
        int next = Integer.parseInt(tail.substring(0, tail.length() - 1));
        assertThat(r.content()).contains("the rest did not fit");
        assertThat(next).isBetween(1, 89);
        ToolResult following = call("SELECT * FROM wide ORDER BY id", next);
        assertThat(following.tables().get(0).rows().get(0).get(0)).isEqualTo(Integer.toString(next + 1));
        assertThat(r.content().length()).isLessThanOrEqualTo(PostgresTools.MAX_CHARS);
    }

    @Test
    void aNegativeOffsetIsAnError() throws Exception {
        assertThat(call("SELECT 1", -5).error()).isFalse(); // -5 here means "no offset argument"
        Map<String, Object> args = Map.of("sql", "SELECT 1", "offset", -1);
        ToolResult r = executeQuery.execute(ToolArguments.of(args, "{\"sql\":\"SELECT 1\",\"offset\":-1}"), ctx);
        assertThat(r.error()).isTrue();
    }

    @Test
    void pageStatementsWrapTheRead() {
        assertThat(Paging.page("SELECT 1;  ", 10, 5))
                .isEqualTo("SELECT * FROM (\nSELECT 1\n) AS pgagent_page OFFSET 10 LIMIT 5");
        assertThat(Paging.page("SELECT 1 -- why", 0, 0))
                .isEqualTo("SELECT * FROM (\nSELECT 1 -- why\n) AS pgagent_page");
        assertThat(db.read(
                                Paging.page("SELECT id FROM nums ORDER BY id -- c\n;", 3, 2),
                                ExecutionLimits.defaults(),
                                new QueryCancellation())
                        .rows())
                .containsExactly(List.of("4"), List.of("5"));
    }
}
