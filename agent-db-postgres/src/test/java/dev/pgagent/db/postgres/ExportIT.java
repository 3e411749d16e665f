package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.api.CancelledException;
import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.sql.ExportFormat;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.ExportResult;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.Truncation;
import dev.pgagent.testsupport.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Exports of every common type in every format, compared with psql's CSV to the byte, and the export's limits. */
class ExportIT {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final ExecutionLimits LIMITS = ExecutionLimits.defaults().withFetchSize(1000);
    private static final String ALL = "SELECT * FROM typed ORDER BY id";
    /** Leaves every row as it is, but forces the cursor path. */
    private static final UnaryOperator<QueryResult> SAME = r -> r;

    static DataSource ds;
    static PostgresDatabase db;

    @BeforeAll
    static void setUp() {
        ds = TestPostgres.freshDatabase("export");
        Fixtures.exec(ds, """
                CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
                CREATE TABLE typed (
                  id int PRIMARY KEY,
                  i int, b bigint, s smallint, n numeric, r real, d double precision,
                  t text, v varchar(20), flag bool,
                  day date, ts timestamp, tstz timestamptz, tm time, span interval,
                  j json, jb jsonb,
                  ints int[], texts text[], grid int[][], stamps timestamptz[], bools bool[], jsons jsonb[],
                  raw bytea, raws bytea[], u uuid, m mood, moods mood[], nums numeric[], cash money
                );
                INSERT INTO typed VALUES
                  (1, 42, 9007199254740993, -7, 12345678901234567890.123456789, 1.5, 0.1,
                   'plain', 'v', true,
                   '2024-02-29', '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.5+02', '23:59:59',
                   '1 year 2 mons 3 days 04:05:06.789',
                   '{"a": [1, 2, {"b": null}], "c": "d"}', '{"z": 1, "a": [true, 2.50]}',
                   '{1,NULL,3}', '{"a,b","c\\"d",NULL,"NULL","", "x y"}', '{{1,2},{3,4}}',
                   '{"2024-01-01 00:00:00+00","2024-06-30 12:30:00+05:30"}', '{t,f,NULL}',
                   ARRAY['{"k": [1]}'::jsonb, 'null'::jsonb],
                   '\\x00ff10', ARRAY['\\x01'::bytea, NULL], 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy',
                   '{sad,happy}', '{1.50,NaN}', 12.34),
                  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                  (3, 0, -1, 0, 'NaN', 'Infinity', '-Infinity',
                   '', '', false,
                   '0044-03-15 BC', 'infinity', '-infinity', '00:00:00', '-1 days +02:00:00',
                   '[]', 'null', '{}', '{}', '{}', '{}', '{}', '{}',
                   '\\x', '{}', '00000000-0000-0000-0000-000000000000', 'sad', '{}', '{}', 0),
                  (4, 1, 2, 3, -0.5, 3.4028235e38, 1e300,
                   E'she said "hi", then\\nleft;\\r\\nok', E'tab\\there', true,
                   '1999-12-31', '1999-12-31 23:59:59', '1999-12-31 23:59:59.999+00', '12:00', '0',
                   '"quoted \\\\ string"', '[1, "two", {"3": [4]}]', '{-1}', '{" lead","trail ","\\\\back"}',
                   '{{NULL,2}}', '{NULL}', '{}', '{}',
                   'é€😀', '{}', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'ok', '{ok}', '{-0.0}', -1),
                  (5, 5, 5, 5, 5, 5, 5, 'Ünïcödé 😀, comma', 'NULL', false, '2000-01-01', '2000-01-01 00:00:00',
                   '2000-01-01 00:00:00+00', '01:02:03.5', '1 mon', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}',
                   '\\xdeadbeef', '{}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'ok', '{}', '{}', 5);
                CREATE TABLE lines AS SELECT g AS id, 'row ' || g AS label FROM generate_series(1, 10) g;
                CREATE TABLE dot (x text);
                INSERT INTO dot VALUES ('\\.'), ('a'), (''), (NULL);
                """);
        db = PostgresDatabase.of(ds);
    }

    private static ExportResult export(String sql, ExportOptions options, ByteArrayOutputStream out) {
        return db.export(sql, options, LIMITS, new QueryCancellation(), ExportTarget.of(out), null);
    }

    private static byte[] csv(String sql, ExportOptions options, UnaryOperator<QueryResult> filter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        db.export(sql, options, LIMITS, new QueryCancellation(), ExportTarget.of(out), filter);
        return out.toByteArray();
    }

    @Test
    void csvOfEveryTypeIsByteForByteWhatPsqlCopyWrites() throws Exception {
        byte[] psql = Psql.copyCsv(ds, ALL, "");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        ExportResult r = export(ALL, ExportOptions.DEFAULTS, out);

        assertThat(r.serverCopy()).isTrue();
        assertThat(new String(out.toByteArray(), StandardCharsets.UTF_8))
                .isEqualTo(new String(psql, StandardCharsets.UTF_8));
        assertThat(out.toByteArray()).isEqualTo(psql);
        assertThat(r.rowCount()).isEqualTo(5);
        assertThat(r.byteCount()).isEqualTo(psql.length);
        assertThat(r.truncation()).isEqualTo(Truncation.NONE);
        assertThat(r.columns()).hasSize(30);
        // NULL is nothing, the empty string is "" (row 2: all NULL; row 3: empty text)
        String text = new String(psql, StandardCharsets.UTF_8);
        assertThat(text).contains("\n2,,,,,").contains("\n3,0,-1,0,NaN,Infinity,-Infinity,\"\",\"\",f,");
    }

    @Test
    void theCursorPathWritesTheSameCsvAsPostgres() throws Exception {
        byte[] psql = Psql.copyCsv(ds, ALL, "");

        byte[] viaCursor = csv(ALL, ExportOptions.DEFAULTS, SAME);

        assertThat(new String(viaCursor, StandardCharsets.UTF_8)).isEqualTo(new String(psql, StandardCharsets.UTF_8));
        assertThat(viaCursor).isEqualTo(psql);
    }

    @Test
    void aLoneBackslashDotIsQuotedInAOneColumnResultOnBothPaths() throws Exception {
        String sql = "SELECT x FROM dot";
        byte[] psql = Psql.copyCsv(ds, sql, "");

        assertThat(csv(sql, ExportOptions.DEFAULTS, null)).isEqualTo(psql);
        assertThat(csv(sql, ExportOptions.DEFAULTS, SAME)).isEqualTo(psql);
        assertThat(new String(psql, StandardCharsets.UTF_8)).isEqualTo("x\n\"\\.\"\na\n\"\"\n\n");
    }

    @ParameterizedTest
    @ValueSource(chars = {';', '\t', '|', '\''})
    void anotherDelimiterMatchesPsqlToo(char delimiter) throws Exception {
        String literal = delimiter == '\'' ? "''''" : delimiter == '\t' ? "E'\\t'" : "'" + delimiter + "'";
        byte[] psql = Psql.copyCsv(ds, ALL, " DELIMITER " + literal);
        ExportOptions options = ExportOptions.builder().delimiter(delimiter).build();

        assertThat(csv(ALL, options, null)).isEqualTo(psql);
        assertThat(csv(ALL, options, SAME)).isEqualTo(psql);
    }

    @Test
    void withoutAHeaderTheFirstLineIsData() throws Exception {
        ExportOptions noHeader = ExportOptions.builder().header(false).build();

        String copy =
                new String(csv("SELECT id, label FROM lines ORDER BY id", noHeader, null), StandardCharsets.UTF_8);
        String cursor =
                new String(csv("SELECT id, label FROM lines ORDER BY id", noHeader, SAME), StandardCharsets.UTF_8);

        assertThat(copy).startsWith("1,row 1\n").isEqualTo(cursor);
    }

    @Test
    void aTrailingSemicolonAndCommentsDoNotStopTheCopyPath() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        ExportResult r = export("SELECT id FROM lines ORDER BY id -- the ids\n;  ", ExportOptions.DEFAULTS, out);

        assertThat(r.serverCopy()).isTrue();
        assertThat(r.rowCount()).isEqualTo(10);
    }

    @Test
    void textWithASemicolonOrAQuestionMarkGoesThroughTheCursorWithTheSameBytes() throws Exception {
        String sql = "SELECT id, label || '; ?' AS label, '{\"a\":1}'::jsonb ? 'a' AS has FROM lines ORDER BY id";
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        ExportResult r = export(sql, ExportOptions.DEFAULTS, out);

        assertThat(r.serverCopy()).isFalse();
        assertThat(out.toByteArray()).isEqualTo(Psql.copyCsv(ds, sql, ""));
    }

    @Test
    void jsonHasTypedValues() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        ExportResult r = export(ALL, ExportOptions.of(ExportFormat.JSON), out);

        assertThat(r.serverCopy()).isFalse();
        assertThat(r.rowCount()).isEqualTo(5);
        JsonNode doc = JSON.readTree(out.toByteArray());
        assertThat(doc.isArray()).isTrue();
        assertThat(doc).hasSize(5);
        JsonNode first = doc.get(0);
        assertThat(first.get("i").isInt()).isTrue();
        assertThat(first.get("b").isIntegralNumber()).isTrue();
        assertThat(first.get("b").bigIntegerValue()).hasToString("9007199254740993");
        assertThat(first.get("n").decimalValue()).isEqualByComparingTo("12345678901234567890.123456789");
        assertThat(new String(out.toByteArray(), StandardCharsets.UTF_8))
                .contains("\"n\":12345678901234567890.123456789");
        assertThat(first.get("d").doubleValue()).isEqualTo(0.1);
        assertThat(first.get("flag").isBoolean()).isTrue();
        assertThat(first.get("day").asText()).isEqualTo("2024-02-29");
        assertThat(first.get("ts").asText()).isEqualTo("2024-02-29T13:14:15.123456");
        assertThat(java.time.OffsetDateTime.parse(first.get("tstz").asText()).toInstant())
                .isEqualTo(java.time.Instant.parse("2024-02-29T11:14:15.500Z"));
        assertThat(first.get("tstz").asText()).matches("2024-02-29T\\d\\d:14:15\\.5[+-]\\d\\d:\\d\\d");
        assertThat(first.get("span").asText()).isEqualTo("P1Y2M3DT4H5M6.789S");
        assertThat(first.get("j").get("a").get(2).has("b")).isTrue();
        assertThat(first.get("jb").get("a").get(0).asBoolean()).isTrue();
        assertThat(first.get("ints").toString()).isEqualTo("[1,null,3]");
        assertThat(first.get("texts").toString()).isEqualTo("[\"a,b\",\"c\\\"d\",null,\"NULL\",\"\",\"x y\"]");
        assertThat(first.get("grid").toString()).isEqualTo("[[1,2],[3,4]]");
        assertThat(first.get("stamps").get(1).asText()).matches("2024-06-30T\\d\\d:\\d\\d:00[+-]\\d\\d:\\d\\d");
        assertThat(first.get("bools").toString()).isEqualTo("[true,false,null]");
        assertThat(first.get("jsons").toString()).isEqualTo("[{\"k\":[1]},null]");
        assertThat(first.get("raw").asText()).isEqualTo("\\x00ff10");
        assertThat(first.get("raws").toString()).isEqualTo("[\"\\\\x01\",null]");
        assertThat(first.get("u").asText()).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(first.get("m").asText()).isEqualTo("happy");
        assertThat(first.get("moods").toString()).isEqualTo("[\"sad\",\"happy\"]");
        assertThat(new String(out.toByteArray(), StandardCharsets.UTF_8)).contains("\"nums\":[1.50,\"NaN\"]");
        assertThat(first.get("cash").isTextual()).isTrue();
        JsonNode nulls = doc.get(1);
        nulls.properties().forEach(e -> {
            if (!e.getKey().equals("id")) {
                assertThat(e.getValue().isNull()).as(e.getKey()).isTrue();
            }
        });
        JsonNode odd = doc.get(2);
        assertThat(odd.get("n").asText()).isEqualTo("NaN");
        assertThat(odd.get("r").asText()).isEqualTo("Infinity");
        assertThat(odd.get("t").asText()).isEmpty();
        assertThat(odd.get("t").isTextual()).isTrue();
        assertThat(odd.get("day").asText()).isEqualTo("0044-03-15 BC");
        assertThat(odd.get("ts").asText()).isEqualTo("infinity");
        assertThat(odd.get("jb").isNull()).isTrue(); // the JSON value null, as stored
        assertThat(odd.get("ints").toString()).isEqualTo("[]");
        assertThat(odd.get("raw").asText()).isEqualTo("\\x");
        JsonNode texts = doc.get(3);
        assertThat(texts.get("t").asText()).isEqualTo("she said \"hi\", then\nleft;\r\nok");
        assertThat(texts.get("texts").toString()).isEqualTo("[\" lead\",\"trail \",\"\\\\back\"]");
        assertThat(texts.get("grid").toString()).isEqualTo("[[null,2]]");
        assertThat(texts.get("raw").asText()).isEqualTo("\\x" + hex("é€😀".getBytes(StandardCharsets.UTF_8)));
        assertThat(texts.get("j").asText()).isEqualTo("quoted \\ string");
    }

    @Test
    void jsonLinesHasOneObjectALineAndBase64WhenAsked() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExportOptions options = ExportOptions.builder()
                .format(ExportFormat.JSONL)
                .byteaEncoding(ExportOptions.ByteaEncoding.BASE64)
                .build();

        ExportResult r = export(ALL, options, out);

        String text = out.toString(StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        assertThat(lines).hasSize(5);
        assertThat(text).endsWith("}\n");
        for (String line : lines) {
            assertThat(JSON.readTree(line).isObject()).isTrue();
        }
        assertThat(JSON.readTree(lines[0]).get("raw").asText()).isEqualTo("AP8Q");
        assertThat(JSON.readTree(lines[0]).get("raws").toString()).isEqualTo("[\"AQ==\",null]");
        assertThat(r.byteCount()).isEqualTo(out.size());
    }

    @Test
    void base64ByteaInCsvGoesThroughTheCursor() {
        ExportOptions options = ExportOptions.builder()
                .byteaEncoding(ExportOptions.ByteaEncoding.BASE64)
                .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        ExportResult r = export("SELECT id, raw FROM typed ORDER BY id", options, out);

        assertThat(r.serverCopy()).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("id,raw\n1,AP8Q\n2,\n3,\"\"\n4,"
                        + java.util.Base64.getEncoder().encodeToString("é€😀".getBytes(StandardCharsets.UTF_8))
                        + "\n5,3q2+7w==\n");
    }

    @Test
    void markdownIsATableWithEscapedCells() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        export(
                "SELECT id, t, v FROM typed WHERE id IN (2, 3, 4) ORDER BY id",
                ExportOptions.of(ExportFormat.MARKDOWN),
                out);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
                | id | t | v |
                | --- | --- | --- |
                | 2 | *NULL* | *NULL* |
                | 3 |  |  |
                | 4 | she said "hi", then<br>left;<br>ok | tab	here |
                """);
    }

    @Test
    void aWriterReceivesTheSameText() throws Exception {
        StringWriter w = new StringWriter();

        ExportResult r =
                db.export(ALL, ExportOptions.DEFAULTS, LIMITS, new QueryCancellation(), ExportTarget.of(w), null);

        assertThat(w.toString()).isEqualTo(new String(Psql.copyCsv(ds, ALL, ""), StandardCharsets.UTF_8));
        assertThat(r.byteCount()).isEqualTo(w.toString().getBytes(StandardCharsets.UTF_8).length);
    }

    @ParameterizedTest
    @EnumSource(ExportFormat.class)
    void theRowLimitSaysExactlyWhetherMoreRowsExist(ExportFormat format) throws Exception {
        for (boolean cursor : new boolean[] {false, true}) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ExportResult exact = db.export(
                    "SELECT * FROM lines ORDER BY id",
                    ExportOptions.builder().format(format).maxRows(10).build(),
                    LIMITS,
                    new QueryCancellation(),
                    ExportTarget.of(all),
                    cursor ? SAME : null);
            ByteArrayOutputStream cut = new ByteArrayOutputStream();
            ExportResult nine = db.export(
                    "SELECT * FROM lines ORDER BY id",
                    ExportOptions.builder().format(format).maxRows(9).build(),
                    LIMITS,
                    new QueryCancellation(),
                    ExportTarget.of(cut),
                    cursor ? SAME : null);

            assertThat(exact.rowCount()).isEqualTo(10);
            assertThat(exact.truncation()).isEqualTo(Truncation.NONE);
            assertThat(nine.rowCount()).isEqualTo(9);
            assertThat(nine.truncation()).isEqualTo(Truncation.ROW_LIMIT);
            assertThat(nine.byteCount()).isEqualTo(cut.size());
            assertWellFormed(format, cut.toByteArray(), 9);
        }
    }

    @ParameterizedTest
    @EnumSource(ExportFormat.class)
    void theByteLimitIsNeverPassedAndTheOutputStaysWellFormed(ExportFormat format) throws Exception {
        for (boolean cursor : new boolean[] {false, true}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ExportResult r = db.export(
                    "SELECT * FROM lines ORDER BY id",
                    ExportOptions.builder().format(format).maxBytes(80).build(),
                    LIMITS,
                    new QueryCancellation(),
                    ExportTarget.of(out),
                    cursor ? SAME : null);

            assertThat(r.truncation()).isEqualTo(Truncation.BYTE_LIMIT);
            assertThat(out.size()).isLessThanOrEqualTo(80).isEqualTo((int) r.byteCount());
            assertThat(r.rowCount()).isBetween(1L, 9L);
            assertWellFormed(format, out.toByteArray(), r.rowCount());
        }
    }

    private static void assertWellFormed(ExportFormat format, byte[] bytes, long rows) throws Exception {
        String text = new String(bytes, StandardCharsets.UTF_8);
        switch (format) {
            case CSV -> assertThat(text.split("\n")).hasSize((int) rows + 1);
            case JSON -> assertThat(JSON.readTree(bytes)).hasSize((int) rows);
            case JSONL -> assertThat(text.split("\n")).hasSize((int) rows);
            case MARKDOWN -> assertThat(text.split("\n")).hasSize((int) rows + 2);
        }
    }

    @Test
    void aRowFilterSeesEveryRowInBatches() {
        List<Integer> batches = new ArrayList<>();
        UnaryOperator<QueryResult> upper = r -> {
            batches.add(r.rowCount());
            QueryResult.Builder b = QueryResult.builder().columns(r.columns());
            r.rows()
                    .forEach(row -> b.addRow(row.stream()
                            .map(v -> v == null ? null : v.toUpperCase(Locale.ROOT))
                            .toList()));
            return b.build();
        };

        String text = new String(
                csv("SELECT label FROM lines, generate_series(1, 60) ORDER BY 1", ExportOptions.DEFAULTS, upper),
                StandardCharsets.UTF_8);

        assertThat(text).startsWith("label\nROW 1\n").doesNotContain("row ");
        assertThat(batches).containsExactly(256, 256, 88);
    }

    @Test
    void anExportReadsInAReadOnlyTransaction() {
        Fixtures.exec(ds, "CREATE SEQUENCE IF NOT EXISTS counter");
        for (UnaryOperator<QueryResult> filter : java.util.Arrays.asList(null, SAME)) {
            assertThatThrownBy(() -> db.export(
                            "SELECT nextval('counter')",
                            ExportOptions.DEFAULTS,
                            LIMITS,
                            new QueryCancellation(),
                            ExportTarget.of(new ByteArrayOutputStream()),
                            filter))
                    .isInstanceOf(DatabaseException.class)
                    .satisfies(
                            e -> assertThat(((DatabaseException) e).sqlState()).contains("25006"));
        }
        assertThat(count("SELECT last_value FROM counter")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM counter WHERE is_called")).isZero();
    }

    @Test
    void aStatementWithoutRowsCannotBeExported() {
        assertThatThrownBy(() -> export("SET work_mem = '64MB'", ExportOptions.DEFAULTS, new ByteArrayOutputStream()))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("returns rows");
    }

    @Test
    void aStatementTimeoutStopsTheCopy() {
        ExecutionLimits quick = LIMITS.withStatementTimeout(Duration.ofMillis(300));

        assertThatThrownBy(() -> db.export(
                        "SELECT pg_sleep(5)",
                        ExportOptions.DEFAULTS,
                        quick,
                        new QueryCancellation(),
                        ExportTarget.of(new ByteArrayOutputStream()),
                        null))
                .isInstanceOf(DatabaseException.class)
                .satisfies(e -> assertThat(((DatabaseException) e).sqlState()).contains("57014"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void cancellingStopsTheExportOnTheServer(boolean cursor) throws Exception {
        QueryCancellation cancellation = new QueryCancellation();
        String marker = "export_cancel_" + cursor;
        CompletableFuture<ExportResult> running = CompletableFuture.supplyAsync(() -> db.export(
                "SELECT '" + marker + "', pg_sleep(30)",
                ExportOptions.DEFAULTS,
                LIMITS,
                cancellation,
                ExportTarget.of(new ByteArrayOutputStream()),
                cursor ? SAME : null));
        awaitActive(marker);

        cancellation.cancel();

        assertThatThrownBy(() -> running.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(CancelledException.class);
        assertThat(count("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%" + marker
                        + "%' AND pid <> pg_backend_pid()"))
                .isZero();
    }

    @Test
    void deniedDataIsRefusedByThePlanCheck() {
        Fixtures.exec(ds, "CREATE OR REPLACE VIEW label_view AS SELECT id, label FROM lines");
        ExecutionLimits denied = LIMITS.withDenied(new DeniedData(Set.of("lines"), Set.of()));

        assertThatThrownBy(() -> db.export(
                        "SELECT * FROM label_view",
                        ExportOptions.DEFAULTS,
                        denied,
                        new QueryCancellation(),
                        ExportTarget.of(new ByteArrayOutputStream()),
                        null))
                .isInstanceOf(DeniedDataException.class);
    }

    @Test
    void theConnectionIsCleanAfterAnExportCutShort() throws Exception {
        SingleConnectionDataSource one = new SingleConnectionDataSource(ds);
        PostgresDatabase onOne = PostgresDatabase.of(one);
        for (UnaryOperator<QueryResult> filter : java.util.Arrays.asList(null, SAME)) {
            ExportResult byRows = onOne.export(
                    "SELECT g FROM generate_series(1, 100000) g",
                    ExportOptions.builder().maxRows(5).build(),
                    LIMITS,
                    new QueryCancellation(),
                    ExportTarget.of(new ByteArrayOutputStream()),
                    filter);
            QueryResult after = onOne.read("SELECT 1 AS one", LIMITS, new QueryCancellation());
            ExportResult byBytes = onOne.export(
                    "SELECT g FROM generate_series(1, 100000) g",
                    ExportOptions.builder().maxBytes(100).build(),
                    LIMITS,
                    new QueryCancellation(),
                    ExportTarget.of(new ByteArrayOutputStream()),
                    filter);
            QueryResult afterBytes = onOne.read("SELECT 2 AS two", LIMITS, new QueryCancellation());

            assertThat(byRows.truncation()).isEqualTo(Truncation.ROW_LIMIT);
            assertThat(byBytes.truncation()).isEqualTo(Truncation.BYTE_LIMIT);
            assertThat(after.rows()).containsExactly(List.of("1"));
            assertThat(afterBytes.rows()).containsExactly(List.of("2"));
        }
        try (Statement st = one.physical.createStatement();
                ResultSet rs = st.executeQuery("SELECT 3")) {
            assertThat(rs.next()).isTrue();
        }
        one.physical.close();
    }

    private static void awaitActive(String marker) throws Exception {
        for (int i = 0; i < 2000; i++) {
            if (count("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%" + marker
                            + "%' AND query NOT LIKE '%pg_stat_activity%'")
                    > 0) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the export never started");
    }

    private static long count(String sql) {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format(Locale.ROOT, "%02x", b));
        }
        return sb.toString();
    }
}
