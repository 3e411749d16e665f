package dev.pgagent.db.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlTextTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            SELECT 1                                              | 1 | SELECT
            SELECT 1;                                             | 1 | SELECT
            '  ;; SELECT 1 ;; '                                   | 1 | SELECT
            SELECT 1; SELECT 2                                    | 2 | SELECT
            SELECT ';' AS semi                                    | 1 | SELECT
            SELECT 'it''s; fine'                                  | 1 | SELECT
            SELECT E'back\\'slash; still'                         | 1 | SELECT
            SELECT "we;ird" FROM t                                | 1 | SELECT
            SELECT $$a;b$$, $tag$ ; $$ ; $tag$                    | 1 | SELECT
            SELECT 1 -- trailing; comment                         | 1 | SELECT
            SELECT /* a; /* nested; */ b; */ 1                    | 1 | SELECT
            /* lead */ with x as (select 1) select * from x       | 1 | WITH
            commit                                                | 1 | COMMIT
            ''                                                    | 0 | ''
            -- only a comment                                     | 0 | ''
            SELECT 1; DROP TABLE t                                | 2 | SELECT
            """)
    void countsStatementsAndFindsTheFirstKeyword(String sql, int count, String keyword) {
        SqlText t = SqlText.scan(sql);
        assertThat(t.statementCount()).isEqualTo(count);
        assertThat(t.firstKeyword()).isEqualTo(keyword);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            SELECT j ? 'a' FROM t                  | SELECT j ?? 'a' FROM t
            SELECT '?' , "?" , $$?$$               | SELECT '?' , "?" , $$?$$
            SELECT 1 -- why?                       | SELECT 1 -- why?
            SELECT j ?& array['a'] /* ? */         | SELECT j ??& array['a'] /* ? */
            """)
    void doublesQuestionMarksOnlyOutsideLiteralsAndComments(String sql, String jdbc) {
        assertThat(SqlText.scan(sql).jdbcText()).isEqualTo(jdbc);
    }
}
