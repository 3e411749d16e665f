package dev.pgagent.core.eval.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoldSqlTest {
    @Test
    void knowsWhetherTheOutermostQueryOrders() {
        assertThat(GoldSql.ordersRows("SELECT name FROM singer ORDER BY age DESC LIMIT 3"))
                .isTrue();
        assertThat(GoldSql.ordersRows("SELECT name FROM singer")).isFalse();
        assertThat(GoldSql.ordersRows("SELECT name FROM (SELECT name FROM singer ORDER BY age) s"))
                .isFalse();
        assertThat(GoldSql.ordersRows("SELECT a FROM t UNION SELECT b FROM u ORDER BY 1"))
                .isTrue();
        assertThat(GoldSql.ordersRows("(SELECT a FROM t ORDER BY a)")).isTrue();
        assertThat(GoldSql.ordersRows("this is not sql")).isFalse();
    }

    @Test
    void findsTheTablesReadButNotCommonTableExpressions() {
        GoldSql sql = GoldSql.parse("WITH top AS (SELECT * FROM Singer) SELECT * FROM top JOIN other.\"Concert\" c"
                        + " ON true WHERE EXISTS (SELECT 1 FROM stadium)")
                .orElseThrow();

        assertThat(sql.tables("concert_singer"))
                .containsExactlyInAnyOrder("concert_singer.singer", "other.Concert", "concert_singer.stadium");
        assertThat(sql.tables("")).containsExactlyInAnyOrder("singer", "other.Concert", "stadium");
    }

    @Test
    void qualifiesTablesWrittenWithoutASchema() {
        String q = GoldSql.parse("WITH t AS (SELECT id FROM singer) SELECT count(*) FROM t, concert c, x.y")
                .orElseThrow()
                .qualified("concert_singer");
        assertThat(q)
                .contains("concert_singer.singer")
                .contains("concert_singer.concert c")
                .contains("x.y")
                .doesNotContain("concert_singer.t");

        // a db_id is read as an unquoted identifier: Spider's cre_Doc_Template_Mgt is the schema cre_doc_template_mgt
        assertThat(GoldSql.parse("SELECT 1 FROM s").orElseThrow().qualified("Cre_Doc"))
                .contains("cre_doc.s");
        assertThat(GoldSql.parse("SELECT 1 FROM s").orElseThrow().qualified("Odd Name"))
                .contains("\"odd name\".s");
        assertThat(GoldSql.parse("not sql at all")).isEmpty();
    }
}
