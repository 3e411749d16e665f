package dev.pgagent.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalQuestionsTest {
    @TempDir
    Path dir;

    @Test
    void readsSpiderAsAJsonArraySkippingItsParsedSqlObject() throws Exception {
        Path file = dir.resolve("dev.json");
        Files.writeString(file, """
                [{"db_id": "concert_singer", "query": "SELECT count(*) FROM singer",
                  "question": "How many singers do we have?", "sql": {"select": [false, []]}},
                 {"db_id": "pets_1", "query": "SELECT avg(weight) FROM pets", "question": "Mean weight?",
                  "hardness": "easy"}]
                """);

        List<EvalQuestion> qs = EvalQuestions.read(file);

        assertThat(qs).hasSize(2);
        EvalQuestion q = qs.get(0);
        assertThat(q.id()).isEqualTo("0");
        assertThat(q.question()).isEqualTo("How many singers do we have?");
        assertThat(q.goldSql()).isEqualTo("SELECT count(*) FROM singer");
        assertThat(q.database()).isEqualTo("concert_singer");
        assertThat(q.difficulty()).isEqualTo(EvalQuestion.UNKNOWN_DIFFICULTY);
        assertThat(q.hint()).isEmpty();
        assertThat(q.prompt()).isEqualTo("How many singers do we have?");
        assertThat(q.tables()).isEmpty();
        assertThat(qs.get(1).id()).isEqualTo("1");
        assertThat(qs.get(1).difficulty()).isEqualTo("easy");
    }

    @Test
    void readsBirdWithEvidenceDifficultyAndIds() {
        List<EvalQuestion> qs = EvalQuestions.parse("""
                [{"question_id": 7, "db_id": "california_schools", "question": "Highest free meal rate?",
                  "evidence": "rate = free / enrollment", "SQL": "SELECT max(rate) FROM frpm",
                  "difficulty": "simple"}]
                """, "bird.json");

        EvalQuestion q = qs.get(0);
        assertThat(q.id()).isEqualTo("7");
        assertThat(q.hint()).isEqualTo("rate = free / enrollment");
        assertThat(q.prompt()).isEqualTo("Highest free meal rate?\nHint: rate = free / enrollment");
        assertThat(q.goldSql()).isEqualTo("SELECT max(rate) FROM frpm");
        assertThat(q.difficulty()).isEqualTo("simple");
    }

    @Test
    void readsJsonLinesWithTablesAndSkipsBlankLines() {
        List<EvalQuestion> qs = EvalQuestions.parse("""
                {"question": "How many singers?", "db_id": "concert_singer", "tables": ["Concert_Singer.Singer"],\
                 "sql": "SELECT count(*) FROM singer"}

                {"id": "x2", "question": "Name them", "database": "concert_singer", "sql": "SELECT name FROM singer",\
                 "hint": "all of them"}
                """, "q.jsonl");

        assertThat(qs).extracting(EvalQuestion::id).containsExactly("0", "x2");
        assertThat(qs.get(0).tables()).containsExactly("concert_singer.singer");
        assertThat(qs.get(1).database()).isEqualTo("concert_singer");
        assertThat(qs.get(1).hint()).isEqualTo("all of them");
    }

    @Test
    void reportsWhereAnEntryIsBad() {
        assertThatThrownBy(
                        () -> EvalQuestions.parse("{\"question\": \"q\", \"sql\": \"SELECT 1\"}\n{oops\n", "q.jsonl"))
                .isInstanceOf(EvalFileException.class)
                .hasMessageStartingWith("q.jsonl:2: not a JSON object");
        assertThatThrownBy(() -> EvalQuestions.parse("[{\"question\": \"q\"}]", "a.json"))
                .isInstanceOf(EvalFileException.class)
                .hasMessage("a.json: entry 0: no gold SQL (field 'SQL', 'query' or 'sql')");
        assertThatThrownBy(() -> EvalQuestions.parse("[{\"sql\": \"SELECT 1\"}]", "a.json"))
                .isInstanceOf(EvalFileException.class)
                .hasMessage("a.json: entry 0: no question (field 'question')");
        assertThatThrownBy(() -> EvalQuestions.parse("[1]", "a.json"))
                .isInstanceOf(EvalFileException.class)
                .hasMessage("a.json: entry 0: expected a JSON object but was number");
        assertThatThrownBy(() -> EvalQuestions.parse(
                        "[{\"id\": 1, \"question\": \"q\", \"sql\": \"SELECT 1\"},"
                                + " {\"id\": \"1\", \"question\": \"r\", \"sql\": \"SELECT 2\"}]",
                        "a.json"))
                .isInstanceOf(EvalFileException.class)
                .hasMessage("a.json: the identifier 1 is used twice");
        assertThatThrownBy(() -> EvalQuestions.read(dir.resolve("missing.json")))
                .isInstanceOf(EvalFileException.class)
                .hasMessageContaining("cannot read the question file");
    }

    @Test
    void questionsValidateTheirParts() {
        assertThatThrownBy(() -> EvalQuestion.builder(" ", "q", "SELECT 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id must not be blank but was ' '");
        EvalQuestion q = EvalQuestion.builder("1", "q", "SELECT 1")
                .difficulty(" ")
                .database("db")
                .tables(List.of("a.b"))
                .build();
        assertThat(q.difficulty()).isEqualTo(EvalQuestion.UNKNOWN_DIFFICULTY);
        assertThat(q)
                .isEqualTo(EvalQuestion.builder("1", "q", "SELECT 1")
                        .database("db")
                        .tables(List.of("a.b"))
                        .build());
        assertThat(q.hashCode())
                .isEqualTo(EvalQuestion.builder("1", "q", "SELECT 1")
                        .database("db")
                        .tables(List.of("a.b"))
                        .build()
                        .hashCode());
        assertThat(q.toString()).contains("id=1").contains("database=db");
    }
}
