package dev.pgagent.core.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.core.AgentDatabase;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.llm.openai.OpenAiLlmClient;
import dev.pgagent.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness end to end: a scripted model in OpenAI's wire format, the real agent, a real PostgreSQL. */
class EvaluationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DataSource ds;
    private static DataSource second;

    @TempDir
    Path dir;

    private QuestionModel model;
    private PostgresAgent agent;

    @BeforeAll
    static void createDatabases() throws Exception {
        ds = TestPostgres.freshDatabase("eval_it");
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA concert");
            st.execute("CREATE TABLE concert.singer (singer_id int PRIMARY KEY, name text NOT NULL, country text,"
                    + " age int)");
            st.execute("INSERT INTO concert.singer VALUES (1, 'Joe Sharp', 'Netherlands', 52),"
                    + " (2, 'Timbaland', 'United States', 32), (3, 'Justin Brown', 'France', 29),"
                    + " (4, 'Rose White', 'France', 41), (5, 'John Nizinik', 'France', 43), (6, 'Tribal King',"
                    + " NULL, 25)");
            st.execute("CREATE TABLE concert.concert (concert_id int PRIMARY KEY, concert_name text, year int,"
                    + " singer_id int REFERENCES concert.singer)");
            st.execute("INSERT INTO concert.concert VALUES (1, 'Auditions', 2014, 1), (2, 'Super bootcamp', 2014, 2),"
                    + " (3, 'Home Visits', 2015, 2)");
            st.execute("CREATE SCHEMA pets");
            st.execute("CREATE TABLE pets.pet (pet_id int PRIMARY KEY, kind text, weight numeric)");
            st.execute("INSERT INTO pets.pet VALUES (1, 'cat', 12.0), (2, 'dog', 13.4), (3, 'dog', 9.3)");
        }
        second = TestPostgres.freshDatabase("eval_it_second");
        try (Connection c = second.getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE gadgets (id int PRIMARY KEY, label text)");
            st.execute("INSERT INTO gadgets VALUES (1, 'lamp'), (2, 'clock')");
        }
    }

    @BeforeEach
    void startModel() throws Exception {
        model = new QuestionModel();
        agent = agent(false);
    }

    private PostgresAgent agent(boolean twoDatabases) {
        PostgresAgent.Builder b = PostgresAgent.builder()
                .llm(OpenAiLlmClient.builder()
                        .apiKey("sk-test-not-a-real-key")
                        .baseUrl(model.baseUrl())
                        .model("gpt-4o-mini")
                        .retries(false)
                        .build())
                .dataSource(ds)
                // a cold parser on a loaded machine (or under a coverage agent) may need more than the default 2 s
                .safetyValidator(dev.pgagent.safety.JSqlParserSafetyValidator.builder()
                        .parseTimeout(java.time.Duration.ofMinutes(1))
                        .build())
                .maxSteps(4);
        if (twoDatabases) {
            b.addDatabase(AgentDatabase.builder("gadgets")
                    .description("gadgets")
                    .dataSource(second)
                    .build());
        }
        return b.build();
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
        model.close();
    }

    private static EvalQuestion q(String id, String question, String gold, String difficulty) {
        return EvalQuestion.builder(id, question, gold)
                .difficulty(difficulty)
                .database("concert")
                .build();
    }

    @Test
    void scoresRightWrongFailingRefusedAndGoldErrors() throws Exception {
        model.runs("older than thirty", "SELECT name FROM concert.singer WHERE age >= 31 ORDER BY name")
                .runs("name and age", "SELECT age, name FROM concert.singer ORDER BY age")
                .runs("from France", "SELECT count(*) FROM concert.singer")
                .runs("youngest to oldest", "SELECT name FROM concert.singer ORDER BY age DESC")
                .runs("mean weight", "SELECT round(avg(weight), 8) FROM pets.pet")
                .fails("sold best")
                .runs("remove every singer", "DELETE FROM concert.singer WHERE age > 0")
                .talks("meaning of life")
                .runs("broken gold", "SELECT 1");
        List<EvalQuestion> questions = List.of(
                q(
                        "right",
                        "Which singers are older than thirty?",
                        "SELECT name FROM concert.singer WHERE age > 30",
                        "easy"),
                q("columns", "List each singer's name and age.", "SELECT name, age FROM concert.singer", "easy"),
                q(
                        "wrong",
                        "How many singers are from France?",
                        "SELECT count(*) FROM concert.singer WHERE country = 'France'",
                        "medium"),
                q(
                        "order",
                        "Name the singers from youngest to oldest.",
                        "SELECT name FROM concert.singer ORDER BY age",
                        "medium"),
                EvalQuestion.builder(
                                "tolerance", "What is the mean weight of the pets?", "SELECT avg(weight) FROM pets.pet")
                        .hint("weight is in kilograms")
                        .difficulty("hard")
                        .build(),
                q("failing", "Which concert sold best?", "SELECT concert_name FROM concert.concert", "hard"),
                q("refused", "Please remove every singer.", "SELECT count(*) FROM concert.singer", "hard"),
                q("talk", "What is the meaning of life?", "SELECT 42", "extra"),
                q("gold", "Answer the broken gold question.", "SELECT no_such_column FROM concert.singer", "extra"));
        List<EvalResult> seen = new CopyOnWriteArrayList<>();

        EvalReport report = Evaluation.builder()
                .agent(agent)
                .listener(seen::add)
                .pricing(new Pricing(1.0, 2.0))
                .build()
                .run(questions);

        assertThat(report.results())
                .extracting(EvalResult::id)
                .containsExactly(
                        "right", "columns", "wrong", "order", "tolerance", "failing", "refused", "talk", "gold");
        assertThat(report.results())
                .extracting(EvalResult::status)
                .containsExactly(
                        EvalStatus.CORRECT,
                        EvalStatus.CORRECT,
                        EvalStatus.WRONG,
                        EvalStatus.WRONG,
                        EvalStatus.CORRECT,
                        EvalStatus.FAILED,
                        EvalStatus.REFUSED,
                        EvalStatus.REFUSED,
                        EvalStatus.GOLD_ERROR);
        EvalResult right = report.results().get(0);
        assertThat(right.predictedSql()).isEqualTo("SELECT name FROM concert.singer WHERE age >= 31 ORDER BY name");
        assertThat(right.steps()).isEqualTo(2);
        assertThat(right.inputTokens()).isEqualTo(QuestionModel.CALL_IN + QuestionModel.ANSWER_IN);
        assertThat(right.outputTokens()).isEqualTo(QuestionModel.CALL_OUT + QuestionModel.ANSWER_OUT);
        assertThat(right.latency()).isPositive();
        assertThat(right.database()).isEqualTo("concert");
        assertThat(report.results().get(2).error()).contains("differs from the gold result");
        assertThat(report.results().get(3).error()).contains("in order");
        assertThat(report.results().get(5).error()).startsWith("the ask ended FAILED");
        assertThat(report.results().get(6).error()).isEqualTo("the safety policy refused the model's statements");
        assertThat(report.results().get(7).error()).isEqualTo("the model answered without running a query");
        assertThat(report.results().get(8).error())
                .startsWith("the gold SQL did not run")
                .contains("no_such_column");
        // the gold failed first: the model was not asked
        assertThat(model.asked("broken gold")).isZero();
        assertThat(model.userMessages())
                .anySatisfy(m ->
                        assertThat(m).isEqualTo("What is the mean weight of the pets?\nHint: weight is in kilograms"));
        assertThat(seen).hasSize(9);

        EvalSummary all = report.summary();
        assertThat(all.scored()).isEqualTo(8);
        assertThat(all.accuracy()).isEqualTo(3 / 8.0);
        assertThat(all.count(EvalStatus.REFUSED)).isEqualTo(2);
        assertThat(all.estimatedCost()).isPresent();
        assertThat(report.byDifficulty().keySet()).containsExactly("easy", "medium", "hard", "extra");
        assertThat(report.byDifficulty().get("easy").accuracy()).isEqualTo(1.0);
        JsonNode doc = JSON.readTree(report.toJson());
        assertThat(doc.get("summary").get("correct").asInt()).isEqualTo(3);
        assertThat(doc.get("byDifficulty").get("medium").get("wrong").asInt()).isEqualTo(2);
        assertThat(report.toTable()).startsWith("Execution accuracy: 37.5% (3 of 8 questions; 1 left out");
    }

    @Test
    void resumesFromTheResultsFileWithoutAskingAgain() throws Exception {
        model.runs("older than thirty", "SELECT name FROM concert.singer WHERE age > 30")
                .runs("from France", "SELECT count(*) FROM concert.singer")
                .runs("name and age", "SELECT name, age FROM concert.singer");
        Path results = dir.resolve("results.jsonl");
        EvalQuestion one = q(
                "1", "Which singers are older than thirty?", "SELECT name FROM concert.singer WHERE age > 30", "easy");
        EvalQuestion two = q(
                "2",
                "How many singers are from France?",
                "SELECT count(*) FROM concert.singer WHERE country = 'France'",
                "easy");
        EvalQuestion three = q("3", "List each singer's name and age.", "SELECT name, age FROM concert.singer", "easy");
        Evaluation evaluation =
                Evaluation.builder().agent(agent).resultsFile(results).build();

        EvalReport first = evaluation.run(List.of(one, two));
        EvalReport second = evaluation.run(List.of(one, two, three));

        assertThat(model.asked("older than thirty")).isEqualTo(1);
        assertThat(model.asked("from France")).isEqualTo(1);
        assertThat(model.asked("name and age")).isEqualTo(1);
        assertThat(second.results().subList(0, 2))
                .isEqualTo(first.results().stream()
                        .map(r -> EvalResult.builder(r.id(), r.status())
                                .database(r.database())
                                .difficulty(r.difficulty())
                                .predictedSql(r.predictedSql())
                                .steps(r.steps())
                                .tokens(r.inputTokens(), r.outputTokens())
                                .latency(java.time.Duration.ofMillis(r.latency().toMillis()))
                                .error(r.error())
                                .build())
                        .toList());
        assertThat(second.results())
                .extracting(EvalResult::status)
                .containsExactly(EvalStatus.CORRECT, EvalStatus.WRONG, EvalStatus.CORRECT);
        assertThat(Files.readAllLines(results)).hasSize(3);
    }

    @Test
    void runsQuestionsConcurrently() throws Exception {
        model.gated(
                2,
                Map.of(
                        "first gated",
                        "SELECT count(*) FROM concert.singer",
                        "second gated",
                        "SELECT count(*) FROM concert.concert"));

        EvalReport report = Evaluation.builder()
                .agent(agent)
                .concurrency(2)
                .build()
                .run(List.of(
                        q(
                                "a",
                                "The first gated question: how many singers?",
                                "SELECT count(*) FROM concert.singer",
                                "easy"),
                        q(
                                "b",
                                "The second gated question: how many concerts?",
                                "SELECT count(*) FROM concert.concert",
                                "easy")));

        assertThat(model.overlapped())
                .as(
                        "both questions were with the model at once: %s, model saw %s",
                        report.results(), model.userMessages())
                .isTrue();
        assertThat(report.results()).extracting(EvalResult::status).containsOnly(EvalStatus.CORRECT);
    }

    @Test
    void mapsTheDatabaseToASchema() {
        model.runs("How many singers", "SELECT count(*) FROM concert.singer");

        EvalReport report = Evaluation.builder()
                .agent(agent)
                .mapping(DatabaseMapping.SCHEMA)
                .build()
                .run(List.of(
                        q("s", "How many singers are there?", "SELECT count(*) FROM singer", "easy"),
                        q("bad", "How many singers are not parsed?", "SELECT count(*) FROM singer WHERE ((", "easy")));

        assertThat(report.results())
                .extracting(EvalResult::status)
                .containsExactly(EvalStatus.CORRECT, EvalStatus.GOLD_ERROR);
        assertThat(model.userMessages())
                .anySatisfy(m -> assertThat(m)
                        .isEqualTo(
                                "How many singers are there?\n(The question is about the tables of schema concert.)"));
    }

    @Test
    void mapsTheDatabaseToOneOfTheAgents() throws Exception {
        agent.close();
        agent = agent(true);
        model.runsOn("gadgets", "gadgets", "SELECT label FROM gadgets");

        EvalReport report = Evaluation.builder()
                .agent(agent)
                .mapping(DatabaseMapping.DATABASE)
                .build()
                .run(List.of(
                        EvalQuestion.builder("g", "Which gadgets are there?", "SELECT label FROM gadgets")
                                .database("gadgets")
                                .build(),
                        EvalQuestion.builder("x", "Which gizmos are there?", "SELECT 1")
                                .database("nowhere")
                                .build()));

        assertThat(report.results())
                .extracting(EvalResult::status)
                .containsExactly(EvalStatus.CORRECT, EvalStatus.FAILED);
        assertThat(report.results().get(1).error())
                .contains("must be one of the agent's")
                .contains("nowhere");
        assertThat(model.userMessages())
                .anySatisfy(m -> assertThat(m).endsWith("(The question is about the database gadgets.)"));
    }

    @Test
    void scoresSchemaContextRecallWithoutAModel() throws Exception {
        Path results = dir.resolve("context.jsonl");
        List<EvalQuestion> questions = List.of(
                q("parsed", "How many singers are there?", "SELECT count(*) FROM singer", "easy"),
                EvalQuestion.builder("labelled", "Which concerts had which singer?", "SELECT 1")
                        .database("concert")
                        .tables(List.of("concert", "concert.singer"))
                        .build(),
                EvalQuestion.builder("missed", "How heavy are the pets?", "SELECT 1")
                        .database("concert")
                        .tables(List.of("concert.nosuch"))
                        .build(),
                q("unreadable", "How many singers?", "SELECT FROM WHERE ((", "easy"),
                q("noTable", "What is two?", "SELECT 2", "easy"));

        EvalReport report = Evaluation.builder()
                .database(PostgresDatabase.of(ds))
                .contextOnly(true)
                .contextBudget(1000)
                .mapping(DatabaseMapping.SCHEMA)
                .resultsFile(results)
                .build()
                .run(questions);

        assertThat(report.mode()).isEqualTo(EvalMode.CONTEXT);
        assertThat(report.results())
                .extracting(EvalResult::status)
                .containsExactly(
                        EvalStatus.CORRECT,
                        EvalStatus.CORRECT,
                        EvalStatus.WRONG,
                        EvalStatus.GOLD_ERROR,
                        EvalStatus.GOLD_ERROR);
        EvalResult parsed = report.results().get(0);
        assertThat(parsed.goldTables()).containsExactly("concert.singer");
        assertThat(parsed.contextTokens()).isBetween(1, 1000);
        assertThat(report.results().get(1).goldTables()).containsExactly("concert.concert", "concert.singer");
        assertThat(report.results().get(2).missingTables()).containsExactly("concert.nosuch");
        assertThat(report.summary().accuracy()).isEqualTo(2 / 3.0);
        assertThat(report.toTable()).startsWith("Schema-context recall at 1000 tokens: 66.7% (2 of 3 questions");
        assertThat(model.userMessages()).isEmpty();

        // the same through the agent (no model call either), and without a schema mapping
        EvalReport viaAgent = Evaluation.builder()
                .agent(agent)
                .contextOnly(true)
                .build()
                .run(List.of(q("plain", "How many singers are there?", "SELECT count(*) FROM singer", "easy")));
        assertThat(viaAgent.results().get(0).status()).isEqualTo(EvalStatus.CORRECT);
        assertThat(viaAgent.results().get(0).goldTables()).containsExactly("singer");
        assertThat(model.userMessages()).isEmpty();
    }
}
