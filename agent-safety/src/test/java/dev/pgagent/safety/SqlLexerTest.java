package dev.pgagent.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.safety.internal.SqlLexer;
import dev.pgagent.safety.internal.SqlLexer.Kind;
import dev.pgagent.safety.internal.SqlLexer.Token;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlLexerTest {
    private static List<String> values(String sql) {
        SqlLexer.Result r = SqlLexer.scan(sql);
        assertThat(r.error()).as("scan error for %s", sql).isNull();
        return r.tokens().stream().map(Token::value).toList();
    }

    @Test
    void foldsUnquotedIdentifiersAndKeepsQuotedOnes() {
        assertThat(values("SELECT Foo, \"Bar\", \"a\"\"b\" FROM T"))
                .containsExactly("select", "foo", ",", "Bar", ",", "a\"b", "from", "t");
    }

    @Test
    void nestedBlockCommentsEndWhereTheOutermostEnds() {
        assertThat(values("SELECT 1 /* a /* b */ c */ , 2")).containsExactly("select", "1", ",", "2");
    }

    @Test
    void backslashesDoNotEscapeInStandardStringsButDoInEscapeStrings() {
        List<Token> plain = SqlLexer.scan("SELECT 'a\\', 1").tokens();
        assertThat(plain).extracting(Token::kind).containsExactly(Kind.WORD, Kind.STRING, Kind.PUNCT, Kind.NUMBER);
        List<Token> escaped = SqlLexer.scan("SELECT E'a\\'b', 1").tokens();
        assertThat(escaped.get(1).value()).isEqualTo("a\\'b");
        assertThat(escaped).hasSize(4);
    }

    @Test
    void dollarQuotesHideEverythingUntilTheirTag() {
        assertThat(values("SELECT $t$ ' ; -- $$ $t$, $$x$$, $1"))
                .containsExactly("select", " ' ; -- $$ ", ",", "x", ",", "$1");
    }

    @Test
    void stringsSeparatedByANewlineAreOneConstant() {
        assertThat(SqlLexer.scan("SELECT 'a'\n'b'").tokens()).hasSize(2);
        assertThat(SqlLexer.scan("SELECT 'a' 'b'").tokens()).hasSize(3);
    }

    @Test
    void longChainsOfContinuedStringsAreOneConstant() {
        String sql = "SELECT " + "'a'\n".repeat(50_000);
        assertThat(SqlLexer.scan(sql).tokens()).hasSize(2);
    }

    @Test
    void operatorsStopBeforeCommentStarts() {
        assertThat(values("SELECT 1*--x\n2, a->>'k', b::int"))
                .containsExactly("select", "1", "*", "2", ",", "a", "->>", "k", ",", "b", "::", "int");
    }

    @Test
    void reportsWhatCannotBeScanned() {
        assertThat(SqlLexer.scan("SELECT 'open").error()).contains("unterminated string");
        assertThat(SqlLexer.scan("SELECT /* open").error()).contains("unterminated block comment");
        assertThat(SqlLexer.scan("SELECT \"open").error()).contains("unterminated quoted identifier");
        assertThat(SqlLexer.scan("SELECT $$open").error()).contains("unterminated dollar-quoted");
        assertThat(SqlLexer.scan("SELECT U&\"x\"").error()).contains("Unicode-escaped");
        assertThat(SqlLexer.scan("SELECT `x`").error()).contains("`");
    }
}
